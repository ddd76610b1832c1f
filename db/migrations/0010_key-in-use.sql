-- One customer key (by fingerprint) protects at most one instance at a time, across tenants (issue 8 item 5, I7).
-- Live statuses: active (also the protector of a locked instance, whose holder will unlock with it) and
-- previous (restored if the key change is rolled back). Retired and destroyed protectors hold no key.
-- Fails on a database where one key already protects two live instances: revert one of them first.
CREATE UNIQUE INDEX "protectors_fingerprint_live" ON "protectors" USING btree ("fingerprint") WHERE "protectors"."status" in ('active', 'previous');
