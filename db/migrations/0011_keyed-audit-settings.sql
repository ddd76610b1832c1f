ALTER TABLE "audit_entries" ADD COLUMN "tag" text;
