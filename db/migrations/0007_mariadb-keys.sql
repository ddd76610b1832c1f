CREATE TABLE "db_keys" (
	"instance_id" text NOT NULL,
	"key_id" integer NOT NULL,
	"version" integer NOT NULL,
	"ciphertext" "bytea" NOT NULL,
	"nonce" "bytea" NOT NULL,
	"tag" "bytea" NOT NULL,
	"dek_version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "db_keys_instance_id_key_id_version_pk" PRIMARY KEY("instance_id","key_id","version")
);
--> statement-breakpoint
ALTER TABLE "db_keys" ADD CONSTRAINT "db_keys_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE no action ON UPDATE no action;