import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';
import type { LeadAnswer, LeadSource } from '../../db/schema';
import { LEAD_SOURCES } from '../../db/schema';
import { type Identity, normaliseContactPoint } from '../contacts/identity';
import { coerceFieldValue, type FieldSpec } from '../fields/field-values';
import { cleanMetaValue, isMetaLeadAdsExport, metaMapping } from './meta-format';

/**
 * Column mapping: which lead attribute each CSV column fills, how a mapping is suggested for a new file, and how one
 * CSV row becomes a validated lead (or a reason it cannot be imported). Pure: everything it needs from the
 * workspace (fields, stages, members) comes in an `ImportContext`.
 */

export const IMPORT_TARGETS = [
  'name',
  'first_name',
  'last_name',
  'email',
  'phone',
  'city',
  'country',
  'source',
  'external_id',
  'stage',
  'owner_email',
  'value',
  'currency',
  'tags',
  'created_at',
  'form_id',
  'form_name',
  'campaign_id',
  'campaign_name',
  'adset_id',
  'adset_name',
  'ad_id',
  'ad_name',
  'platform',
  'ignore',
] as const;

export const UPSERT_KEYS = ['email', 'phone', 'external_id', 'none'] as const;
export type UpsertKey = (typeof UPSERT_KEYS)[number];

export const MAX_COLUMNS = 200;

/** `{[columnIndex]: target}` as the API takes and answers it. */
export const mappingSchema = z
  .record(
    z.string().regex(/^\d{1,3}$/, { message: 'Mapping keys are column numbers (0 = first column)' }),
    z.string().min(1).max(300),
  )
  .refine((m) => Object.keys(m).length <= MAX_COLUMNS, { message: `At most ${MAX_COLUMNS} columns` });
export type ColumnMapping = z.infer<typeof mappingSchema>;

const normHeader = (h: string) =>
  h
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/** Header spellings seen in CRM, spreadsheet and form exports (English and Malay), normalised to [a-z0-9]. */
const SYNONYMS: Record<string, string[]> = {
  name: ['name', 'fullname', 'nama', 'namapenuh', 'contactname', 'customername', 'leadname', 'clientname', 'yourname'],
  first_name: ['firstname', 'givenname', 'fname', 'forename', 'namapertama'],
  last_name: ['lastname', 'surname', 'familyname', 'lname', 'namaakhir'],
  email: ['email', 'emailaddress', 'mail', 'emel', 'alamatemel', 'emailid', 'youremail'],
  phone: [
    'phone',
    'phonenumber',
    'phoneno',
    'mobile',
    'mobilenumber',
    'mobileno',
    'mobilephone',
    'whatsapp',
    'whatsappnumber',
    'whatsappno',
    'tel',
    'telephone',
    'telefon',
    'notelefon',
    'notel',
    'handphone',
    'nohp',
    'hp',
    'cell',
    'cellphone',
    'contactnumber',
    'contactno',
  ],
  city: ['city', 'town', 'bandar'],
  country: ['country', 'negara'],
  source: ['source', 'leadsource'],
  external_id: ['externalid', 'leadid', 'id', 'recordid', 'crmid'],
  stage: ['stage', 'status', 'leadstatus', 'pipelinestage', 'dealstage'],
  owner_email: ['owner', 'owneremail', 'assignedto', 'assignee', 'assigneeemail', 'salesrep', 'agentemail'],
  value: ['value', 'dealvalue', 'amount', 'dealamount', 'leadvalue'],
  currency: ['currency'],
  tags: ['tags', 'tag', 'labels', 'label'],
  created_at: ['createdat', 'created', 'createdtime', 'createddate', 'datecreated', 'date', 'submittedat', 'timestamp'],
  form_id: ['formid'],
  form_name: ['formname', 'form'],
  campaign_id: ['campaignid'],
  campaign_name: ['campaignname', 'campaign'],
  adset_id: ['adsetid'],
  adset_name: ['adsetname', 'adset'],
  ad_id: ['adid'],
  ad_name: ['adname', 'ad'],
  platform: ['platform'],
};
const SYNONYM_INDEX = new Map<string, string>();
for (const [target, names] of Object.entries(SYNONYMS)) for (const n of names) SYNONYM_INDEX.set(n, target);

/** Targets that may be given by one column only (tags, answers and ignore may repeat). */
const single = (target: string) => target !== 'ignore' && target !== 'tags' && !target.startsWith('answer:');

export type DetectedFormat = 'generic' | 'meta_lead_ads';

