import { tokenMessages } from './errors';
import { newAccessToken, randomDigits } from './random';
import { STANDARD_TYPES, sampleAnswers } from './sample-data';

/**
 * The simulated Meta world, in memory: the test user and its grants, tokens, Pages, forms, ads (with their ad sets,
 * campaigns and ad account) and leads. Graph routes read it; the control API and the programmatic API write it.
 */

export const TEST_USER_ID = '10000000000000001';
export const TEST_USER_NAME = 'Test User';
/** The scopes LeadsBoost asks for Lead Ads (docs/meta-capture.md, P4). */
export const LEAD_ADS_SCOPES = [
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_metadata',
  'pages_manage_ads',
  'leads_retrieval',
];
export const LONG_LIVED_SECONDS = 5_183_944;
export const SHORT_LIVED_SECONDS = 5_400;
const DATA_ACCESS_SECONDS = 90 * 86_400;
const CODE_TTL_MS = 10 * 60_000;

export type GrantStatus = 'granted' | 'declined';
export type Platform = 'fb' | 'ig';

export interface SimUser {
  id: string;
  name: string;
  /** In grant order, as `me/permissions` lists them. */
  grants: Map<string, GrantStatus>;
  installed: boolean;
  /** Start of the ~90-day data-access window (seconds). */
  dataAccessFrom: number;
  adAccountId: string;
}

export interface SimToken {
  token: string;
  type: 'USER' | 'PAGE';
  userId: string;
  pageId: string | null;
  issuedAt: number;
  /** Seconds; 0 = never. */
  expiresAt: number;
  longLived: boolean;
  invalid: { subcode: number; message: string } | null;
}

export interface SimQuestion {
  key: string;
  label: string;
  type: string;
  id: string;
  options?: { key: string; value: string }[];
}

export interface SimPage {
  id: string;
  seq: number;
  name: string;
  category: string;
  ownerUserId: string;
  instagramAccountId: string | null;
  /** Fields our app subscribed with `{page}/subscribed_apps`; null = the app is not installed on the Page. */
  subscribedFields: string[] | null;
  /** The never-expiring Page token handed out from long-lived user tokens. */
  tokenValue: string;
  leadCount: number;
}

export type FormStatus = 'ACTIVE' | 'ARCHIVED' | 'DELETED' | 'DRAFT';

export interface SimForm {
  id: string;
  seq: number;
  pageId: string;
  name: string;
  status: FormStatus;
  locale: string;
  questions: SimQuestion[];
  consents: string[];
  createdTime: number;
}

export interface SimAd {
  id: string;
  seq: number;
  name: string;
  pageId: string;
  formId: string;
  adsetId: string;
  campaignId: string;
  accountId: string;
  createdTime: number;
  costPerLead: number;
}

export interface SimNamed {
  id: string;
  name: string;
  accountId: string;
  campaignId?: string;
}

export interface SimLead {
  id: string;
  seq: number;
  formId: string;
  pageId: string;
  adId: string | null;
  platform: Platform;
  createdTime: number;
  fieldData: { name: string; values: string[] }[];
  disclaimers: { checkbox_key: string; is_checked: '1' | '' }[];
}

export interface AuthCode {
  code: string;
  userId: string;
  redirectUri: string;
  createdAt: number;
  used: boolean;
}

export type SimNode =
  | { type: 'user'; user: SimUser }
  | { type: 'page'; page: SimPage }
  | { type: 'form'; form: SimForm }
  | { type: 'lead'; lead: SimLead }
  | { type: 'ad'; ad: SimAd }
  | { type: 'adset'; adset: SimNamed }
  | { type: 'campaign'; campaign: SimNamed };

