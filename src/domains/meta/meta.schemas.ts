import { z } from 'zod';
import { META_CAPTURE_STATUSES, META_CONNECTION_STATUSES } from '../../db/schema';
import { isoDate, workspaceParams } from '../../http/schemas';
import { META_FEATURES } from './scopes';

const metaId = (name: string) => z.string().regex(/^\d{1,40}$/, { message: `${name} must be a Meta id (digits)` });

export const pageParams = workspaceParams.extend({ pageRowId: z.uuid({ message: 'pageRowId must be a UUID' }) });
export const formParams = workspaceParams.extend({ formRowId: z.uuid({ message: 'formRowId must be a UUID' }) });
export const captureParams = workspaceParams.extend({ leadgenId: metaId('leadgenId') });

/** `deleteData=true` confirms that disconnecting deletes the data (P12). */
export const deleteDataQuery = z.object({
  deleteData: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});

export const connectionSchema = z.object({
  id: z.uuid(),
  status: z.enum(META_CONNECTION_STATUSES),
  statusReason: z.string().nullable(),
  fbUserName: z.string(),
  grantedScopes: z.array(z.string()),
  missingScopes: z.array(z.string()),
  extraScopes: z.array(z.string()),
  tokenExpiresAt: isoDate.nullable(),
  connectedAt: isoDate,
});

export const pageHealthSchema = z.object({
  id: z.uuid(),
  pageId: z.string(),
  name: z.string(),
  instagramAccountId: z.string().nullable(),
  subscribed: z.boolean(),
  lastError: z.string().nullable(),
  lastLeadAt: isoDate.nullable(),
  lastSyncedAt: isoDate.nullable(),
  leadsToday: z.number().int(),
  failedCount: z.number().int(),
  pendingCount: z.number().int(),
  forms: z.array(
    z.object({
      id: z.uuid(),
      formId: z.string(),
      name: z.string(),
      status: z.string(),
      lastLeadAt: isoDate.nullable(),
      leadsToday: z.number().int(),
      lastSyncedAt: isoDate.nullable(),
    }),
  ),
});

export const healthSchema = z.object({
  enabled: z.boolean(),
  connection: connectionSchema.nullable(),
  pages: z.array(pageHealthSchema),
});

export const oauthStartBody = z.object({ features: z.array(z.enum(META_FEATURES)).max(10).optional() });

export const oauthCallbackQuery = z.object({
  code: z.string().max(2000).optional(),
  state: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
  error_reason: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});

export const connectPagesBody = z.object({ pageIds: z.array(metaId('pageIds')).min(1).max(50) });

export const syncBody = z.object({ pageRowId: z.uuid({ message: 'pageRowId must be a UUID' }).optional() });

export const testLeadBody = z.object({ formId: metaId('formId').optional() });

const mappingEntry = z.object({
  key: z.string().min(1).max(200),
  target: z.string().min(1).max(100),
});

export const mappingBody = z.object({ mapping: z.array(mappingEntry).max(200) });

export const formSchema = z.object({
  id: z.uuid(),
  formId: z.string(),
  name: z.string(),
  status: z.string(),
  questions: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      type: z.string(),
      options: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
    }),
  ),
  mapping: z.array(mappingEntry),
  defaultMapping: z.array(mappingEntry),
  targets: z.array(z.object({ value: z.string(), label: z.string() })),
});

export const capturesQuery = z.object({
  status: z.enum(META_CAPTURE_STATUSES).optional(),
  pageRowId: z.uuid({ message: 'pageRowId must be a UUID' }).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const captureSchema = z.object({
  leadgenId: z.string(),
  pageRowId: z.uuid(),
  formId: z.string().nullable(),
  status: z.enum(META_CAPTURE_STATUSES),
  via: z.string(),
  attempts: z.number().int(),
  errorKind: z.string().nullable(),
  lastError: z.string().nullable(),
  leadId: z.uuid().nullable(),
  receivedAt: isoDate,
  capturedAt: isoDate.nullable(),
});

export const deletedSchema = z.object({
  deleted: z.object({ leads: z.number().int(), contacts: z.number().int() }),
});
