import { sql } from 'drizzle-orm';
import { index, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const LEAD_SOURCES = [
  'manual',
  'import',
  'api',
  'meta_lead_ads',
  'messenger',
  'instagram',
  'whatsapp',
  'email',
  'web_form',
] as const;
export type LeadSource = (typeof LEAD_SOURCES)[number];

export interface LeadAnswer {
  /** The form's field key (`full_name`, `email`, or a custom question's key). */
  key: string;
  /** The question as the form asked it, in its language. */
  question?: string;
  value: string | string[];
}

/**
 * One capture of interest. The contact's name, email and phone are copied here (and kept in step) so that the
 * leads list filters, sorts and searches one table at a million rows.
 */
export const leads = pgTable(
  'leads',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    contactId: uuid('contact_id').notNull(),
    name: text('name').notNull().default(''),
    email: text('email'),
    phone: text('phone'),
    /** Lower-cased name, email and phone digits: the trigram-indexed search text. */
    search: text('search').notNull().default(''),
    source: text('source').$type<LeadSource>().notNull(),
    /** The source's own id (Meta lead id, an import's external id): unique per source, so captures are idempotent. */
    externalId: text('external_id'),
    formId: text('form_id'),
    formName: text('form_name'),
    campaignId: text('campaign_id'),
    campaignName: text('campaign_name'),
    adsetId: text('adset_id'),
    adsetName: text('adset_name'),
    adId: text('ad_id'),
    adName: text('ad_name'),
    platform: text('platform'),
    answers: jsonb('answers').$type<LeadAnswer[]>().notNull().default(sql`'[]'::jsonb`),
    pipelineId: uuid('pipeline_id').notNull(),
    stageId: uuid('stage_id').notNull(),
    ownerId: uuid('owner_id'),
    value: numeric('value', { precision: 14, scale: 2, mode: 'number' }),
    currency: text('currency'),
    custom: jsonb('custom').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    stageChangedAt: ts('stage_changed_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    // Default view (newest first) and every keyset page of it.
    index('leads_created_idx').on(t.workspaceId, t.createdAt, t.id),
    // Board and "stage + owner + date range" filters.
    index('leads_stage_owner_created_idx').on(t.workspaceId, t.stageId, t.ownerId, t.createdAt, t.id),
    // "My leads" for agents.
    index('leads_owner_created_idx').on(t.workspaceId, t.ownerId, t.createdAt, t.id),
    index('leads_contact_idx').on(t.workspaceId, t.contactId),
    // Other sorts people use on the list: recently updated, by name, biggest deals first.
    index('leads_updated_idx').on(t.workspaceId, t.updatedAt, t.id),
    index('leads_name_idx').on(t.workspaceId, t.name, t.id),
    index('leads_value_idx').on(t.workspaceId, t.value.desc().nullsLast(), t.id.desc().nullsFirst()),
    uniqueIndex('leads_external_key').on(t.workspaceId, t.source, t.externalId),
    index('leads_search_trgm_idx').using('gin', sql`${t.search} gin_trgm_ops`),
    index('leads_tags_idx').using('gin', t.tags),
    index('leads_custom_idx').using('gin', sql`${t.custom} jsonb_path_ops`),
  ],
);
