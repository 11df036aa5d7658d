import { z } from 'zod';
import { isoDate } from '../../http/schemas';

/** Tags: trimmed, 1–50 characters, at most 50 on one record. */
export const tagsSchema = z
  .array(
    z
      .string()
      .trim()
      .min(1, { message: 'A tag cannot be empty' })
      .max(50, { message: 'Use at most 50 characters per tag' }),
  )
  .max(50, { message: 'Use at most 50 tags' });

export const customValuesSchema = z.record(z.string().max(100), z.unknown());

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { message: `Use at most ${max} characters` })
    .nullable()
    .optional();

/** The contact fields a person or an integration may set. */
export const contactFieldsSchema = z.object({
  name: optionalText(200),
  email: optionalText(254),
  phone: optionalText(40),
  city: optionalText(120),
  country: optionalText(120),
});

export const contactCreateSchema = contactFieldsSchema.extend({
  tags: tagsSchema.optional(),
  custom: customValuesSchema.optional(),
  ownerId: z.uuid({ message: 'ownerId must be a UUID' }).nullable().optional(),
});

export const contactPatchSchema = contactCreateSchema;

export type ContactFields = z.infer<typeof contactFieldsSchema>;
export type ContactCreate = z.infer<typeof contactCreateSchema>;
export type ContactPatch = z.infer<typeof contactPatchSchema>;

export const contactSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  phoneInvalid: z.boolean(),
  city: z.string().nullable(),
  country: z.string().nullable(),
  tags: z.array(z.string()),
  custom: z.record(z.string(), z.unknown()),
  ownerId: z.uuid().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export type ContactView = z.infer<typeof contactSchema>;

export const identitySchema = z.object({ kind: z.string(), value: z.string() });
