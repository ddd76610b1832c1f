CREATE TABLE "cli_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"admin_id" text NOT NULL,
	"label" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "cli_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE INDEX "cli_tokens_admin" ON "cli_tokens" USING btree ("admin_id");--> statement-breakpoint
CREATE INDEX "cli_tokens_tenant" ON "cli_tokens" USING btree ("tenant_id");
