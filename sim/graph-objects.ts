import type { GraphRequest, Principal, SimRuntime } from './context';
import { errors, GraphError } from './errors';
import { checkFields, isoTime, paginate, parseFields } from './graph-format';
import { handleAccessToken, handleDebugToken } from './oauth-routes';
import type { SimAd, SimForm, SimLead, SimNode, SimPage, SimUser } from './state';

/**
 * The Graph nodes and edges the simulator serves (docs/meta-capture.md, "Graph routes"), with Meta's access rules:
 * who may read an object (else 100/33), which scope a call needs (else 200) and which calls want a Page token (210).
 */

type Authed = Exclude<Principal, { kind: 'APP' }>;

const LEAD_FIELDS = [
  'id',
  'created_time',
  'ad_id',
  'ad_name',
  'adset_id',
  'adset_name',
  'campaign_id',
  'campaign_name',
  'form_id',
  'is_organic',
  'platform',
  'field_data',
  'custom_disclaimer_responses',
  'partner_name',
  'post',
  'post_submission_check_result',
  'retailer_item_id',
  'home_listing',
  'vehicle',
] as const;

const FORM_FIELDS = [
  'id',
  'name',
  'status',
  'locale',
  'created_time',
  'leads_count',
  'expired_leads_count',
  'organic_leads_count',
  'questions',
  'page',
  'page_id',
  'privacy_policy_url',
  'legal_content',
  'thank_you_page',
  'tracking_parameters',
  'leadgen_export_csv_url',
  'context_card',
  'follow_up_action_url',
  'is_optimized_for_quality',
  'block_display_for_non_targeted_viewer',
] as const;

const AD_FIELDS = [
  'id',
  'name',
  'adset_id',
  'campaign_id',
  'account_id',
  'status',
  'effective_status',
  'created_time',
  'updated_time',
  'adset',
  'campaign',
] as const;

/** Fields our app may subscribe a Page to (`subscribed_fields`). */
const PAGE_WEBHOOK_FIELDS = [
  'leadgen',
  'feed',
  'mention',
  'messages',
  'messaging_postbacks',
  'messaging_optins',
  'messaging_referrals',
  'messaging_handovers',
  'messaging_policy_enforcement',
  'message_echoes',
  'message_deliveries',
  'message_reads',
  'message_reactions',
  'standby',
  'inbox_labels',
];

const CATEGORY_IDS: Record<string, string> = {
  'Real Estate': '198327773511962',
  'Dentist & Dental Office': '164049010316507',
  'Local Business': '2500',
};

const EXPIRY_SECONDS = 90 * 86_400;

export async function dispatchGraph(req: GraphRequest, rt: SimRuntime): Promise<unknown> {
  const [first, second, third, ...rest] = req.segments;
  if (first === 'oauth' && second === 'access_token' && third === undefined) return handleAccessToken(rt, req);
  if (first === 'debug_token' && second === undefined) return handleDebugToken(rt, req);
  if (!first) throw errors.unknownPath('');
  const p = req.principal;
  if (!p) throw errors.missingToken();
  let id = first;
  if (first === 'me') {
    if (p.kind === 'APP')
      throw new GraphError(2500, 'An active access token must be used to query information about the current user.');
    id = p.kind === 'PAGE' ? p.page.id : p.user.id;
  }
  const node = rt.world.findNode(id);
  if (!node || rest.length || (third !== undefined && !(node.type === 'user' && second === 'permissions')))
    throw errors.unsupported(req.method, id);
  if (p.kind === 'APP') throw errors.unsupported(req.method, id);
  if (second === undefined) {
    if (req.method !== 'GET') throw errors.unsupported(req.method, id);
    return readNode(req, rt, p, node);
  }
  return edge(req, rt, p, node, second, third);
}

// ---- access rules ----

function canUsePage(p: Authed, page: SimPage): boolean {
  return p.kind === 'PAGE' ? p.page.id === page.id : page.ownerUserId === p.user.id;
}

function requireScope(rt: SimRuntime, p: Authed, ...anyOf: string[]): void {
  if (anyOf.some((s) => rt.world.hasScope(p.token.userId, s))) return;
  throw errors.missingScope(anyOf[0] as string);
}

