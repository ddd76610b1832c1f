CREATE TABLE "local_vault_identity" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "protectors" ADD COLUMN "destroy_key_id" text;--> statement-breakpoint
ALTER TABLE "protectors" ADD COLUMN "destroy_outcome" text;--> statement-breakpoint
ALTER TABLE "protectors" ADD COLUMN "recoverable_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "protectors" ADD COLUMN "destroyed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "protectors" ADD COLUMN "access_problem" text;--> statement-breakpoint
CREATE INDEX "protectors_destroy_key" ON "protectors" USING btree ("destroy_key_id");
