/** The Meta features a workspace can turn on, and the Login scopes each needs (P4: ask for no more than that). */
export const META_FEATURES = ['lead_ads', 'ad_attribution'] as const;
export type MetaFeature = (typeof META_FEATURES)[number];

export const FEATURE_SCOPES: Record<MetaFeature, readonly string[]> = {
  lead_ads: [
    'pages_show_list',
    'pages_read_engagement',
    'pages_manage_metadata',
    'pages_manage_ads',
    'leads_retrieval',
  ],
  ad_attribution: ['ads_read'],
};

/** Lead capture cannot work without these. */
export const REQUIRED_SCOPES = FEATURE_SCOPES.lead_ads;

/** Granted to every app without asking: never reported as extra. */
const AUTOMATIC_SCOPES = new Set(['public_profile', 'email']);

/** `lead_ads` always, plus the features asked for, as one de-duplicated list. */
export function scopesFor(features: readonly MetaFeature[] = []): string[] {
  const all = new Set<string>(FEATURE_SCOPES.lead_ads);
  for (const f of features) for (const s of FEATURE_SCOPES[f]) all.add(s);
  return [...all];
}

/** What was asked for and not granted, and what was granted without being asked for. */
export function compareScopes(requested: readonly string[], granted: readonly string[]) {
  const g = new Set(granted);
  const r = new Set(requested);
  return {
    missing: requested.filter((s) => !g.has(s)),
    extra: granted.filter((s) => !r.has(s) && !AUTOMATIC_SCOPES.has(s)),
    missingRequired: REQUIRED_SCOPES.filter((s) => !g.has(s)),
  };
}
