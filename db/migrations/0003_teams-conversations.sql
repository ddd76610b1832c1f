CREATE TABLE "teams_conversations" (
	"teams_tenant_id" text NOT NULL,
	"aad_object_id" text NOT NULL,
	"user_id" text NOT NULL,
	"bot_id" text NOT NULL,
	"service_url" text NOT NULL,
	"conversation_id" text,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "teams_conversations_teams_tenant_id_aad_object_id_pk" PRIMARY KEY("teams_tenant_id","aad_object_id")
);