function requirePageToken(p: Authed, page: SimPage, method: string): asserts p is Extract<Authed, { kind: 'PAGE' }> {
  if (p.kind !== 'PAGE') throw errors.pageTokenRequired();
  if (p.page.id !== page.id) throw errors.unsupported(method, page.id);
}

function pageOf(rt: SimRuntime, req: GraphRequest, p: Authed, pageId: string, objectId: string): SimPage {
  const page = rt.world.pages.get(pageId);
  if (!page || !canUsePage(p, page)) throw errors.unsupported(req.method, objectId);
  return page;
}

function adAccess(rt: SimRuntime, req: GraphRequest, p: Authed, accountId: string, objectId: string): void {
  if (rt.world.users.get(p.token.userId)?.adAccountId !== accountId) throw errors.unsupported(req.method, objectId);
  requireScope(rt, p, 'ads_read', 'ads_management');
}

const isExpired = (lead: SimLead) => lead.createdTime < Math.floor(Date.now() / 1000) - EXPIRY_SECONDS;

// ---- nodes ----

function readNode(req: GraphRequest, rt: SimRuntime, p: Authed, node: SimNode): unknown {
  const fields = parseFields(req.params.fields);
  switch (node.type) {
    case 'user':
      if (p.kind !== 'USER' || p.user.id !== node.user.id) throw errors.unsupported(req.method, node.user.id);
      return userJson(node.user, fields);
    case 'page': {
      const page = pageOf(rt, req, p, node.page.id, node.page.id);
      requireScope(rt, p, 'pages_show_list');
      return pageJson(rt, p, page, fields ?? ['name', 'id']);
    }
    case 'form': {
      pageOf(rt, req, p, node.form.pageId, node.form.id);
      requireScope(rt, p, 'pages_manage_ads');
      checkFields(fields, FORM_FIELDS, 'LeadgenForm');
      return formJson(rt, node.form, fields);
    }
    case 'lead': {
      pageOf(rt, req, p, node.lead.pageId, node.lead.id);
      if (isExpired(node.lead)) throw errors.unsupported(req.method, node.lead.id);
      requireScope(rt, p, 'leads_retrieval');
      checkFields(fields, LEAD_FIELDS, 'Lead');
      return leadJson(rt, node.lead, fields);
    }
    case 'ad': {
      adAccess(rt, req, p, node.ad.accountId, node.ad.id);
      checkFields(fields, AD_FIELDS, 'Ad');
      return adJson(rt, node.ad, fields);
    }
    case 'adset':
    case 'campaign': {
      const item = node.type === 'adset' ? node.adset : node.campaign;
      adAccess(rt, req, p, item.accountId, item.id);
      const all: Record<string, unknown> = {
        id: item.id,
        name: item.name,
        account_id: item.accountId,
        ...(item.campaignId ? { campaign_id: item.campaignId } : {}),
        status: 'ACTIVE',
      };
      return pick(all, fields ?? ['id']);
    }
  }
}

