CREATE TABLE "console_links" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"tenant_id" text NOT NULL,
	"admin_id" text NOT NULL,
	"issued_via" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	CONSTRAINT "console_links_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "console_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"tenant_id" text NOT NULL,
	"admin_id" text NOT NULL,
	"method" text NOT NULL,
	"csrf" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "console_sessions_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "inbox_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"admin_id" text NOT NULL,
	"event_id" text NOT NULL,
	"request_id" text,
	"message" jsonb NOT NULL,
	"actionable" boolean NOT NULL,
	"resolution" text,
	"resolved_at" timestamp with time zone,
	"dedupe_key" text,
	"created_at" timestamp with time zone NOT NULL,
	"read_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "console_links_admin" ON "console_links" USING btree ("admin_id");--> statement-breakpoint
CREATE INDEX "console_sessions_admin" ON "console_sessions" USING btree ("admin_id");--> statement-breakpoint
CREATE INDEX "inbox_admin_created" ON "inbox_entries" USING btree ("admin_id","created_at");--> statement-breakpoint
CREATE INDEX "inbox_request" ON "inbox_entries" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_dedupe" ON "inbox_entries" USING btree ("dedupe_key");