/**
 * The mapping proposed for a new file: Meta's export is mapped by its known columns; other files take, per column,
 * the target remembered for that header name from the last import, else a custom field whose key or label matches,
 * else a known synonym, else `ignore`. The remembered choice wins over synonyms because it is what the person chose.
 */
export function suggestMapping(
  headers: string[],
  options: { remembered?: Record<string, string> | null; customFields?: FieldSpec[] } = {},
): { format: DetectedFormat; mapping: ColumnMapping } {
  if (isMetaLeadAdsExport(headers)) return { format: 'meta_lead_ads', mapping: metaMapping(headers) };
  const customKeys = new Set((options.customFields ?? []).map((f) => f.key));
  const customByName = new Map<string, string>();
  for (const f of options.customFields ?? []) {
    customByName.set(normHeader(f.key), f.key);
    customByName.set(normHeader(f.label), f.key);
  }
  const mapping: ColumnMapping = {};
  const used = new Set<string>();
  headers.forEach((header, index) => {
    const remembered = options.remembered?.[header.trim()];
    const n = normHeader(header);
    let target: string | undefined;
    if (remembered && targetProblem(remembered, customKeys) === null) target = remembered;
    if (!target && customByName.has(n)) target = `custom.${customByName.get(n)}`;
    if (!target) target = SYNONYM_INDEX.get(n);
    if (!target || (single(target) && used.has(target))) target = 'ignore';
    used.add(target);
    mapping[String(index)] = target;
  });
  return { format: 'generic', mapping };
}

/** Why a target is not valid here, or null. */
export function targetProblem(target: string, customKeys: Set<string>): string | null {
  if ((IMPORT_TARGETS as readonly string[]).includes(target)) return null;
  if (target.startsWith('custom.')) {
    return customKeys.has(target.slice(7)) ? null : `There is no lead field "${target.slice(7)}".`;
  }
  if (target.startsWith('answer:'))
    return target.length > 7 && target.length <= 300 ? null : 'An answer needs a question.';
  return `Unknown target "${target}".`;
}

/** Every problem of a mapping for a file with `columnCount` columns (empty when it is usable). */
export function mappingProblems(
  mapping: ColumnMapping,
  columnCount: number,
  customKeys: Set<string>,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const seen = new Map<string, string>();
  for (const [index, target] of Object.entries(mapping)) {
    const path = `mapping.${index}`;
    if (Number(index) >= columnCount) problems.push({ path, message: `The file has no column ${index}.` });
    const problem = targetProblem(target, customKeys);
    if (problem) problems.push({ path, message: problem });
    if (single(target)) {
      if (seen.has(target))
        problems.push({ path, message: `"${target}" is already mapped from column ${seen.get(target)}.` });
      seen.set(target, index);
    }
  }
  return problems;
}

export interface ImportDefaults {
  pipelineId: string;
  stageId: string;
  ownerId: string | null;
  tags: string[];
}

/** What the preparation of rows needs to know about the workspace, read once per import. */
export interface ImportContext {
  defaultCountry: string;
  format: DetectedFormat;
  /** `meta_lead_ads` for Meta's export, otherwise `import`; a mapped `source` column may override it per row. */
  source: LeadSource;
  upsertKey: UpsertKey;
  columns: { index: number; target: string; header: string }[];
  fields: Map<string, FieldSpec>;
  /** Stages of the import's pipeline by lower-cased name and by id. */
  stages: Map<string, { id: string; pipelineId: string }>;
  /** Members by lower-cased email. */
  members: Map<string, string>;
  defaults: ImportDefaults;
}

/** A row that can be imported, its values normalised and validated. */
export interface PreparedLead {
  row: number;
  name: string;
  email: string | null;
  phone: string | null;
  phoneInvalid: boolean;
  identities: Identity[];
  city: string | null;
  country: string | null;
  source: LeadSource;
  externalId: string | null;
  /** Set only when the row names a stage (otherwise new leads take the defaults and updates keep theirs). */
  stage: { id: string; pipelineId: string } | null;
  /** undefined = the row says nothing about the owner. */
  ownerId: string | undefined;
  value: number | null;
  currency: string | null;
  tags: string[];
  createdAt: Date | null;
  attribution: Partial<Record<(typeof ATTRIBUTION)[number], string>>;
  custom: Record<string, unknown>;
  answers: LeadAnswer[];
}

export const ATTRIBUTION = [
  'form_id',
  'form_name',
  'campaign_id',
  'campaign_name',
  'adset_id',
  'adset_name',
  'ad_id',
  'ad_name',
  'platform',
] as const;

export type PreparedRow = { ok: true; lead: PreparedLead } | { ok: false; row: number; reason: string; raw: string[] };

