import { z } from 'zod';
import { LEAD_SOURCES } from '../../db/schema';
import { isoDate } from '../../http/schemas';
import { contactFieldsSchema, contactSchema, customValuesSchema, tagsSchema } from '../contacts/contacts.schemas';
import { leadQuerySchema } from './lead-query';
import type { LeadRow } from './leads.repository';

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { message: `Use at most ${max} characters` })
    .nullable()
    .optional();
const uuid = (name: string) => z.uuid({ message: `${name} must be a UUID` });

export const answerSchema = z.object({
  key: z.string().min(1).max(200),
  question: z.string().max(1000).optional(),
  value: z.union([z.string().max(5000), z.array(z.string().max(5000)).max(100)]),
});

const money = z
  .number()
  .min(-999_999_999_999, { message: 'The value is too large' })
  .max(999_999_999_999, { message: 'The value is too large' })
  .nullable()
  .optional();
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, { message: 'Use a three-letter currency code such as MYR' })
  .nullable()
  .optional();

const leadDetails = {
  externalId: text(200),
  formId: text(200),
  formName: text(500),
  campaignId: text(200),
  campaignName: text(500),
  adsetId: text(200),
  adsetName: text(500),
  adId: text(200),
  adName: text(500),
  platform: text(100),
};

/** Either `contact` or `contactId` (checked by the service, after the caller's access, so other workspaces get 404). */
export const leadCreateSchema = z.object({
  contact: contactFieldsSchema.optional(),
  contactId: uuid('contactId').optional(),
  source: z.enum(LEAD_SOURCES).optional(),
  pipelineId: uuid('pipelineId').nullable().optional(),
  stageId: uuid('stageId').nullable().optional(),
  ownerId: uuid('ownerId').nullable().optional(),
  value: money,
  currency,
  tags: tagsSchema.optional(),
  custom: customValuesSchema.optional(),
  answers: z.array(answerSchema).max(200).optional(),
  ...leadDetails,
});

export const leadPatchSchema = z.object({
  name: text(200),
  email: text(254),
  phone: text(40),
  stageId: uuid('stageId').optional(),
  ownerId: uuid('ownerId').nullable().optional(),
  value: money,
  currency,
  tags: tagsSchema.optional(),
  custom: customValuesSchema.optional(),
});

export const countModeSchema = z.enum(['auto', 'exact', 'none']);

export const leadQueryBodySchema = leadQuerySchema.extend({
  cursor: z.string().max(2000).optional(),
  limit: z.number().int().min(1).max(200).default(50),
  count: countModeSchema.default('auto'),
});

export const leadListQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
  stageId: uuid('stageId').optional(),
  ownerId: uuid('ownerId').optional(),
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  count: countModeSchema.default('none'),
});

export const bulkSelectionSchema = z.union([
  z.object({ ids: z.array(uuid('ids')).min(1, { message: 'Choose at least one lead' }).max(10_000) }),
  z.object({ query: leadQuerySchema }),
]);

export const bulkActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assign'), ownerId: uuid('ownerId').nullable() }),
  z
    .object({ type: z.literal('tag'), add: tagsSchema.optional(), remove: tagsSchema.optional() })
    .refine((a) => (a.add?.length ?? 0) + (a.remove?.length ?? 0) > 0, { message: 'Add or remove at least one tag' }),
  z.object({ type: z.literal('move_stage'), stageId: uuid('stageId') }),
  z.object({ type: z.literal('delete') }),
]);

export const bulkBodySchema = z.object({ selection: bulkSelectionSchema, action: bulkActionSchema });

export type LeadCreate = z.infer<typeof leadCreateSchema>;
export type LeadPatch = z.infer<typeof leadPatchSchema>;
export type LeadQueryBody = z.infer<typeof leadQueryBodySchema>;
export type BulkSelection = z.infer<typeof bulkSelectionSchema>;
export type BulkAction = z.infer<typeof bulkActionSchema>;

export const leadSchema = z.object({
  id: z.uuid(),
  contactId: z.uuid(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  source: z.string(),
  externalId: z.string().nullable(),
  formId: z.string().nullable(),
  formName: z.string().nullable(),
  campaignId: z.string().nullable(),
  campaignName: z.string().nullable(),
  adsetId: z.string().nullable(),
  adsetName: z.string().nullable(),
  adId: z.string().nullable(),
  adName: z.string().nullable(),
  platform: z.string().nullable(),
  answers: z.array(answerSchema.extend({ key: z.string(), question: z.string().optional() })),
  pipelineId: z.uuid(),
  stageId: z.uuid(),
  ownerId: z.uuid().nullable(),
  value: z.number().nullable(),
  currency: z.string().nullable(),
  tags: z.array(z.string()),
  custom: z.record(z.string(), z.unknown()),
  createdAt: isoDate,
  updatedAt: isoDate,
  stageChangedAt: isoDate,
});

export const leadDetailSchema = leadSchema.extend({
  contact: contactSchema,
  owner: z.object({ id: z.uuid(), name: z.string().nullable() }).nullable(),
});

export const leadPageSchema = z.object({
  items: z.array(leadSchema),
  nextCursor: z.string().nullable(),
  count: z.object({ value: z.number().int(), exact: z.boolean() }).nullable(),
});

export type LeadView = z.infer<typeof leadSchema>;

/** A lead as the API shows it (without the workspace id and the search text). */
export const leadView = (l: LeadRow): LeadView => ({
  id: l.id,
  contactId: l.contactId,
  name: l.name,
  email: l.email,
  phone: l.phone,
  source: l.source,
  externalId: l.externalId,
  formId: l.formId,
  formName: l.formName,
  campaignId: l.campaignId,
  campaignName: l.campaignName,
  adsetId: l.adsetId,
  adsetName: l.adsetName,
  adId: l.adId,
  adName: l.adName,
  platform: l.platform,
  answers: l.answers,
  pipelineId: l.pipelineId,
  stageId: l.stageId,
  ownerId: l.ownerId,
  value: l.value === null ? null : Number(l.value),
  currency: l.currency,
  tags: l.tags,
  custom: l.custom,
  createdAt: l.createdAt,
  updatedAt: l.updatedAt,
  stageChangedAt: l.stageChangedAt,
});
