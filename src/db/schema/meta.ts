import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './auth';
import { workspaces } from './workspaces';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const META_CONNECTION_STATUSES = ['active', 'needs_reconnect'] as const;
export type MetaConnectionStatus = (typeof META_CONNECTION_STATUSES)[number];

/**
 * A workspace's Facebook connection: the staff member who logged in, their long-lived user token (encrypted, P17) and
 * the scopes Meta granted (P3/P4). One per workspace; disconnecting deletes the row and everything under it.
 */
export const metaConnections = pgTable(
  'meta_connections',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().unique(),
    /** The app-scoped Facebook user id of the person who connected (what Meta's deletion callbacks name). */
    fbUserId: text('fb_user_id').notNull(),
    fbUserName: text('fb_user_name').notNull().default(''),
    /** `enc:v1:…` — AES-256-GCM, associated data `meta_user_token:<id>`. */
    userToken: text('user_token').notNull(),
    tokenExpiresAt: ts('token_expires_at'),
    dataAccessExpiresAt: ts('data_access_expires_at'),
    requestedScopes: text('requested_scopes').array().notNull().default(sql`'{}'::text[]`),
    grantedScopes: text('granted_scopes').array().notNull().default(sql`'{}'::text[]`),
    status: text('status').$type<MetaConnectionStatus>().notNull().default('active'),
    /** Why the connection needs the admin (token expired, password changed, scope revoked…), in words. */
    statusReason: text('status_reason'),
    /** When admins were last emailed about the problem (so a failing token does not email on every job). */
    alertedAt: ts('alerted_at'),
    lastCheckedAt: ts('last_checked_at'),
    connectedBy: uuid('connected_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('meta_connections_workspace_key').on(t.workspaceId),
    // Meta's deletion/deauthorize callbacks name the user, not the workspace.
    index('meta_connections_fb_user_idx').on(t.fbUserId),
  ],
);

/** A connected Facebook Page (P3: id, name, token). Its Instagram professional account, when linked, rides along. */
export const metaPages = pgTable(
  'meta_pages',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull().unique(),
    connectionId: uuid('connection_id').notNull(),
    pageId: text('page_id').notNull(),
    name: text('name').notNull().default(''),
    /** `enc:v1:…`, associated data `meta_page_token:<id>`. A Page token from a long-lived user token never expires. */
    pageToken: text('page_token').notNull(),
    instagramAccountId: text('instagram_account_id'),
    subscribed: boolean('subscribed').notNull().default(false),
    subscribedAt: ts('subscribed_at'),
    /** Last problem talking to Meta for this Page (subscription failed, token invalid), in words; null when healthy. */
    lastError: text('last_error'),
    lastLeadAt: ts('last_lead_at'),
    lastSyncedAt: ts('last_synced_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('meta_pages_page_key').on(t.workspaceId, t.pageId),
    // Webhooks name the Page; an agency may connect one Page to several workspaces.
    index('meta_pages_page_idx').on(t.pageId),
  ],
);

export type MetaMappingTarget =
  | 'contact.name'
  | 'contact.first_name'
  | 'contact.last_name'
  | 'contact.email'
  | 'contact.phone'
  | 'contact.city'
  | 'contact.country'
  | `lead.${string}`
  | 'answer'
  | 'ignore';

export interface MetaFormQuestion {
  key: string;
  label: string;
  type: string;
  options?: { key: string; value: string }[];
}

/** Where one form question's answer goes. `lead.<fieldKey>` is a lead custom field. */
export interface MetaFieldMapping {
  key: string;
  target: MetaMappingTarget;
}

/** A Lead Ads form of a connected Page, with the admin's mapping of its questions and the reconciliation cursor. */
export const metaForms = pgTable(
  'meta_forms',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull().unique(),
    pageRowId: uuid('page_row_id').notNull(),
    formId: text('form_id').notNull(),
    name: text('name').notNull().default(''),
    status: text('status').notNull().default('ACTIVE'),
    locale: text('locale'),
    questions: jsonb('questions').$type<MetaFormQuestion[]>().notNull().default(sql`'[]'::jsonb`),
    /** The admin's mapping; empty means the automatic default for the form's questions. */
    mapping: jsonb('mapping').$type<MetaFieldMapping[]>().notNull().default(sql`'[]'::jsonb`),
    /** Reconciliation: leads created at or after this (Unix seconds, minus an overlap) are fetched next time. */
    syncCursor: integer('sync_cursor'),
    lastSyncedAt: ts('last_synced_at'),
    lastLeadAt: ts('last_lead_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('meta_forms_form_key').on(t.workspaceId, t.formId),
    index('meta_forms_page_idx').on(t.workspaceId, t.pageRowId),
  ],
);