const TEXT_LIMIT = 1000;
const splitTags = (s: string) =>
  s
    .split(/[;,|]/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => t.slice(0, 100));

const answerKey = (question: string) =>
  question
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}?]+/gu, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 100) || 'answer';

/** Turns one CSV record into a lead to import, or says in plain words why it cannot be imported. */
export function prepareRow(ctx: ImportContext, row: number, cells: string[]): PreparedRow {
  const reject = (reason: string): PreparedRow => ({ ok: false, row, reason, raw: cells });
  const v: Record<string, string> = {};
  const custom: Record<string, unknown> = {};
  const answers: LeadAnswer[] = [];
  const tags = new Set(ctx.defaults.tags);
  for (const { index, target, header } of ctx.columns) {
    let value = (cells[index] ?? '').trim();
    if (ctx.format === 'meta_lead_ads') value = cleanMetaValue(target, value);
    if (target === 'tags') {
      for (const t of splitTags(value)) tags.add(t);
    } else if (target.startsWith('answer:')) {
      if (value)
        answers.push({ key: answerKey(target.slice(7)), question: target.slice(7), value: value.slice(0, 20_000) });
    } else if (target.startsWith('custom.')) {
      const field = ctx.fields.get(target.slice(7));
      if (!field || !value) continue;
      const coerced = coerceFieldValue(field, value, ctx.defaultCountry);
      if (!coerced.ok) return reject(coerced.message);
      custom[field.key] = coerced.value;
    } else if (value) {
      if (value.length > TEXT_LIMIT && target !== 'tags')
        return reject(`${header || target}: longer than ${TEXT_LIMIT} characters`);
      v[target] = value;
    }
  }

  const name = (v.name ?? [v.first_name, v.last_name].filter(Boolean).join(' ')).replace(/\s+/g, ' ').trim();
  const country = v.country ? v.country.slice(0, 100) : null;
  const phoneCountry =
    country && /^[a-z]{2}$/i.test(country) && isSupportedCountry(country.toUpperCase())
      ? country.toUpperCase()
      : ctx.defaultCountry;
  const point = normaliseContactPoint({ email: v.email, phone: v.phone }, phoneCountry);
  if (point.emailInvalid) return reject(`"${v.email}" is not a valid email address`);
  if (!name && !point.email && !point.phone) return reject('The row has no name, email or phone');

  let source = ctx.source;
  if (v.source) {
    const s = v.source.toLowerCase();
    if ((LEAD_SOURCES as readonly string[]).includes(s)) source = s as LeadSource;
    else answers.push({ key: 'source', question: 'Source', value: v.source });
  }

  let stage: PreparedLead['stage'] = null;
  if (v.stage) {
    stage = ctx.stages.get(v.stage.toLowerCase()) ?? null;
    if (!stage) return reject(`There is no stage "${v.stage}" in the import's pipeline`);
  }

  let ownerId: string | undefined;
  if (v.owner_email) {
    const id = ctx.members.get(v.owner_email.toLowerCase());
    if (!id) return reject(`${v.owner_email} is not a member of this workspace`);
    ownerId = id;
  }

  let value: number | null = null;
  if (v.value) {
    const n = Number(v.value.replace(/[\s,]/g, '').replace(/^[A-Za-z]{1,3}\$?|^[^\d+\-.]+/, ''));
    if (!Number.isFinite(n) || Math.abs(n) >= 1e12) return reject(`Value "${v.value}" is not a number`);
    value = Math.round(n * 100) / 100;
  }
  let currency: string | null = null;
  if (v.currency) {
    if (!/^[A-Za-z]{3}$/.test(v.currency)) return reject(`Currency "${v.currency}" is not a 3-letter code such as MYR`);
    currency = v.currency.toUpperCase();
  }

  let createdAt: Date | null = null;
  if (v.created_at) {
    createdAt = new Date(v.created_at);
    if (Number.isNaN(createdAt.getTime()) || createdAt.getFullYear() < 1970 || createdAt.getFullYear() > 9999) {
      return reject(`"${v.created_at}" is not a date`);
    }
  }

  const attribution: PreparedLead['attribution'] = {};
  for (const key of ATTRIBUTION) if (v[key]) attribution[key] = v[key];

  return {
    ok: true,
    lead: {
      row,
      name: name.slice(0, TEXT_LIMIT),
      email: point.email,
      phone: point.phone,
      phoneInvalid: point.phoneInvalid,
      identities: point.identities,
      city: v.city ?? null,
      country,
      source,
      externalId: v.external_id ?? null,
      stage,
      ownerId,
      value,
      currency,
      tags: [...tags],
      createdAt,
      attribution,
      custom,
      answers,
    },
  };
}