export interface PageInput {
  name: string;
  id?: string;
  instagram?: boolean;
  category?: string;
  /** Pre-install the app with `subscribed_fields=leadgen` (as if the app had subscribed the Page). */
  subscribed?: boolean;
}
export interface QuestionInput {
  key: string;
  label?: string;
  type?: string;
  options?: { key: string; value: string }[];
}
export interface FormInput {
  pageId: string;
  name: string;
  id?: string;
  status?: FormStatus;
  locale?: string;
  questions?: (QuestionInput | string)[];
  /** Checkbox keys of the form's custom disclaimer (consents). */
  consents?: string[];
  createdTime?: number | string | Date;
}
export interface AdInput {
  pageId: string;
  formId: string;
  name: string;
  adsetName?: string;
  campaignName?: string;
  id?: string;
  /** Simulated cost of each lead in the ad account currency, for insights (default 11.15). */
  costPerLead?: number;
}
export interface LeadInput {
  formId: string;
  adId?: string | null;
  platform?: Platform;
  /** Answers by question key; merged over generated answers. An empty array or empty string omits the question. */
  answers?: Record<string, string | string[]>;
  /** Checkbox key → checked; defaults to every consent of the form checked. */
  consents?: Record<string, boolean>;
  /** Unix seconds or milliseconds, an ISO string or a Date; default now. */
  createdTime?: number | string | Date;
}

export interface PageInfo {
  id: string;
  name: string;
  category: string;
  accessToken: string;
  instagramAccountId: string | null;
  subscribedFields: string[] | null;
}
export interface FormInfo {
  id: string;
  pageId: string;
  name: string;
  status: FormStatus;
  locale: string;
  questions: SimQuestion[];
  consents: string[];
  createdTime: number;
}
export interface AdInfo {
  id: string;
  name: string;
  pageId: string;
  formId: string;
  adsetId: string;
  adsetName: string;
  campaignId: string;
  campaignName: string;
  accountId: string;
}
export interface LeadInfo {
  id: string;
  formId: string;
  pageId: string;
  adId: string | null;
  platform: Platform;
  isOrganic: boolean;
  /** Unix seconds. */
  createdTime: number;
  fieldData: { name: string; values: string[] }[];
  customDisclaimerResponses: { checkbox_key: string; is_checked: '1' | '' }[];
}

/** A caller error in the control or programmatic API (not a Graph error). */
export class SimInputError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'SimInputError';
  }
}

// id prefixes and lengths follow the fixtures (Page 1000…, form 2000…, lead 3000…, ad 1202…, IG 17841…).
const ID_SHAPES = {
  user: ['100', 17],
  page: ['10', 15],
  form: ['20', 15],
  lead: ['30', 15],
  question: ['50', 15],
  account: ['40', 15],
  ad: ['1202', 18],
  adset: ['1202', 18],
  campaign: ['1202', 18],
  instagram: ['178414', 17],
} as const;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function toSeconds(value: number | string | Date | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  if (typeof value === 'number') return value > 1e11 ? Math.floor(value / 1000) : Math.floor(value);
  const parsed = Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  if (Number.isNaN(parsed)) throw new SimInputError(`Not a date: ${value}`);
  return Math.floor(parsed / 1000);
}

export class World {
  users = new Map<string, SimUser>();
  tokens = new Map<string, SimToken>();
  pages = new Map<string, SimPage>();
  forms = new Map<string, SimForm>();
  ads = new Map<string, SimAd>();
  adsets = new Map<string, SimNamed>();
  campaigns = new Map<string, SimNamed>();
  leads = new Map<string, SimLead>();
  codes = new Map<string, AuthCode>();
  private leadsByForm = new Map<string, { list: SimLead[]; sorted: boolean }>();
  /** Page tokens minted from short-lived user tokens, so repeated `me/accounts` calls answer the same token. */
  private derivedPageTokens = new Map<string, string>();
  private ids = new Set<string>();
  private seq = 0;
  private leadNumber = 0;

  constructor(
    readonly appId: string,
    readonly appSecret: string,
    readonly random: () => number,
  ) {
    this.reset();
  }

  /** Empties the world and recreates the test user, whose earlier grants are the Lead Ads scopes. */
  reset(): void {
    for (const map of [
      this.users,
      this.tokens,
      this.pages,
      this.forms,
      this.ads,
      this.adsets,
      this.campaigns,
      this.leads,
      this.codes,
      this.leadsByForm,
      this.derivedPageTokens,
    ])
      map.clear();
    this.ids.clear();
    this.ids.add(this.appId);
    const grants = new Map<string, GrantStatus>(LEAD_ADS_SCOPES.map((s) => [s, 'granted']));
    grants.set('public_profile', 'granted');
    this.users.set(TEST_USER_ID, {
      id: TEST_USER_ID,
      name: TEST_USER_NAME,
      grants,
      installed: true,
      dataAccessFrom: nowSeconds(),
      adAccountId: this.newId('account'),
    });
    this.ids.add(TEST_USER_ID);
  }

