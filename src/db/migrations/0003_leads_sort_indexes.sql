CREATE INDEX "leads_updated_idx" ON "leads" USING btree ("workspace_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "leads_name_idx" ON "leads" USING btree ("workspace_id","name","id");--> statement-breakpoint
CREATE INDEX "leads_value_idx" ON "leads" USING btree ("workspace_id","value" DESC NULLS LAST,"id" DESC NULLS FIRST);