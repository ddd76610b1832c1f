CREATE TABLE "deployment_channels" (
	"channel" text PRIMARY KEY NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
-- Deployments that ran before this table existed: record the channels their outbox shows they delivered on,
-- so a CLI change made before the next `serve` start still alerts where the server last delivered.
INSERT INTO "deployment_channels" ("channel", "recorded_at")
SELECT DISTINCT "channel", now() FROM "outbox" WHERE "channel" IN ('email', 'slack', 'teams')
ON CONFLICT DO NOTHING;