  newId(kind: keyof typeof ID_SHAPES, wanted?: string): string {
    if (wanted !== undefined) {
      if (!/^\d{1,30}$/.test(wanted)) throw new SimInputError(`ids are digit strings: ${wanted}`);
      if (this.ids.has(wanted)) throw new SimInputError(`id ${wanted} is already used`, 409);
      this.ids.add(wanted);
      return wanted;
    }
    const [prefix, length] = ID_SHAPES[kind];
    for (;;) {
      const id = prefix + randomDigits(length - prefix.length);
      if (!this.ids.has(id)) {
        this.ids.add(id);
        return id;
      }
    }
  }

  user(userId: string = TEST_USER_ID): SimUser {
    const user = this.users.get(userId);
    if (!user) throw new SimInputError(`unknown user ${userId}`, 404);
    return user;
  }

  page(pageId: string): SimPage {
    const page = this.pages.get(pageId);
    if (!page) throw new SimInputError(`unknown page ${pageId}`, 404);
    return page;
  }

  form(formId: string): SimForm {
    const form = this.forms.get(formId);
    if (!form) throw new SimInputError(`unknown form ${formId}`, 404);
    return form;
  }

  grantedScopes(user: SimUser): string[] {
    return [...user.grants].filter(([, s]) => s === 'granted').map(([scope]) => scope);
  }

  hasScope(userId: string, scope: string): boolean {
    return this.users.get(userId)?.grants.get(scope) === 'granted';
  }

  /** The Pages and other assets each grant covers (debug_token's `granular_scopes`). */
  targetIds(user: SimUser, scope: string, onlyPageId?: string): string[] | null {
    const pages = [...this.pages.values()].filter(
      (p) => p.ownerUserId === user.id && (!onlyPageId || p.id === onlyPageId),
    );
    if (scope.startsWith('pages_') || scope === 'leads_retrieval') return pages.map((p) => p.id);
    if (scope.startsWith('instagram_'))
      return pages.map((p) => p.instagramAccountId).filter((id): id is string => id !== null);
    if (scope.startsWith('ads_')) return [user.adAccountId];
    return null;
  }

  // ---- tokens ----

  issueUserToken(userId: string, longLived: boolean, expiresInSeconds?: number): SimToken {
    const now = nowSeconds();
    const lifetime = expiresInSeconds ?? (longLived ? LONG_LIVED_SECONDS : SHORT_LIVED_SECONDS);
    const token: SimToken = {
      token: newAccessToken(),
      type: 'USER',
      userId,
      pageId: null,
      issuedAt: now,
      expiresAt: lifetime === 0 ? 0 : now + lifetime,
      longLived,
      invalid: null,
    };
    this.tokens.set(token.token, token);
    return token;
  }

  private mintPageToken(page: SimPage, expiresAt: number): SimToken {
    const token: SimToken = {
      token: newAccessToken(),
      type: 'PAGE',
      userId: page.ownerUserId,
      pageId: page.id,
      issuedAt: nowSeconds(),
      expiresAt,
      longLived: expiresAt === 0,
      invalid: null,
    };
    this.tokens.set(token.token, token);
    return token;
  }

  /**
   * The Page token `me/accounts` hands out for a user token: from a long-lived user token it never expires (the
   * Page's current token, replaced once invalidated); from a short-lived one it dies with the user token.
   */
  pageTokenFor(userToken: SimToken, page: SimPage): string {
    if (userToken.longLived || userToken.expiresAt === 0) return this.currentPageToken(page);
    const key = `${userToken.token}:${page.id}`;
    const existing = this.derivedPageTokens.get(key);
    if (existing) return existing;
    const minted = this.mintPageToken(page, userToken.expiresAt);
    this.derivedPageTokens.set(key, minted.token);
    return minted.token;
  }

