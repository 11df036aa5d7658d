CREATE TABLE "consents" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"method" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"granted_by" uuid,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"withdrawn_at" timestamp with time zone,
	"withdrawn_by" uuid,
	CONSTRAINT "consents_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "meta_captures" (
	"workspace_id" uuid NOT NULL,
	"leadgen_id" text NOT NULL,
	"page_row_id" uuid NOT NULL,
	"form_id" text,
	"ad_id" text,
	"via" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"error_kind" text,
	"lead_id" uuid,
	"created_time" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"captured_at" timestamp with time zone,
	CONSTRAINT "meta_captures_workspace_id_leadgen_id_pk" PRIMARY KEY("workspace_id","leadgen_id")
);
--> statement-breakpoint
CREATE TABLE "meta_connections" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"fb_user_id" text NOT NULL,
	"fb_user_name" text DEFAULT '' NOT NULL,
	"user_token" text NOT NULL,
	"token_expires_at" timestamp with time zone,
	"data_access_expires_at" timestamp with time zone,
	"requested_scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"granted_scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"status_reason" text,
	"alerted_at" timestamp with time zone,
	"last_checked_at" timestamp with time zone,
	"connected_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meta_connections_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "meta_connections_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "meta_deletion_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"confirmation_code" text NOT NULL,
	"fb_user_hash" text NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"targets" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "meta_deletion_requests_confirmation_code_unique" UNIQUE("confirmation_code")
);
--> statement-breakpoint
CREATE TABLE "meta_forms" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"page_row_id" uuid NOT NULL,
	"form_id" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'ACTIVE' NOT NULL,
	"locale" text,
	"questions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"mapping" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"sync_cursor" integer,
	"last_synced_at" timestamp with time zone,
	"last_lead_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meta_forms_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "meta_forms_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "meta_inbound_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"body" text NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "meta_pages" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"page_id" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"page_token" text NOT NULL,
	"instagram_account_id" text,
	"subscribed" boolean DEFAULT false NOT NULL,
	"subscribed_at" timestamp with time zone,
	"last_error" text,
	"last_lead_at" timestamp with time zone,
	"last_synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meta_pages_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "meta_pages_id_unique" UNIQUE("id")
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "is_demo" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meta_connections" ADD CONSTRAINT "meta_connections_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meta_connections" ADD CONSTRAINT "meta_connections_connected_by_users_id_fk" FOREIGN KEY ("connected_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consents_subject_idx" ON "consents" USING btree ("workspace_id","subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "meta_captures_page_received_idx" ON "meta_captures" USING btree ("workspace_id","page_row_id","received_at");--> statement-breakpoint
CREATE INDEX "meta_captures_status_idx" ON "meta_captures" USING btree ("workspace_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "meta_connections_workspace_key" ON "meta_connections" USING btree ("workspace_id");--> statement-breakpoint
CREATE INDEX "meta_connections_fb_user_idx" ON "meta_connections" USING btree ("fb_user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "meta_forms_form_key" ON "meta_forms" USING btree ("workspace_id","form_id");--> statement-breakpoint
CREATE INDEX "meta_forms_page_idx" ON "meta_forms" USING btree ("workspace_id","page_row_id");--> statement-breakpoint
CREATE INDEX "meta_inbound_events_received_idx" ON "meta_inbound_events" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "meta_pages_page_key" ON "meta_pages" USING btree ("workspace_id","page_id");--> statement-breakpoint
CREATE INDEX "meta_pages_page_idx" ON "meta_pages" USING btree ("page_id");