function edge(
  req: GraphRequest,
  rt: SimRuntime,
  p: Authed,
  node: SimNode,
  name: string,
  sub: string | undefined,
): unknown {
  const { world } = rt;
  const m = req.method;
  if (node.type === 'user') {
    if (p.kind !== 'USER' || p.user.id !== node.user.id) throw errors.unsupported(m, node.user.id);
    if (name === 'accounts' && m === 'GET') {
      requireScope(rt, p, 'pages_show_list');
      const pages = [...world.pages.values()].filter((pg) => pg.ownerUserId === node.user.id);
      const fields = parseFields(req.params.fields) ?? [
        'access_token',
        'category',
        'category_list',
        'name',
        'id',
        'tasks',
      ];
      return paginate(
        req,
        rt,
        pages,
        (pg) => [pg.seq, 0],
        'asc',
        (pg) => pageJson(rt, p, pg, fields),
      );
    }
    if (name === 'permissions' && m === 'GET') {
      return { data: [...node.user.grants].map(([permission, status]) => ({ permission, status })) };
    }
    if (name === 'permissions' && m === 'DELETE') {
      if (sub === undefined) world.uninstall(node.user.id);
      else if (node.user.grants.has(sub)) node.user.grants.set(sub, 'declined');
      return { success: true };
    }
  }
  if (node.type === 'page') {
    const page = pageOf(rt, req, p, node.page.id, node.page.id);
    if (name === 'subscribed_apps') {
      requirePageToken(p, page, m);
      requireScope(rt, p, 'pages_manage_metadata');
      if (m === 'GET') {
        return {
          data: page.subscribedFields
            ? [
                {
                  category: 'Business',
                  link: 'https://app.leadsboost.example/',
                  name: rt.settings.appName,
                  id: rt.settings.appId,
                  subscribed_fields: [...page.subscribedFields],
                },
              ]
            : [],
        };
      }
      if (m === 'POST') {
        const raw = req.params.subscribed_fields;
        if (!raw) throw errors.invalidParameter('(#100) The parameter subscribed_fields is required');
        const wanted = parseListParam(raw);
        wanted.forEach((f, i) => {
          if (!PAGE_WEBHOOK_FIELDS.includes(f))
            throw errors.invalidParameter(
              `(#100) Param subscribed_fields[${i}] must be one of {${PAGE_WEBHOOK_FIELDS.join(', ')}} - got "${f}"`,
            );
        });
        page.subscribedFields = [...new Set(wanted)];
        return { success: true };
      }
      page.subscribedFields = null;
      return { success: true };
    }
    if (name === 'leadgen_forms' && m === 'GET') {
      requirePageToken(p, page, m);
      requireScope(rt, p, 'pages_manage_ads');
      const fields = parseFields(req.params.fields);
      checkFields(fields, FORM_FIELDS, 'LeadgenForm');
      const forms = [...world.forms.values()]
        .filter((f) => f.pageId === page.id)
        .sort((a, b) => b.createdTime - a.createdTime || b.seq - a.seq);
      return paginate(
        req,
        rt,
        forms,
        (f) => [f.createdTime, f.seq],
        'desc',
        (f) => formJson(rt, f, fields),
      );
    }
  }
  if (node.type === 'form') {
    const page = pageOf(rt, req, p, node.form.pageId, node.form.id);
    if (name === 'leads' && m === 'GET') return leadsEdge(req, rt, p, world.formLeads(node.form.id));
    if (name === 'test_leads' && m === 'POST') {
      requirePageToken(p, page, m);
      requireScope(rt, p, 'pages_manage_ads');
      const answers = req.params.field_data ? parseFieldData(req.params.field_data) : undefined;
      const lead = world.addLead({ formId: node.form.id, answers });
      rt.deliverLead(lead);
      return { id: lead.id };
    }
  }
  if (node.type === 'ad' && m === 'GET') {
    adAccess(rt, req, p, node.ad.accountId, node.ad.id);
    if (name === 'insights') return insights(req, rt, [node.ad], 'ad');
    if (name === 'leads') {
      pageOf(rt, req, p, node.ad.pageId, node.ad.id);
      return leadsEdge(
        req,
        rt,
        p,
        world.formLeads(node.ad.formId).filter((l) => l.adId === node.ad.id),
      );
    }
  }
  if ((node.type === 'adset' || node.type === 'campaign') && m === 'GET' && name === 'insights') {
    const item = node.type === 'adset' ? node.adset : node.campaign;
    adAccess(rt, req, p, item.accountId, item.id);
    const ads = [...world.ads.values()].filter((a) =>
      node.type === 'adset' ? a.adsetId === item.id : a.campaignId === item.id,
    );
    return insights(req, rt, ads, node.type);
  }
  const known = edgeNames[node.type];
  if (known.includes(name)) throw errors.unsupported(m, nodeId(node));
  throw errors.nonexistingField(name, nodeTypeName[node.type]);
}

