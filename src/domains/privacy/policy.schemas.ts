import { z } from 'zod';
import { isoDate } from '../../http/schemas';

/** A policy version on the wire: the "Last Updated" day, ISO. */
export const policyVersionSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'A policy version is a date like 2025-01-01' });

/** `privacyPolicy` in `GET /auth/session`: the current version and whether this person must acknowledge it. */
export const policyStatusSchema = z.object({
  version: policyVersionSchema,
  lastUpdated: z.string(),
  acknowledgementRequired: z.boolean(),
  acknowledgedVersion: policyVersionSchema.nullable(),
  acknowledgedAt: isoDate.nullable(),
});

export const acknowledgePolicyBody = z.object({ version: policyVersionSchema });
