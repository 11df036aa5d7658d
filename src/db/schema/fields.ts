import { boolean, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces';

export const FIELD_TYPES = [
  'text',
  'long_text',
  'number',
  'currency',
  'date',
  'datetime',
  'single_select',
  'multi_select',
  'checkbox',
  'email',
  'phone',
  'url',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldOption {
  value: string;
  label: string;
  color?: string;
}

/** A workspace's custom field on leads or contacts; values live in the owner row's `custom` jsonb by `key`. */
export const fieldDefinitions = pgTable(
  'field_definitions',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    entity: text('entity').$type<'lead' | 'contact'>().notNull(),
    /** Stable machine name (`budget`, `preferred_branch`), used in the API, filters, import and export. */
    key: text('key').notNull(),
    label: text('label').notNull(),
    type: text('type').$type<FieldType>().notNull(),
    required: boolean('required').notNull().default(false),
    options: jsonb('options').$type<FieldOption[]>().notNull().default([]),
    /** ISO 4217 for currency fields. */
    currency: text('currency'),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    archivedAt: timestamp('archived_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('field_definitions_key').on(t.workspaceId, t.entity, t.key),
  ],
);
