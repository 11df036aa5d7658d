import type { FieldDefinition } from '../../fields/api/fields-api';
import type { FilterOp, Lead } from '../api/leads-api';

/** How a field is filtered, shown and sorted in the leads table. */
export type FieldKind =
  | 'text'
  | 'number'
  | 'date'
  | 'stage'
  | 'pipeline'
  | 'owner'
  | 'tags'
  | 'select'
  | 'multi'
  | 'checkbox';

export interface LeadFieldMeta {
  /** Query field name: a built-in (`stage_id`) or `custom.<key>`. Also the column id. */
  key: string;
  label: string;
  kind: FieldKind;
  width: number;
  sortable: boolean;
  custom?: FieldDefinition;
}

export const BUILT_IN_FIELDS: LeadFieldMeta[] = [
  { key: 'name', label: 'Name', kind: 'text', width: 240, sortable: true },
  { key: 'email', label: 'Email', kind: 'text', width: 220, sortable: true },
  { key: 'phone', label: 'Phone', kind: 'text', width: 160, sortable: true },
  { key: 'stage_id', label: 'Stage', kind: 'stage', width: 170, sortable: true },
  { key: 'owner_id', label: 'Owner', kind: 'owner', width: 170, sortable: true },
  { key: 'value', label: 'Value', kind: 'number', width: 130, sortable: true },
  { key: 'source', label: 'Source', kind: 'text', width: 130, sortable: true },
  { key: 'tags', label: 'Tags', kind: 'tags', width: 200, sortable: false },
  { key: 'created_at', label: 'Created', kind: 'date', width: 140, sortable: true },
  { key: 'updated_at', label: 'Updated', kind: 'date', width: 140, sortable: true },
  { key: 'stage_changed_at', label: 'Stage changed', kind: 'date', width: 140, sortable: true },
  { key: 'pipeline_id', label: 'Pipeline', kind: 'pipeline', width: 150, sortable: true },
  { key: 'platform', label: 'Platform', kind: 'text', width: 120, sortable: true },
  { key: 'form_name', label: 'Form', kind: 'text', width: 180, sortable: true },
  { key: 'campaign_name', label: 'Campaign', kind: 'text', width: 180, sortable: true },
  { key: 'adset_name', label: 'Ad set', kind: 'text', width: 180, sortable: true },
  { key: 'ad_name', label: 'Ad', kind: 'text', width: 180, sortable: true },
  { key: 'external_id', label: 'External ID', kind: 'text', width: 160, sortable: true },
  { key: 'currency', label: 'Currency', kind: 'text', width: 100, sortable: true },
];

export const DEFAULT_COLUMNS = ['name', 'email', 'phone', 'stage_id', 'owner_id', 'value', 'source', 'created_at'];

function customKind(field: FieldDefinition): FieldKind {
  switch (field.type) {
    case 'number':
    case 'currency':
      return 'number';
    case 'date':
    case 'datetime':
      return 'date';
    case 'single_select':
      return 'select';
    case 'multi_select':
      return 'multi';
    case 'checkbox':
      return 'checkbox';
    default:
      return 'text';
  }
}

/** Built-in fields followed by the workspace's custom lead fields. */
export function leadFields(custom: FieldDefinition[] | undefined): LeadFieldMeta[] {
  return [
    ...BUILT_IN_FIELDS,
    ...(custom ?? []).map((field) => ({
      key: `custom.${field.key}`,
      label: field.label,
      kind: customKind(field),
      width: field.type === 'long_text' ? 240 : 170,
      sortable: field.type !== 'multi_select',
      custom: field,
    })),
  ];
}

export const OP_LABELS: Record<FilterOp, string> = {
  eq: 'is',
  neq: 'is not',
  in: 'is any of',
  nin: 'is none of',
  contains: 'contains',
  not_contains: 'does not contain',
  gt: 'greater than',
  gte: 'at least',
  lt: 'less than',
  lte: 'at most',
  between: 'between',
  is_empty: 'is empty',
  is_not_empty: 'is not empty',
};

