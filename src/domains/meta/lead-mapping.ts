import type { LeadAnswer, MetaFieldMapping, MetaFormQuestion, MetaMappingTarget } from '../../db/schema';
import { normaliseIdentity } from '../contacts/identity';
import { coerceFieldValue, type FieldSpec } from '../fields/field-values';

/**
 * How a Meta lead's answers become a contact, a lead and its typed answers. Pure: the form (questions and the admin's
 * mapping) and the workspace's lead fields come in, nothing is read or written here.
 */

/** The fields we ask Meta for, on `GET /{lead-id}` and on `{form}/leads` alike. */
export const LEAD_FIELDS =
  'id,created_time,field_data,ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,form_id,is_organic,platform,custom_disclaimer_responses';

/** A lead as the Graph API answers it (meta-platform.md §2). Ids are strings; anything may be missing. */
export interface GraphLead {
  id: string;
  created_time?: string;
  field_data?: { name: string; values?: unknown[] }[];
  ad_id?: string;
  ad_name?: string;
  adset_id?: string;
  adset_name?: string;
  campaign_id?: string;
  campaign_name?: string;
  form_id?: string;
  is_organic?: boolean | string;
  platform?: string;
  custom_disclaimer_responses?: { checkbox_key: string; is_checked?: string | boolean }[];
}

/** A form as `{page}/leadgen_forms` answers it. */
export interface GraphForm {
  id: string;
  name?: string;
  status?: string;
  locale?: string;
  questions?: { key: string; label?: string; type?: string; id?: string; options?: { key: string; value: string }[] }[];
}

/** Meta's standard question keys (and question types) and where their answers go by default. */
const STANDARD_BY_KEY: Record<string, MetaMappingTarget> = {
  full_name: 'contact.name',
  first_name: 'contact.first_name',
  last_name: 'contact.last_name',
  email: 'contact.email',
  work_email: 'contact.email',
  phone_number: 'contact.phone',
  work_phone_number: 'contact.phone',
  phone: 'contact.phone',
  city: 'contact.city',
  country: 'contact.country',
};
const STANDARD_BY_TYPE: Record<string, MetaMappingTarget> = {
  FULL_NAME: 'contact.name',
  FIRST_NAME: 'contact.first_name',
  LAST_NAME: 'contact.last_name',
  EMAIL: 'contact.email',
  WORK_EMAIL: 'contact.email',
  PHONE: 'contact.phone',
  WORK_PHONE_NUMBER: 'contact.phone',
  CITY: 'contact.city',
  COUNTRY: 'contact.country',
};

/** Targets a person can choose for a question, besides `lead.<fieldKey>` for each lead custom field. */
export const CONTACT_TARGETS: { value: MetaMappingTarget; label: string }[] = [
  { value: 'contact.name', label: 'Contact name' },
  { value: 'contact.first_name', label: 'Contact first name' },
  { value: 'contact.last_name', label: 'Contact last name' },
  { value: 'contact.email', label: 'Contact email' },
  { value: 'contact.phone', label: 'Contact phone' },
  { value: 'contact.city', label: 'Contact city' },
  { value: 'contact.country', label: 'Contact country' },
  { value: 'answer', label: 'Keep as a form answer' },
  { value: 'ignore', label: 'Do not keep' },
];

const SINGLE_TARGETS = new Set<MetaMappingTarget>([
  'contact.name',
  'contact.first_name',
  'contact.last_name',
  'contact.email',
  'contact.phone',
  'contact.city',
  'contact.country',
]);

/** Whether `target` names something a question can go to (lead fields are checked against the workspace's). */
export function isKnownTarget(target: string, leadFieldKeys: Set<string>): boolean {
  if (target.startsWith('lead.')) return leadFieldKeys.has(target.slice('lead.'.length));
  return CONTACT_TARGETS.some((t) => t.value === target);
}

/**
 * The automatic mapping: standard questions to the contact (the first of two emails or phones wins, the other stays
 * an answer), everything else kept as a typed answer.
 */
