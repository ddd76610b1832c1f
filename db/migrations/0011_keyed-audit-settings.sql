ALTER TABLE "audit_entries" ADD COLUMN "tag" text;
--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "settings" jsonb;
--> statement-breakpoint
-- Requests already open bind the settings in force now (the best record of what they opened under).
UPDATE "requests" r SET "settings" = jsonb_build_object(
	'reviewWindowHours', t."settings"->'reviewWindowHours',
	'lockCooldownHours', t."settings"->'lockCooldownHours',
	'lockApprovalTtlHours', t."settings"->'lockApprovalTtlHours',
	'unreviewedChangePolicy', t."settings"->'unreviewedChangePolicy'
) FROM "tenants" t WHERE t."id" = r."tenant_id" AND r."state" = 'pending';