  currentPageToken(page: SimPage): string {
    const current = this.tokens.get(page.tokenValue);
    if (current && !current.invalid && current.expiresAt === 0) return current.token;
    page.tokenValue = this.mintPageToken(page, 0).token;
    return page.tokenValue;
  }

  /** Why a token is refused, or null when it is good. */
  tokenProblem(token: SimToken, nowMs: number): { subcode: number; message: string } | null {
    if (token.invalid) return token.invalid;
    if (token.expiresAt !== 0 && token.expiresAt * 1000 <= nowMs)
      return { subcode: 463, message: tokenMessages.expired(token.expiresAt, nowMs) };
    return null;
  }

  expireTokens(filter: { token?: string; userId?: string }): number {
    const now = nowSeconds();
    let n = 0;
    for (const t of this.tokens.values()) {
      if (filter.token ? t.token !== filter.token : t.userId !== (filter.userId ?? TEST_USER_ID)) continue;
      // A past expiry (not a flag) so the message and debug_token's expires_at agree, as for a token that aged out.
      t.expiresAt = Math.min(t.expiresAt || now, now) - 60;
      n++;
    }
    if (filter.token && n === 0) throw new SimInputError(`unknown token`, 404);
    return n;
  }

  invalidateTokens(filter: { pageId?: string; userId?: string }, subcode: number, message: string): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (filter.pageId !== undefined && t.pageId !== filter.pageId) continue;
      if (filter.userId !== undefined && t.userId !== filter.userId) continue;
      if (!t.invalid) {
        t.invalid = { subcode, message };
        n++;
      }
    }
    return n;
  }

  /** The user removed the app: grants gone, every token dead with 190/458 (meta-platform.md §3, Revocation). */
  uninstall(userId: string): void {
    const user = this.user(userId);
    user.grants.clear();
    user.installed = false;
    this.invalidateTokens({ userId }, 458, tokenMessages[458](this.appId));
  }

  /** The Login dialog's grants: exactly the requested scopes, minus declined ones (plus public_profile). */
  grantFromDialog(userId: string, requested: string[], declined: string[]): { granted: string[]; declined: string[] } {
    const user = this.user(userId);
    user.grants.clear();
    const granted: string[] = [];
    const refused: string[] = [];
    for (const scope of requested) {
      if (declined.includes(scope)) {
        user.grants.set(scope, 'declined');
        refused.push(scope);
      } else {
        user.grants.set(scope, 'granted');
        granted.push(scope);
      }
    }
    user.grants.set('public_profile', 'granted');
    user.installed = true;
    user.dataAccessFrom = nowSeconds();
    return { granted, declined: refused };
  }

  dataAccessExpiresAt(userId: string): number {
    return (this.users.get(userId)?.dataAccessFrom ?? nowSeconds()) + DATA_ACCESS_SECONDS;
  }

  codeTtlMs(): number {
    return CODE_TTL_MS;
  }

  // ---- objects ----

  createPage(input: PageInput): PageInfo {
    if (!input.name) throw new SimInputError('name is required');
    const id = this.newId('page', input.id);
    const page: SimPage = {
      id,
      seq: ++this.seq,
      name: input.name,
      category: input.category ?? 'Real Estate',
      ownerUserId: TEST_USER_ID,
      instagramAccountId: input.instagram ? this.newId('instagram') : null,
      subscribedFields: input.subscribed ? ['leadgen'] : null,
      tokenValue: '',
      leadCount: 0,
    };
    this.pages.set(id, page);
    this.currentPageToken(page);
    return this.pageInfo(page);
  }

  pageInfo(page: SimPage): PageInfo {
    return {
      id: page.id,
      name: page.name,
      category: page.category,
      accessToken: this.currentPageToken(page),
      instagramAccountId: page.instagramAccountId,
      subscribedFields: page.subscribedFields ? [...page.subscribedFields] : null,
    };
  }

  createForm(input: FormInput): FormInfo {
    const page = this.page(input.pageId);
    if (!input.name) throw new SimInputError('name is required');
    const questions = (input.questions ?? defaultQuestions()).map((q) => {
      const spec = typeof q === 'string' ? { key: q } : q;
      const standard = STANDARD_TYPES[spec.key];
      const question: SimQuestion = {
        key: spec.key,
        label: spec.label ?? standard?.label ?? spec.key.replace(/[_?]+/g, ' ').trim(),
        type: spec.type ?? standard?.type ?? 'CUSTOM',
        id: this.newId('question'),
      };
      if (spec.options?.length) question.options = spec.options;
      return question;
    });
    const form: SimForm = {
      id: this.newId('form', input.id),
      seq: ++this.seq,
      pageId: page.id,
      name: input.name,
      status: input.status ?? 'ACTIVE',
      locale: input.locale ?? 'en_US',
      questions,
      consents: input.consents ?? [],
      createdTime: toSeconds(input.createdTime, nowSeconds()),
    };
    this.forms.set(form.id, form);
    this.leadsByForm.set(form.id, { list: [], sorted: true });
    return formInfo(form);
  }

  createAd(input: AdInput): AdInfo {
    const page = this.page(input.pageId);
    const form = this.form(input.formId);
    if (form.pageId !== page.id) throw new SimInputError(`form ${form.id} is not on page ${page.id}`);
    if (!input.name) throw new SimInputError('name is required');
    const accountId = this.user(page.ownerUserId).adAccountId;
    // Ads created with the same campaign / ad set names share them, as in a real account.
    const campaignName = input.campaignName ?? `${page.name} - Leads`;
    const campaign =
      [...this.campaigns.values()].find((c) => c.name === campaignName) ??
      this.addNamed(this.campaigns, 'campaign', campaignName, accountId);
    const adsetName = input.adsetName ?? `${campaignName} - Ad set`;
    const adset =
      [...this.adsets.values()].find((a) => a.name === adsetName && a.campaignId === campaign.id) ??
      this.addNamed(this.adsets, 'adset', adsetName, accountId, campaign.id);
    const ad: SimAd = {
      id: this.newId('ad', input.id),
      seq: ++this.seq,
      name: input.name,
      pageId: page.id,
      formId: form.id,
      adsetId: adset.id,
      campaignId: campaign.id,
      accountId,
      createdTime: nowSeconds(),
      costPerLead: input.costPerLead ?? 11.15,
    };
    this.ads.set(ad.id, ad);
    return this.adInfo(ad);
  }

  private addNamed(
    map: Map<string, SimNamed>,
    kind: 'campaign' | 'adset',
    name: string,
    accountId: string,
    campaignId?: string,
  ): SimNamed {
    const item: SimNamed = { id: this.newId(kind), name, accountId, ...(campaignId ? { campaignId } : {}) };
    map.set(item.id, item);
    return item;
  }

  adInfo(ad: SimAd): AdInfo {
    return {
      id: ad.id,
      name: ad.name,
      pageId: ad.pageId,
      formId: ad.formId,
      adsetId: ad.adsetId,
      adsetName: this.adsets.get(ad.adsetId)?.name ?? '',
      campaignId: ad.campaignId,
      campaignName: this.campaigns.get(ad.campaignId)?.name ?? '',
      accountId: ad.accountId,
    };
  }

  /** Stores a lead (no webhook: the caller decides about delivery). */
  addLead(input: LeadInput): SimLead {
    const form = this.form(input.formId);
    let adId: string | null = null;
    if (input.adId) {
      const ad = this.ads.get(input.adId);
      if (!ad) throw new SimInputError(`unknown ad ${input.adId}`, 404);
      if (ad.formId !== form.id) throw new SimInputError(`ad ${ad.id} does not use form ${form.id}`);
      adId = ad.id;
    }
    const n = ++this.leadNumber;
    const generated = sampleAnswers(form.questions, n, this.random);
    const answers: Record<string, string | string[]> = { ...generated, ...(input.answers ?? {}) };
    const fieldData: SimLead['fieldData'] = [];
    for (const [name, value] of Object.entries(answers)) {
      const values = (Array.isArray(value) ? value : [value]).map(String).filter((v) => v !== '');
      if (values.length) fieldData.push({ name, values });
    }
    const consents = input.consents ?? Object.fromEntries(form.consents.map((k) => [k, true]));
    const lead: SimLead = {
      id: this.newId('lead'),
      seq: ++this.seq,
      formId: form.id,
      pageId: form.pageId,
      adId,
      platform: input.platform ?? 'fb',
      createdTime: toSeconds(input.createdTime, nowSeconds()),
      fieldData,
      disclaimers: Object.entries(consents).map(([checkbox_key, checked]) => ({
        checkbox_key,
        is_checked: checked ? '1' : '',
      })),
    };
    this.leads.set(lead.id, lead);
    const bucket = this.leadsByForm.get(form.id);
    if (bucket) {
      bucket.list.push(lead);
      bucket.sorted = false;
    }
    const page = this.pages.get(form.pageId);
    if (page) page.leadCount++;
    return lead;
  }

  /** A form's leads, newest first (ties by creation order, newest first). */
  formLeads(formId: string): SimLead[] {
    const bucket = this.leadsByForm.get(formId);
    if (!bucket) return [];
    if (!bucket.sorted) {
      bucket.list.sort(compareNewestFirst);
      bucket.sorted = true;
    }
    return bucket.list;
  }

  leadInfo(lead: SimLead): LeadInfo {
    return {
      id: lead.id,
      formId: lead.formId,
      pageId: lead.pageId,
      adId: lead.adId,
      platform: lead.platform,
      isOrganic: lead.adId === null,
      createdTime: lead.createdTime,
      fieldData: lead.fieldData.map((f) => ({ name: f.name, values: [...f.values] })),
      customDisclaimerResponses: lead.disclaimers.map((d) => ({ ...d })),
    };
  }

  findNode(id: string): SimNode | null {
    const user = this.users.get(id);
    if (user) return { type: 'user', user };
    const page = this.pages.get(id);
    if (page) return { type: 'page', page };
    const form = this.forms.get(id);
    if (form) return { type: 'form', form };
    const lead = this.leads.get(id);
    if (lead) return { type: 'lead', lead };
    const ad = this.ads.get(id);
    if (ad) return { type: 'ad', ad };
    const adset = this.adsets.get(id);
    if (adset) return { type: 'adset', adset };
    const campaign = this.campaigns.get(id);
    if (campaign) return { type: 'campaign', campaign };
    return null;
  }

  snapshot() {
    return {
      appId: this.appId,
      users: [...this.users.values()].map((u) => ({
        id: u.id,
        name: u.name,
        installed: u.installed,
        adAccountId: u.adAccountId,
        grants: Object.fromEntries(u.grants),
      })),
      tokens: [...this.tokens.values()].map((t) => ({
        token: t.token,
        type: t.type,
        userId: t.userId,
        pageId: t.pageId,
        issuedAt: t.issuedAt,
        expiresAt: t.expiresAt,
        longLived: t.longLived,
        invalid: t.invalid,
      })),
      pages: [...this.pages.values()].map((p) => ({ ...this.pageInfo(p), leadCount: p.leadCount })),
      forms: [...this.forms.values()].map((f) => ({ ...formInfo(f), leadCount: this.formLeads(f.id).length })),
      ads: [...this.ads.values()].map((a) => this.adInfo(a)),
      leadCount: this.leads.size,
    };
  }
}

const compareNewestFirst = (a: SimLead, b: SimLead) => b.createdTime - a.createdTime || b.seq - a.seq;

export function formInfo(form: SimForm): FormInfo {
  return {
    id: form.id,
    pageId: form.pageId,
    name: form.name,
    status: form.status,
    locale: form.locale,
    questions: form.questions.map((q) => ({ ...q })),
    consents: [...form.consents],
    createdTime: form.createdTime,
  };
}

/** full_name, email, phone_number, city and one custom choice question, as in `page-leadgen-forms.json`. */
function defaultQuestions(): QuestionInput[] {
  return [
    { key: 'full_name' },
    { key: 'email' },
    { key: 'phone_number' },
    { key: 'city' },
    {
      key: 'what_is_your_budget?',
      label: 'What is your budget?',
      type: 'CUSTOM',
      options: [
        { key: 'under_5000', value: 'Under 5000' },
        { key: '5000_10000', value: '5000 - 10000' },
        { key: 'over_10000', value: 'Over 10000' },
      ],
    },
  ];
}