export function defaultMapping(questions: Pick<MetaFormQuestion, 'key' | 'type'>[]): MetaFieldMapping[] {
  const used = new Set<MetaMappingTarget>();
  return questions.map(({ key, type }) => {
    let target: MetaMappingTarget = STANDARD_BY_KEY[key] ?? STANDARD_BY_TYPE[type?.toUpperCase() ?? ''] ?? 'answer';
    if (SINGLE_TARGETS.has(target)) {
      if (used.has(target)) target = 'answer';
      else used.add(target);
    }
    return { key, target };
  });
}

/** The admin's choices over the default, for every question of the form (keys the admin never set keep the default). */
export function effectiveMapping(questions: MetaFormQuestion[], saved: MetaFieldMapping[]): MetaFieldMapping[] {
  const chosen = new Map(saved.map((m) => [m.key, m.target]));
  const base = defaultMapping(questions);
  const out = base.map((m) => ({ key: m.key, target: chosen.get(m.key) ?? m.target }));
  // Keys the admin mapped that the form no longer lists (a question Meta still sends): keep them.
  for (const m of saved) if (!base.some((b) => b.key === m.key)) out.push(m);
  return out;
}

export interface MappedLead {
  contact: { name?: string; email?: string; phone?: string; city?: string; country?: string };
  custom: Record<string, unknown>;
  answers: LeadAnswer[];
  /** The form's consent checkboxes and whether the person ticked each. */
  consents: { key: string; checked: boolean }[];
  attribution: {
    formId: string | null;
    adId: string | null;
    adName: string | null;
    adsetId: string | null;
    adsetName: string | null;
    campaignId: string | null;
    campaignName: string | null;
    platform: 'fb' | 'ig';
  };
  createdTime: Date | null;
}

const MAX_ANSWERS = 200;
const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
const strings = (values: unknown[] | undefined) =>
  (values ?? []).map((v) => clip(typeof v === 'string' ? v : v == null ? '' : String(v), 5000));
const id = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null);
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? clip(v.trim(), 500) : null);

/** Meta writes `"1"`/`""`; booleans are accepted too. */
const isChecked = (v: unknown) => v === true || v === '1' || v === 'true' || v === 1;

/** `created_time` as Meta writes it (`2026-03-10T14:05:09+0000`), or null. */
export function parseMetaTime(value: unknown): Date | null {
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value !== 'string') return null;
  const iso = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Maps one Meta lead with its form's mapping. A value that does not fit where it is mapped (an invalid email, a lead
 * field refusing the value) is kept as an answer rather than failing the lead: a lead is never lost to a mapping.
 * Choice answers are shown by the option's display text, in the form's language.
 */