const edgeNames: Record<SimNode['type'], string[]> = {
  user: ['accounts', 'permissions'],
  page: ['subscribed_apps', 'leadgen_forms'],
  form: ['leads', 'test_leads'],
  lead: [],
  ad: ['insights', 'leads'],
  adset: ['insights'],
  campaign: ['insights'],
};
const nodeTypeName: Record<SimNode['type'], string> = {
  user: 'User',
  page: 'Page',
  form: 'LeadgenForm',
  lead: 'Lead',
  ad: 'Ad',
  adset: 'AdSet',
  campaign: 'Campaign',
};

function nodeId(node: SimNode): string {
  switch (node.type) {
    case 'user':
      return node.user.id;
    case 'page':
      return node.page.id;
    case 'form':
      return node.form.id;
    case 'lead':
      return node.lead.id;
    case 'ad':
      return node.ad.id;
    case 'adset':
      return node.adset.id;
    case 'campaign':
      return node.campaign.id;
  }
}

// ---- leads ----

type Filter = { operator: string; value: number };

function parseFiltering(raw: string | undefined): Filter[] {
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw errors.invalidParameter('(#100) param filtering must be an array.');
  }
  if (!Array.isArray(parsed)) throw errors.invalidParameter('(#100) param filtering must be an array.');
  return parsed.map((f: { field?: unknown; operator?: unknown; value?: unknown }) => {
    if (f?.field !== 'time_created')
      throw errors.invalidParameter(`(#100) Filtering field ${String(f?.field)} is not supported`);
    const operator = String(f.operator);
    if (!['GREATER_THAN', 'GREATER_THAN_OR_EQUAL', 'LESS_THAN', 'LESS_THAN_OR_EQUAL'].includes(operator))
      throw errors.invalidParameter(`(#100) Filtering operator ${operator} is not supported for time_created`);
    const value = Number(f.value);
    if (!Number.isFinite(value))
      throw errors.invalidParameter('(#100) Filtering value for time_created must be a number');
    return { operator, value };
  });
}

const passes = (t: number, f: Filter) =>
  f.operator === 'GREATER_THAN'
    ? t > f.value
    : f.operator === 'GREATER_THAN_OR_EQUAL'
      ? t >= f.value
      : f.operator === 'LESS_THAN'
        ? t < f.value
        : t <= f.value;

function leadsEdge(req: GraphRequest, rt: SimRuntime, p: Authed, leads: SimLead[]): unknown {
  requireScope(rt, p, 'leads_retrieval');
  const fields = parseFields(req.params.fields);
  checkFields(fields, LEAD_FIELDS, 'Lead');
  const filters = parseFiltering(req.params.filtering);
  const visible = leads.filter((l) => !isExpired(l) && filters.every((f) => passes(l.createdTime, f)));
  return paginate(
    req,
    rt,
    visible,
    (l) => [l.createdTime, l.seq],
    'desc',
    (l) => leadJson(rt, l, fields),
  );
}

/** A lead as `GET /{lead}` answers it; default fields `id, created_time, field_data`; no ad fields when organic. */
function leadJson(rt: SimRuntime, lead: SimLead, fields: string[] | null): Record<string, unknown> {
  const wanted = new Set(fields ?? ['id', 'created_time', 'field_data']);
  wanted.add('id');
  const ad = lead.adId ? rt.world.ads.get(lead.adId) : undefined;
  const all: Record<string, unknown> = {
    id: lead.id,
    created_time: isoTime(lead.createdTime),
  };
  if (ad) {
    all.ad_id = ad.id;
    all.ad_name = ad.name;
    all.adset_id = ad.adsetId;
    all.adset_name = rt.world.adsets.get(ad.adsetId)?.name;
    all.campaign_id = ad.campaignId;
    all.campaign_name = rt.world.campaigns.get(ad.campaignId)?.name;
  }
  all.form_id = lead.formId;
  all.is_organic = !ad;
  all.platform = lead.platform;
  all.field_data = lead.fieldData.map((f) => ({ name: f.name, values: [...f.values] }));
  if (lead.disclaimers.length) all.custom_disclaimer_responses = lead.disclaimers.map((d) => ({ ...d }));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) if (wanted.has(k) && v !== undefined) out[k] = v;
  return out;
}

