import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** The timeline: every change to a lead or contact, with who and when. */
export const activities = pgTable(
  'activities',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    contactId: uuid('contact_id'),
    leadId: uuid('lead_id'),
    type: text('type').notNull(),
    actorType: text('actor_type').$type<'user' | 'api_key' | 'system'>().notNull(),
    actorId: uuid('actor_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('activities_lead_idx').on(t.workspaceId, t.leadId, t.id),
    index('activities_contact_idx').on(t.workspaceId, t.contactId, t.id),
  ],
);

export const notes = pgTable(
  'notes',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    contactId: uuid('contact_id').notNull(),
    leadId: uuid('lead_id'),
    body: text('body').notNull(),
    format: text('format').$type<'text' | 'markdown'>().notNull().default('text'),
    authorId: uuid('author_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('notes_contact_idx').on(t.workspaceId, t.contactId, t.id),
  ],
);

export const tasks = pgTable(
  'tasks',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    contactId: uuid('contact_id'),
    leadId: uuid('lead_id'),
    title: text('title').notNull(),
    dueAt: ts('due_at'),
    remindAt: ts('remind_at'),
    remindedAt: ts('reminded_at'),
    assigneeId: uuid('assignee_id'),
    doneAt: ts('done_at'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('tasks_assignee_due_idx').on(t.workspaceId, t.assigneeId, t.doneAt, t.dueAt),
    index('tasks_lead_idx').on(t.workspaceId, t.leadId),
    // The minute-by-minute reminder sweep (across workspaces): only reminders still to send are indexed.
    index('tasks_reminder_due_idx')
      .on(t.remindAt)
      .where(sql`reminded_at is null and done_at is null and assignee_id is not null`),
  ],
);

/** Saved leads views: filters, sort and columns; private to their owner or shared with the workspace. */
export const savedViews = pgTable(
  'saved_views',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    ownerId: uuid('owner_id').notNull(),
    shared: boolean('shared').notNull().default(false),
    query: jsonb('query').$type<Record<string, unknown>>().notNull(),
    columns: jsonb('columns').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** Ordered routing rules: the first whose conditions match assigns the owner. */
export const routingRules = pgTable(
  'routing_rules',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** All must hold: [{field: 'source'|'form_id'|'country'|'custom.<key>'…, op, value}]. Empty matches every lead. */
    conditions: jsonb('conditions').$type<Array<{ field: string; op: string; value?: unknown }>>().notNull(),
    /** `user`: one owner; `round_robin`: rotate among `userIds`, skipping unavailable or full agents. */
    assign: jsonb('assign')
      .$type<{ type: 'user'; userId: string } | { type: 'round_robin'; userIds: string[] }>()
      .notNull(),
    /** Round robin's last pick. */
    lastUserId: uuid('last_user_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** Long work (imports, exports, bulk actions) that the web app shows with a progress bar. */
export const operations = pgTable(
  'operations',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    kind: text('kind').$type<'import' | 'export' | 'bulk'>().notNull(),
    status: text('status').$type<'pending' | 'running' | 'succeeded' | 'failed'>().notNull().default('pending'),
    total: integer('total'),
    processed: integer('processed').notNull().default(0),
    /** Kind-specific: mapping and counts for imports, file for exports, action for bulk. */
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    error: text('error'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('operations_created_idx').on(t.workspaceId, t.createdAt),
  ],
);

/** Rows an import refused, with the reason, downloadable as a CSV. */
export const importRejects = pgTable(
  'import_rejects',
  {
    workspaceId: uuid('workspace_id').notNull(),
    operationId: uuid('operation_id').notNull(),
    rowNumber: integer('row_number').notNull(),
    reason: text('reason').notNull(),
    raw: jsonb('raw').$type<string[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.operationId, t.rowNumber] })],
);