export const META_CAPTURE_STATUSES = ['pending', 'captured', 'failed'] as const;
export type MetaCaptureStatus = (typeof META_CAPTURE_STATUSES)[number];

/**
 * One Meta lead id per workspace: the dedupe key for webhooks, reconciliation and test leads, and the health page's
 * record of what arrived and what failed. Holds ids only (no answers), so it says nothing about the person.
 */
export const metaCaptures = pgTable(
  'meta_captures',
  {
    workspaceId: uuid('workspace_id').notNull(),
    leadgenId: text('leadgen_id').notNull(),
    pageRowId: uuid('page_row_id').notNull(),
    formId: text('form_id'),
    adId: text('ad_id'),
    /** `webhook`, `reconcile` or `test`: how we first heard of the lead. */
    via: text('via').notNull(),
    status: text('status').$type<MetaCaptureStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** The stable error kind (`auth_expired`, `rate_limited`, `transient`, `rejected`). */
    errorKind: text('error_kind'),
    leadId: uuid('lead_id'),
    /** When Meta says the lead was created. */
    createdTime: ts('created_time'),
    receivedAt: ts('received_at').notNull().defaultNow(),
    capturedAt: ts('captured_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.leadgenId] }),
    index('meta_captures_page_received_idx').on(t.workspaceId, t.pageRowId, t.receivedAt),
    index('meta_captures_status_idx').on(t.workspaceId, t.status),
  ],
);

/**
 * Every Meta webhook body exactly as received (signature checked), before we know its workspace: one POST may carry
 * several Pages. A `received` row is work to do (the webhook answers once it is stored): `meta.inbound` drains them
 * in batches into `meta_captures`; processed rows are deleted after a retention period.
 */
export const metaInboundEvents = pgTable(
  'meta_inbound_events',
  {
    id: uuid('id').primaryKey(),
    receivedAt: ts('received_at').notNull().defaultNow(),
    body: text('body').notNull(),
    /** `received`, `processed`, `ignored` (no workspace has the Page). */
    status: text('status').notNull().default('received'),
    processedAt: ts('processed_at'),
  },
  (t) => [
    index('meta_inbound_events_received_idx').on(t.receivedAt),
    // The work list of `meta.inbound`: the few bodies not processed yet, among days of processed ones.
    index('meta_inbound_events_pending_idx').on(t.receivedAt).where(sql`${t.status} = 'received'`),
  ],
);

/** Meta's data-deletion callback requests (P33): the public status page is keyed by the confirmation code. */
export const metaDeletionRequests = pgTable('meta_deletion_requests', {
  id: uuid('id').primaryKey(),
  confirmationCode: text('confirmation_code').notNull().unique(),
  /** SHA-256 of the app-scoped user id, so the request record itself holds no Meta identifier in clear. */
  fbUserHash: text('fb_user_hash').notNull(),
  /** `received`, then `completed` (or `not_found`: no connection of that user was left). */
  status: text('status').notNull().default('received'),
  /** The connections the request covers (workspace and connection ids; no personal data). */
  targets: jsonb('targets')
    .$type<{ workspaceId: string; connectionId: string }[]>()
    .notNull()
    .default(sql`'[]'::jsonb`),
  /** What was deleted, in counts (connections, pages, forms). */
  summary: jsonb('summary').$type<Record<string, number>>().notNull().default(sql`'{}'::jsonb`),
  requestedAt: ts('requested_at').notNull().defaultNow(),
  completedAt: ts('completed_at'),
});

/**
 * Consent records (P31): what was agreed, when, how and by whom, and when it was withdrawn. `subject` is
 * `workspace` for a workspace's consent to connect Meta, or `contact` for a person's channel opt-in.
 */
export const consents = pgTable(
  'consents',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: uuid('subject_id').notNull(),
    /** What was agreed, e.g. `meta_connection`, `marketing`, `whatsapp_contact`. */
    purpose: text('purpose').notNull(),
    /** How it was obtained, e.g. `facebook_login`, `lead_form_disclaimer`, `import`. */
    method: text('method').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    grantedBy: uuid('granted_by'),
    grantedAt: ts('granted_at').notNull().defaultNow(),
    withdrawnAt: ts('withdrawn_at'),
    withdrawnBy: uuid('withdrawn_by'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('consents_subject_idx').on(t.workspaceId, t.subjectType, t.subjectId),
  ],
);