function parseFieldData(raw: string): Record<string, string[]> {
  try {
    const parsed = JSON.parse(raw) as { name: string; values: unknown[] }[];
    return Object.fromEntries(parsed.map((f) => [f.name, (f.values ?? []).map(String)]));
  } catch {
    throw errors.invalidParameter('(#100) param field_data must be a JSON array of {name, values}');
  }
}

function parseListParam(raw: string): string[] {
  if (raw.trim().startsWith('[')) {
    try {
      return (JSON.parse(raw) as unknown[]).map(String);
    } catch {
      /* fall through to the comma list */
    }
  }
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

// ---- other objects ----

function pick(all: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (all[f] !== undefined) out[f] = all[f];
  if (out.id === undefined && all.id !== undefined) out.id = all.id;
  return out;
}

function userJson(user: SimUser, fields: string[] | null): Record<string, unknown> {
  return pick({ id: user.id, name: user.name }, fields ?? ['id', 'name']);
}

function pageJson(rt: SimRuntime, p: Authed, page: SimPage, fields: string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    category: page.category,
    category_list: [{ id: CATEGORY_IDS[page.category] ?? '2500', name: page.category }],
    name: page.name,
    id: page.id,
    tasks: ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'],
    ...(page.instagramAccountId ? { instagram_business_account: { id: page.instagramAccountId } } : {}),
  };
  // A Page token for this Page, from the user token used for the call (as in `me/accounts`).
  if (fields.includes('access_token') && p.kind === 'USER') all.access_token = rt.world.pageTokenFor(p.token, page);
  const ordered = ['access_token', ...fields.filter((f) => f !== 'access_token')];
  return pick(all, ordered);
}

function formJson(rt: SimRuntime, form: SimForm, fields: string[] | null): Record<string, unknown> {
  const wanted = fields ?? ['id', 'leadgen_export_csv_url', 'locale', 'name', 'status'];
  const leads = rt.world.formLeads(form.id);
  const all: Record<string, unknown> = {
    id: form.id,
    name: form.name,
    status: form.status,
    locale: form.locale,
    created_time: isoTime(form.createdTime),
    leads_count: leads.length,
    expired_leads_count: leads.filter(isExpired).length,
    organic_leads_count: leads.filter((l) => l.adId === null).length,
    questions: form.questions.map((q) => ({
      ...q,
      ...(q.options ? { options: q.options.map((o) => ({ ...o })) } : {}),
    })),
    page: { id: form.pageId, name: rt.world.pages.get(form.pageId)?.name },
    page_id: form.pageId,
    privacy_policy_url: 'https://app.leadsboost.example/privacy',
    leadgen_export_csv_url: `https://www.facebook.com/ads/lead_gen/export_csv/?id=${form.id}&type=form&source_type=graph_api`,
  };
  return pick(all, wanted);
}

function adJson(rt: SimRuntime, ad: SimAd, fields: string[] | null): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: ad.id,
    name: ad.name,
    adset_id: ad.adsetId,
    campaign_id: ad.campaignId,
    account_id: ad.accountId,
    status: 'ACTIVE',
    effective_status: 'ACTIVE',
    created_time: isoTime(ad.createdTime),
    updated_time: isoTime(ad.createdTime),
    adset: { id: ad.adsetId, name: rt.world.adsets.get(ad.adsetId)?.name },
    campaign: { id: ad.campaignId, name: rt.world.campaigns.get(ad.campaignId)?.name },
  };
  return pick(all, fields ?? ['id']);
}

// ---- insights ----

const DAY = 86_400;
const dayString = (sec: number) => new Date(sec * 1000).toISOString().slice(0, 10);
const dayStart = (sec: number) => Math.floor(sec / DAY) * DAY;
const parseDay = (s: unknown) => {
  const t = typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(t))
    throw errors.invalidParameter('(#100) time_range must be {"since":"YYYY-MM-DD","until":"YYYY-MM-DD"}');
  return t / 1000;
};

