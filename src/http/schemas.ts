import { z } from 'zod';
import { ROLES } from '../db/schema';

// Plain words for the commonest problem: a field that was not sent at all.
z.config({
  customError: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : undefined),
});

/** A Date in services, an ISO 8601 string on the wire (and in OpenAPI). */
/** PostgreSQL has no year 0 and JavaScript reaches past year 9999: keep dates where both agree. */
export const inStorableRange = (d: Date) => d.getUTCFullYear() >= 1900 && d.getUTCFullYear() <= 9999;

export const isoDate = z.codec(
  z.iso.datetime({ offset: true }).refine((s) => inStorableRange(new Date(s)), {
    message: 'Use a date between the years 1900 and 9999',
  }),
  z.date(),
  {
    decode: (s) => new Date(s),
    encode: (d) => d.toISOString(),
  },
);

export const uuidParam = (name: string) => z.object({ [name]: z.uuid({ message: `${name} must be a UUID` }) });

export const workspaceParams = z.object({ workspaceId: z.uuid({ message: 'workspaceId must be a UUID' }) });

export const roleSchema = z.enum(ROLES);

export const emailSchema = z.email({ message: 'Enter a valid email address' }).max(254);

export const passwordSchema = z
  .string()
  .min(10, { message: 'Use at least 10 characters' })
  .max(256, { message: 'Use at most 256 characters' });

export const nameSchema = z.string().trim().min(1, { message: 'Required' }).max(120);

export const errorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string().optional(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export const userSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  phone: z.string(),
  emailVerified: z.boolean(),
  mfaEnabled: z.boolean(),
  createdAt: isoDate,
});

export const workspaceSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: roleSchema,
  requireMfa: z.boolean(),
  isDemo: z.boolean(),
  permissions: z.array(z.string()),
});