const DATE_OP_LABELS: Partial<Record<FilterOp, string>> = { gt: 'after', lt: 'before', between: 'between' };
const TAG_OP_LABELS: Partial<Record<FilterOp, string>> = {
  in: 'has any of',
  contains: 'has all of',
  nin: 'has none of',
};

export function opsFor(kind: FieldKind): FilterOp[] {
  switch (kind) {
    case 'text':
      return ['contains', 'not_contains', 'eq', 'neq', 'is_empty', 'is_not_empty'];
    case 'number':
      return ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'is_empty', 'is_not_empty'];
    case 'date':
      return ['between', 'gt', 'lt', 'is_empty', 'is_not_empty'];
    case 'stage':
    case 'pipeline':
      return ['in', 'nin'];
    case 'owner':
    case 'select':
      return ['in', 'nin', 'is_empty', 'is_not_empty'];
    case 'tags':
    case 'multi':
      return ['in', 'contains', 'nin', 'is_empty', 'is_not_empty'];
    case 'checkbox':
      return ['eq'];
  }
}

export function opLabel(kind: FieldKind, op: FilterOp): string {
  if (kind === 'date') return DATE_OP_LABELS[op] ?? OP_LABELS[op];
  if (kind === 'tags' || kind === 'multi') return TAG_OP_LABELS[op] ?? OP_LABELS[op];
  return OP_LABELS[op];
}

export const opNeedsValue = (op: FilterOp) => op !== 'is_empty' && op !== 'is_not_empty';

/** Reads the value a column shows for a lead (built-in or `custom.<key>`). */
export function leadFieldValue(lead: Lead, key: string): unknown {
  if (key.startsWith('custom.')) return lead.custom?.[key.slice('custom.'.length)];
  const map: Record<string, unknown> = {
    name: lead.name,
    email: lead.email,
    phone: lead.phone,
    stage_id: lead.stageId,
    owner_id: lead.ownerId,
    value: lead.value,
    source: lead.source,
    tags: lead.tags,
    created_at: lead.createdAt,
    updated_at: lead.updatedAt,
    stage_changed_at: lead.stageChangedAt,
    pipeline_id: lead.pipelineId,
    platform: lead.platform,
    form_name: lead.formName,
    campaign_name: lead.campaignName,
    adset_name: lead.adsetName,
    ad_name: lead.adName,
    external_id: lead.externalId,
    currency: lead.currency,
  };
  return map[key];
}

export const SOURCE_LABELS: Record<string, string> = {
  manual: 'Manual',
  import: 'Import',
  api: 'API',
  meta_lead_ads: 'Meta Lead Ads',
  messenger: 'Messenger',
  instagram: 'Instagram',
  whatsapp: 'WhatsApp',
  email: 'Email',
  web_form: 'Web form',
};

export const sourceLabel = (source: string | null | undefined): string =>
  source ? (SOURCE_LABELS[source] ?? source) : '—';

const PLATFORM_LABELS: Record<string, string> = {
  fb: 'Facebook',
  facebook: 'Facebook',
  ig: 'Instagram',
  instagram: 'Instagram',
  msg: 'Messenger',
  messenger: 'Messenger',
  an: 'Audience Network',
  whatsapp: 'WhatsApp',
};

/** Meta's placement codes (`fb`, `ig`) in words; anything else as stored. */
export const platformLabel = (platform: string | null | undefined): string | null =>
  platform ? (PLATFORM_LABELS[platform.toLowerCase()] ?? platform) : null;

/** A Lead Ads lead without an ad came from an organic form (Page post, test lead): there is no campaign to show. */
export const isOrganicMetaLead = (lead: Pick<Lead, 'source' | 'adId' | 'adName'>): boolean =>
  lead.source === 'meta_lead_ads' && !lead.adId && !lead.adName;