/** The day range of a query (UTC days; `since` and `until` inclusive). Meta's default preset is `last_30d`. */
function dateRange(req: GraphRequest, ads: SimAd[], leads: SimLead[]): { since: number; until: number } {
  const today = dayStart(Math.floor(Date.now() / 1000));
  if (req.params.time_range) {
    let parsed: { since?: unknown; until?: unknown };
    try {
      parsed = JSON.parse(req.params.time_range);
    } catch {
      throw errors.invalidParameter('(#100) time_range must be JSON');
    }
    return { since: parseDay(parsed.since), until: parseDay(parsed.until) };
  }
  const preset = req.params.date_preset ?? 'last_30d';
  const days = /^last_(\d+)d$/.exec(preset);
  if (days) return { since: today - Number(days[1]) * DAY, until: today - DAY };
  if (preset === 'today') return { since: today, until: today };
  if (preset === 'yesterday') return { since: today - DAY, until: today - DAY };
  if (preset === 'this_month') {
    const d = new Date(today * 1000);
    return { since: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000, until: today };
  }
  if (preset === 'maximum') {
    const first = Math.min(...ads.map((a) => a.createdTime), ...leads.map((l) => l.createdTime), today);
    return { since: dayStart(first), until: today };
  }
  throw errors.invalidParameter(`(#100) date_preset must be one of today, yesterday, this_month, maximum, last_Nd`);
}

const money = (n: number) => n.toFixed(2);
const ratio = (n: number) => n.toFixed(6);

/**
 * Ad insights shaped like `ad-insights-response.json` (every metric a string). Spend, clicks and impressions follow
 * from the ad's leads (cost per lead × leads), so `lead` in `actions` is exactly the number of leads in the range.
 */
function insights(req: GraphRequest, rt: SimRuntime, ads: SimAd[], level: 'ad' | 'adset' | 'campaign'): unknown {
  const { world } = rt;
  const allLeads = ads.flatMap((a) => world.formLeads(a.formId).filter((l) => l.adId === a.id));
  const { since, until } = dateRange(req, ads, allLeads);
  const inRange = allLeads.filter((l) => l.createdTime >= since && l.createdTime < until + DAY);
  const daily = req.params.time_increment === '1';
  const buckets = new Map<number, SimLead[]>();
  for (const l of inRange) {
    const key = daily ? dayStart(l.createdTime) : since;
    buckets.set(key, [...(buckets.get(key) ?? []), l]);
  }
  const fields = parseFields(req.params.fields);
  const first = ads[0];
  const rows = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, leads]) => {
      const n = leads.length;
      const spend = leads.reduce((sum, l) => sum + (world.ads.get(l.adId ?? '')?.costPerLead ?? 0), 0);
      const clicks = n * 35;
      const impressions = clicks * 45;
      const row: Record<string, unknown> = { account_id: first?.accountId };
      if (first) {
        row.campaign_id = first.campaignId;
        row.campaign_name = world.campaigns.get(first.campaignId)?.name;
        if (level !== 'campaign') {
          row.adset_id = first.adsetId;
          row.adset_name = world.adsets.get(first.adsetId)?.name;
        }
        if (level === 'ad') {
          row.ad_id = first.id;
          row.ad_name = first.name;
        }
      }
      Object.assign(row, {
        spend: money(spend),
        impressions: String(impressions),
        clicks: String(clicks),
        ctr: ratio((100 * clicks) / impressions),
        cpc: ratio(spend / clicks),
        actions: [
          { action_type: 'link_click', value: String(Math.round(clicks * 0.775)) },
          { action_type: 'lead', value: String(n) },
          { action_type: 'onsite_conversion.lead_grouped', value: String(n) },
          { action_type: 'page_engagement', value: String(clicks + 116) },
        ],
        cost_per_action_type: [
          { action_type: 'lead', value: ratio(spend / n) },
          { action_type: 'onsite_conversion.lead_grouped', value: ratio(spend / n) },
        ],
        date_start: dayString(start),
        date_stop: dayString(daily ? start : until),
      });
      if (!fields) return row;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row))
        if (fields.includes(k) || k === 'date_start' || k === 'date_stop') out[k] = v;
      return out;
    });
  if (!rows.length) return { data: [] };
  return { data: rows, paging: { cursors: { before: 'MAZDZD', after: 'MAZDZD' } } };
}
