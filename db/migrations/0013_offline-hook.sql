ALTER TABLE "instances" ADD COLUMN "drain_until" timestamp with time zone;--> statement-breakpoint
CREATE TABLE "offline_hooks" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"secret_ciphertext" "bytea" NOT NULL,
	"secret_nonce" "bytea" NOT NULL,
	"secret_tag" "bytea" NOT NULL,
	"set_by" text NOT NULL,
	"set_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "offline_hooks" ADD CONSTRAINT "offline_hooks_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE no action ON UPDATE no action;
