/**
 * Meta's own Lead Ads export (Ads Manager / Leads Center "Download leads"): fixed columns for the lead and its ad,
 * then one column per form question (by the question's key), then consent checkboxes. Recognised by its headers and
 * mapped without help; the Meta lead id becomes the lead's external id under source `meta_lead_ads`, so importing the
 * same export twice (or a lead that also arrived by webhook) creates nothing twice.
 */

/** Fixed Meta columns and where they go. Question keys Meta itself defines are here too (full_name, email …). */
export const META_COLUMN_TARGETS: Record<string, string> = {
  id: 'external_id',
  created_time: 'created_at',
  ad_id: 'ad_id',
  ad_name: 'ad_name',
  adset_id: 'adset_id',
  adset_name: 'adset_name',
  campaign_id: 'campaign_id',
  campaign_name: 'campaign_name',
  form_id: 'form_id',
  form_name: 'form_name',
  is_organic: 'ignore',
  platform: 'platform',
  lead_status: 'ignore',
  inbox_url: 'ignore',
  full_name: 'name',
  first_name: 'first_name',
  last_name: 'last_name',
  email: 'email',
  work_email: 'email',
  phone_number: 'phone',
  work_phone_number: 'phone',
  city: 'city',
  country: 'country',
};

const REQUIRED = ['id', 'created_time'];
const AD_COLUMNS = ['ad_id', 'adset_id', 'campaign_id', 'form_id', 'is_organic', 'platform'];

const norm = (h: string) => h.trim().toLowerCase();

/** True for a Meta Lead Ads export: `id` and `created_time` plus at least three of its ad/form columns. */
export function isMetaLeadAdsExport(headers: string[]): boolean {
  const set = new Set(headers.map(norm));
  return REQUIRED.every((h) => set.has(h)) && AD_COLUMNS.filter((h) => set.has(h)).length >= 3;
}

/**
 * The mapping of a Meta export: known columns to their targets, every other column to `answer:<question key>`
 * (a typed form answer), and a second email/phone column (work email next to email) ignored.
 */
export function metaMapping(headers: string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  const used = new Set<string>();
  headers.forEach((header, index) => {
    const key = norm(header);
    let target = META_COLUMN_TARGETS[key];
    if (target === undefined) target = key ? `answer:${header.trim()}` : 'ignore';
    if (target !== 'ignore' && !target.startsWith('answer:')) {
      if (used.has(target)) target = 'ignore';
      else used.add(target);
    }
    mapping[String(index)] = target;
  });
  return mapping;
}

/** Meta prefixes ids in its exports (`l:123`, `ag:…`, `as:…`, `c:…`, `f:…`) and phones (`p:+60…`); strip them. */
export function cleanMetaValue(target: string, value: string): string {
  if (target === 'phone') return value.replace(/^p:/, '');
  if (['external_id', 'ad_id', 'adset_id', 'campaign_id', 'form_id'].includes(target))
    return value.replace(/^[a-z]{1,2}:/, '');
  return value;
}
