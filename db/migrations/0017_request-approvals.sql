CREATE TABLE "request_approvals" (
	"request_id" text NOT NULL,
	"admin_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"transport" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "request_approvals" ADD CONSTRAINT "request_approvals_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "request_approvals_request_admin" ON "request_approvals" USING btree ("request_id","admin_id");--> statement-breakpoint
CREATE INDEX "request_approvals_admin" ON "request_approvals" USING btree ("admin_id");