/** What routing rules can look at. */
export interface RoutableLead {
  source: string;
  formId?: string | null;
  formName?: string | null;
  campaignName?: string | null;
  platform?: string | null;
  country?: string | null;
  custom?: Record<string, unknown>;
}

export const CONDITION_FIELDS = ['source', 'form_id', 'form_name', 'campaign_name', 'platform', 'country'] as const;
export const CONDITION_OPS = ['eq', 'neq', 'in', 'contains'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export interface RoutingCondition {
  /** One of `CONDITION_FIELDS`, or `custom.<key>`. */
  field: string;
  op: ConditionOp | string;
  value?: unknown;
}

function valuesOf(lead: RoutableLead, field: string): string[] {
  let raw: unknown;
  switch (field) {
    case 'source':
      raw = lead.source;
      break;
    case 'form_id':
      raw = lead.formId;
      break;
    case 'form_name':
      raw = lead.formName;
      break;
    case 'campaign_name':
      raw = lead.campaignName;
      break;
    case 'platform':
      raw = lead.platform;
      break;
    case 'country':
      raw = lead.country;
      break;
    default:
      raw = field.startsWith('custom.') ? lead.custom?.[field.slice('custom.'.length)] : undefined;
  }
  const list = Array.isArray(raw) ? raw : [raw];
  return list.filter((v) => v !== null && v !== undefined && v !== '').map((v) => String(v).trim().toLowerCase());
}

const norm = (v: unknown) =>
  String(v ?? '')
    .trim()
    .toLowerCase();

/**
 * Whether one condition holds for a lead. Text compares case-insensitively and trimmed; a multi-value custom field
 * (multi select) holds when any of its values does (`neq`: when none equals). A missing value equals nothing, so
 * `neq` holds and the others do not.
 */
export function conditionHolds(condition: RoutingCondition, lead: RoutableLead): boolean {
  const actual = valuesOf(lead, condition.field);
  switch (condition.op) {
    case 'eq':
      return actual.includes(norm(condition.value));
    case 'neq':
      return !actual.includes(norm(condition.value));
    case 'in': {
      const wanted = (Array.isArray(condition.value) ? condition.value : [condition.value]).map(norm);
      return actual.some((a) => wanted.includes(a));
    }
    case 'contains': {
      const needle = norm(condition.value);
      return needle !== '' && actual.some((a) => a.includes(needle));
    }
    default:
      return false;
  }
}

/** All conditions must hold; no conditions match every lead. */
export function ruleMatches(conditions: RoutingCondition[], lead: RoutableLead): boolean {
  return conditions.every((c) => conditionHolds(c, lead));
}

/**
 * Round robin: the next eligible user after `lastUserId` in the rule's order, wrapping around; from the start when
 * the last pick is gone from the list. Null when nobody is eligible.
 */
export function nextInRotation(
  userIds: string[],
  lastUserId: string | null,
  eligible: (userId: string) => boolean,
): string | null {
  const start = lastUserId ? userIds.indexOf(lastUserId) + 1 : 0;
  for (let i = 0; i < userIds.length; i++) {
    const candidate = userIds[(start + i) % userIds.length]!;
    if (eligible(candidate)) return candidate;
  }
  return null;
}
