import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth';
import { workspaces } from './workspaces';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** A person. Leads (captures of interest) belong to one contact; identities resolve repeat people to it. */
export const contacts = pgTable(
  'contacts',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    name: text('name').notNull().default(''),
    /** Normalised (trimmed, lower-cased). */
    email: text('email'),
    /** E.164 when it could be parsed; otherwise kept exactly as given, with `phoneInvalid` set. */
    phone: text('phone'),
    phoneInvalid: boolean('phone_invalid').notNull().default(false),
    city: text('city'),
    country: text('country'),
    custom: jsonb('custom').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    /** Set while this contact is merged into another (kept so the merge can be undone). */
    mergedInto: uuid('merged_into'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('contacts_created_idx').on(t.workspaceId, t.createdAt, t.id),
    // Possible duplicates are looked up by these two expressions (ContactsRepository.duplicateCandidates), which must
    // stay written exactly as there for the indexes to serve the lookup.
    index('contacts_email_idx').on(t.workspaceId, sql`lower(btrim(${t.email}))`),
    index('contacts_phone_last4_idx').on(
      t.workspaceId,
      sql`right(regexp_replace(coalesce(${t.phone}, ''), '\\D', '', 'g'), 4)`,
    ),
  ],
);

export const IDENTITY_KINDS = ['email', 'phone', 'psid', 'igsid', 'wa_id', 'meta_lead', 'external'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** Each identity value belongs to one contact in a workspace: the unique key is how a repeat person is found. */
export const contactIdentities = pgTable(
  'contact_identities',
  {
    workspaceId: uuid('workspace_id').notNull(),
    kind: text('kind').$type<IdentityKind>().notNull(),
    value: text('value').notNull(),
    contactId: uuid('contact_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.kind, t.value] }),
    index('contact_identities_contact_idx').on(t.workspaceId, t.contactId),
  ],
);

/** A merge, with what it moved, so that it can be undone. */
export const contactMerges = pgTable(
  'contact_merges',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    survivorId: uuid('survivor_id').notNull(),
    mergedId: uuid('merged_id').notNull(),
    /** Lead, note, task and identity ids moved, and the survivor's fields before the merge. */
    moved: jsonb('moved').$type<Record<string, unknown>>().notNull(),
    mergedBy: uuid('merged_by'),
    mergedAt: ts('merged_at').notNull().defaultNow(),
    undoneAt: ts('undone_at'),
    undoneBy: uuid('undone_by'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);