export function mapLead(
  lead: GraphLead,
  form: { questions: MetaFormQuestion[]; mapping: MetaFieldMapping[] } | null,
  leadFields: FieldSpec[],
  defaultCountry = 'MY',
): MappedLead {
  const questions = form?.questions ?? [];
  const byKey = new Map(questions.map((q) => [q.key, q]));
  const fieldData = (lead.field_data ?? []).filter((f) => f && typeof f.name === 'string' && f.name);
  const unknown = fieldData.filter((f) => !byKey.has(f.name)).map((f) => ({ key: f.name, label: f.name, type: '' }));
  const mapping = new Map(
    effectiveMapping([...questions, ...unknown], form?.mapping ?? []).map((m) => [m.key, m.target]),
  );
  const specs = new Map(leadFields.map((f) => [f.key, f]));

  const contact: MappedLead['contact'] = {};
  let firstName: string | undefined;
  let lastName: string | undefined;
  const custom: Record<string, unknown> = {};
  const answers: LeadAnswer[] = [];

  for (const field of fieldData) {
    const question = byKey.get(field.name);
    const raw = strings(field.values);
    const display = raw.map((v) => question?.options?.find((o) => o.key === v)?.value ?? v);
    const value: string | string[] = display.length === 1 ? display[0]! : display;
    const single = display.join(', ').trim();
    const asAnswer = () =>
      answers.push({ key: clip(field.name, 200), question: clip(question?.label ?? field.name, 1000), value });
    const target = mapping.get(field.name) ?? 'answer';
    if (target === 'ignore') continue;
    if (target === 'answer' || !single) {
      if (target === 'answer' && display.length) asAnswer();
      continue;
    }
    switch (target) {
      case 'contact.name':
        if (contact.name) asAnswer();
        else contact.name = clip(single, 200);
        break;
      case 'contact.first_name':
        firstName = single;
        break;
      case 'contact.last_name':
        lastName = single;
        break;
      case 'contact.email':
        if (!contact.email && normaliseIdentity('email', single, defaultCountry)) contact.email = clip(single, 254);
        else asAnswer();
        break;
      case 'contact.phone':
        if (!contact.phone && single.length <= 40) contact.phone = single;
        else asAnswer();
        break;
      case 'contact.city':
        contact.city = clip(single, 120);
        break;
      case 'contact.country':
        contact.country = clip(single, 120);
        break;
      default: {
        const spec = specs.get(target.slice('lead.'.length));
        // Choice fields match the option's display text or, failing that, Meta's option key.
        const input = spec?.type === 'multi_select' ? display : single;
        let result = spec ? coerceFieldValue({ ...spec, required: false }, input, defaultCountry) : null;
        if (spec && !result?.ok && spec.type !== 'multi_select' && raw.length === 1) {
          result = coerceFieldValue({ ...spec, required: false }, raw[0], defaultCountry);
        }
        if (spec && result?.ok && result.value !== null) custom[spec.key] = result.value;
        else asAnswer();
      }
    }
  }
  if (!contact.name && (firstName || lastName)) {
    contact.name = clip([firstName, lastName].filter(Boolean).join(' '), 200);
  } else if (contact.name) {
    // A form with both a full name and its parts: the parts are kept as answers.
    for (const [key, v] of [
      ['first_name', firstName],
      ['last_name', lastName],
    ] as const) {
      if (v) answers.push({ key, question: byKey.get(key)?.label ?? key, value: v });
    }
  }

  const consents = (lead.custom_disclaimer_responses ?? [])
    .filter((d) => d && typeof d.checkbox_key === 'string' && d.checkbox_key)
    .map((d) => ({ key: clip(d.checkbox_key, 200), checked: isChecked(d.is_checked) }));
  for (const c of consents) {
    answers.push({ key: `disclaimer:${c.key}`.slice(0, 200), question: c.key, value: c.checked ? 'Yes' : 'No' });
  }

  const organic = lead.is_organic === true || lead.is_organic === 'true' || !id(lead.ad_id);
  return {
    contact,
    custom,
    answers: answers.slice(0, MAX_ANSWERS),
    consents,
    attribution: {
      formId: id(lead.form_id),
      adId: organic ? null : id(lead.ad_id),
      adName: organic ? null : text(lead.ad_name),
      adsetId: organic ? null : id(lead.adset_id),
      adsetName: organic ? null : text(lead.adset_name),
      campaignId: organic ? null : id(lead.campaign_id),
      campaignName: organic ? null : text(lead.campaign_name),
      platform: lead.platform === 'ig' ? 'ig' : 'fb',
    },
    createdTime: parseMetaTime(lead.created_time),
  };
}

/** A form row's questions from Meta's form object (labels default to the key; option lists kept for display). */
export function questionsOf(form: GraphForm): MetaFormQuestion[] {
  return (form.questions ?? [])
    .filter((q) => q && typeof q.key === 'string' && q.key)
    .map((q) => ({
      key: q.key,
      label: typeof q.label === 'string' && q.label ? q.label : q.key,
      type: typeof q.type === 'string' ? q.type : 'CUSTOM',
      ...(Array.isArray(q.options) && q.options.length
        ? {
            options: q.options
              .filter((o) => o && typeof o.key === 'string')
              .map((o) => ({ key: o.key, value: String(o.value ?? o.key) })),
          }
        : {}),
    }));
}
