import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type CallbackKind, type CallbackResult, callbackPayload, sendSignedCallback } from './callbacks';
import type { GraphCall, SimRuntime, WebhookOutcome } from './context';
import { registerControlRoutes } from './control-routes';
import { tokenMessages } from './errors';
import { type ActiveFault, type Fault, FaultBook, type FaultKind, faultSchema, IMMEDIATE_FAULTS } from './faults';
import { registerGraphRoutes } from './graph-routes';
import { seededRandom } from './random';
import {
  type AdInfo,
  type AdInput,
  type FormInfo,
  type FormInput,
  type LeadInfo,
  type LeadInput,
  nowSeconds,
  type PageInfo,
  type PageInput,
  SimInputError,
  type SimLead,
  TEST_USER_ID,
  World,
} from './state';
import { DEFAULT_LIMITS, type UsageLimits, UsageTracker } from './usage';
import { type DeliveryView, type FlushResult, WebhookDispatcher, type WebhookSettings } from './webhooks';

export type { CallbackResult } from './callbacks';
export type { GraphCall, WebhookOutcome } from './context';
export { GraphError, pacificDate, THROTTLE_CODES, type ThrottleCode, throttleError } from './errors';
export type { ActiveFault, Fault, FaultKind } from './faults';
export { appSecretProof, asciiJson, signedRequest, signWebhook } from './signing';
export {
  type AdInfo,
  type AdInput,
  type FormInfo,
  type FormInput,
  LEAD_ADS_SCOPES,
  type LeadInfo,
  type LeadInput,
  type PageInfo,
  type PageInput,
  SimInputError,
  TEST_USER_ID,
  TEST_USER_NAME,
} from './state';
export type { UsageLimits } from './usage';
export {
  type DeliveryStatus,
  type DeliveryView,
  FAST_RETRY_DELAYS_MS,
  type FlushResult,
  RETRY_DELAYS_MS,
} from './webhooks';

export interface SimulatorOptions {
  appId: string;
  appSecret: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Retries in milliseconds (10 ms × 2^n, capped at 2 s), 1 s webhook timeout, short batch window. */
  fast?: boolean;
  /** Refuse calls with a user or Page token but no valid `appsecret_proof` (default true). */
  requireAppSecretProof?: boolean;
  /** Fastify request logs and delivery failures on stdout. */
  log?: boolean;
  /** Seed for drops, duplicates, reordering and generated answers (default: random). */
  seed?: number;
  appName?: string;
  /** Code exchange gives a short-lived (1.5 h) user token instead of a long-lived one. */
  shortLivedCodeTokens?: boolean;
  limits?: Partial<UsageLimits>;
  /** Base of `paging.next` links when the simulator is reached through another address. */
  publicUrl?: string;
}

export interface SimConfig extends WebhookSettings {
  deauthorizeUrl: string | null;
  dataDeletionUrl: string | null;
}

export const configSchema = z
  .object({
    webhookUrl: z.url().nullable(),
    deauthorizeUrl: z.url().nullable(),
    dataDeletionUrl: z.url().nullable(),
    batchSize: z.number().int().min(1).max(1000),
    duplicateRate: z.number().min(0).max(1),
    reorder: z.boolean(),
    concurrency: z.number().int().min(1).max(100),
    retryDelaysMs: z.array(z.number().int().min(0)).nullable(),
  })
  .partial()
  .strict();
export type ConfigureInput = z.infer<typeof configSchema>;

export type CreatedLead = LeadInfo & { webhook: WebhookOutcome };

export interface FaultControls {
  add(fault: Fault | Fault[]): ActiveFault[];
  clear(kind?: FaultKind): void;
  list(): ActiveFault[];
  dropWebhooks(options?: { count?: number; rate?: number }): void;
  failGraph(options: Omit<Extract<Fault, { kind: 'fail_graph' }>, 'kind'>): void;
  throttle(options: Omit<Extract<Fault, { kind: 'throttle' }>, 'kind'>): void;
  slow(options: Omit<Extract<Fault, { kind: 'slow' }>, 'kind'>): void;
  expireToken(options: { token?: string; userId?: string }): void;
  invalidatePageTokens(pageId: string): void;
  revokeScope(scope: string, userId?: string): void;
  denyOAuth(): void;
  declineScopes(scopes: string[]): void;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT`: use it as META_GRAPH_URL and META_DIALOG_URL. */
  readonly url: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly testUserId: string;
  configure(input: ConfigureInput): SimConfig;
  config(): SimConfig;
  createPage(input: PageInput): PageInfo;
  createForm(input: FormInput): FormInfo;
  createAd(input: AdInput): AdInfo;
  /** Stores a lead and queues its webhook unless `deliver` is false (the Page must have subscribed `leadgen`). */
  createLead(input: LeadInput & { deliver?: boolean }): CreatedLead;
  leads(formId?: string): LeadInfo[];
  deliveries(): DeliveryView[];
  calls(): GraphCall[];
  clearCalls(): void;
  /** Waits (bounded) until every due delivery, retries included, has been attempted. */
  flush(options?: { timeoutMs?: number }): Promise<FlushResult>;
  faults: FaultControls;
  /** A user token without the Login dialog (for tests that start from a connected account). */
  issueUserToken(options?: { userId?: string; longLived?: boolean; expiresIn?: number }): {
    accessToken: string;
    userId: string;
    expiresAt: number;
  };
  /** The user removes the app: tokens die (190/458) and the deauthorize callback is sent. */
  deauthorize(userId?: string): Promise<CallbackResult>;
  /** The user removes the app and asks for deletion: the data-deletion callback is sent. */
  requestDataDeletion(userId?: string): Promise<CallbackResult>;
  state(): ReturnType<World['snapshot']> & { config: SimConfig; faults: ActiveFault[] };
  /** Empties the world, deliveries, calls and faults; keeps the configuration. */
  reset(): void;
  close(): Promise<void>;
}

const MAX_CALLS = 50_000;

/** Starts the Meta simulator (docs/meta-capture.md, "The simulator"). */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  if (!options.appId || !options.appSecret) throw new Error('startSimulator needs appId and appSecret');
  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const world = new World(options.appId, options.appSecret, random);
  const faults = new FaultBook();
  let config: SimConfig = {
    webhookUrl: null,
    deauthorizeUrl: null,
    dataDeletionUrl: null,
    batchSize: 1,
    duplicateRate: 0,
    reorder: false,
    concurrency: 4,
    retryDelaysMs: null,
  };
  let calls: GraphCall[] = [];
  let baseUrl = '';

  const app: FastifyInstance = Fastify({
    logger: options.log ? { level: 'info' } : false,
    bodyLimit: 10 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2000 },
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const webhooks = new WebhookDispatcher({
    appSecret: options.appSecret,
    fast: options.fast ?? false,
    random,
    faults,
    settings: () => config,
    log: (message, data) => app.log.warn(data ?? {}, message),
  });

  const deliverLead = (lead: SimLead): WebhookOutcome => {
    if (!config.webhookUrl) return 'no_webhook_url';
    if (!world.pages.get(lead.pageId)?.subscribedFields?.includes('leadgen')) return 'page_not_subscribed';
    webhooks.enqueue({
      pageId: lead.pageId,
      formId: lead.formId,
      leadgenId: lead.id,
      adId: lead.adId,
      createdTime: lead.createdTime,
    });
    return 'queued';
  };

  const runtime: SimRuntime = {
    world,
    faults,
    webhooks,
    usage: new UsageTracker(
      { ...DEFAULT_LIMITS, ...options.limits },
      (pageId) => world.pages.get(pageId)?.leadCount ?? 0,
    ),
    settings: {
      appId: options.appId,
      appSecret: options.appSecret,
      appName: options.appName ?? 'LeadsBoost',
      requireAppSecretProof: options.requireAppSecretProof ?? true,
      shortLivedCodeTokens: options.shortLivedCodeTokens ?? false,
    },
    baseUrl: () => baseUrl,
    recordCall: (call) => {
      calls.push(call);
      if (calls.length > MAX_CALLS * 1.1) calls = calls.slice(-MAX_CALLS);
    },
    deliverLead,
  };

  const applyFault = (input: unknown): void => {
    const fault = faultSchema.parse(input);
    if (!IMMEDIATE_FAULTS.includes(fault.kind)) {
      faults.add(fault);
      return;
    }
    if (fault.kind === 'expire_token') world.expireTokens(fault);
    else if (fault.kind === 'invalidate_page_tokens') {
      world.page(fault.pageId);
      world.invalidateTokens({ pageId: fault.pageId }, 460, tokenMessages[460]);
    } else if (fault.kind === 'revoke_scope') world.user(fault.userId).grants.set(fault.scope, 'declined');
  };

  const sendCallback = async (kind: CallbackKind, userId: string): Promise<CallbackResult> => {
    const url = kind === 'deauthorize' ? config.deauthorizeUrl : config.dataDeletionUrl;
    if (!url)
      throw new SimInputError(`configure ${kind === 'deauthorize' ? 'deauthorizeUrl' : 'dataDeletionUrl'} first`);
    world.uninstall(userId);
    return sendSignedCallback(url, callbackPayload(kind, userId, nowSeconds()), options.appSecret, 10_000);
  };

  const sim: Simulator = {
    get url() {
      return baseUrl;
    },
    appId: options.appId,
    appSecret: options.appSecret,
    testUserId: TEST_USER_ID,
    configure(input) {
      config = { ...config, ...configSchema.parse(input) };
      return { ...config };
    },
    config: () => ({ ...config }),
    createPage: (input) => world.createPage(input),
    createForm: (input) => world.createForm(input),
    createAd: (input) => world.createAd(input),
    createLead(input) {
      const lead = world.addLead(input);
      const webhook = input.deliver === false ? 'not_requested' : deliverLead(lead);
      return { ...world.leadInfo(lead), webhook };
    },
    leads: (formId) =>
      (formId ? (world.forms.has(formId) ? world.formLeads(formId) : []) : [...world.leads.values()]).map((l) =>
        world.leadInfo(l),
      ),
    deliveries: () => webhooks.list(),
    calls: () => [...calls],
    clearCalls() {
      calls = [];
    },
    flush: (o) => webhooks.flush(o?.timeoutMs),
    faults: {
      add(input) {
        for (const f of Array.isArray(input) ? input : [input]) applyFault(f);
        return faults.list();
      },
      clear: (kind) => faults.clear(kind),
      list: () => faults.list(),
      dropWebhooks: (o = {}) => applyFault({ kind: 'drop_webhooks', ...o }),
      failGraph: (o) => applyFault({ kind: 'fail_graph', ...o }),
      throttle: (o) => applyFault({ kind: 'throttle', ...o }),
      slow: (o) => applyFault({ kind: 'slow', ...o }),
      expireToken: (o) => applyFault({ kind: 'expire_token', ...o }),
      invalidatePageTokens: (pageId) => applyFault({ kind: 'invalidate_page_tokens', pageId }),
      revokeScope: (scope, userId) => applyFault({ kind: 'revoke_scope', scope, userId }),
      denyOAuth: () => applyFault({ kind: 'deny_oauth' }),
      declineScopes: (scopes) => applyFault({ kind: 'decline_scopes', scopes }),
    },
    issueUserToken(o = {}) {
      const user = world.user(o.userId);
      const token = world.issueUserToken(user.id, o.longLived ?? true, o.expiresIn);
      return { accessToken: token.token, userId: user.id, expiresAt: token.expiresAt };
    },
    deauthorize: (userId = TEST_USER_ID) => sendCallback('deauthorize', userId),
    requestDataDeletion: (userId = TEST_USER_ID) => sendCallback('data_deletion', userId),
    state: () => ({ ...world.snapshot(), config: { ...config }, faults: faults.list() }),
    reset() {
      world.reset();
      webhooks.reset();
      faults.clear();
      runtime.usage.clear();
      calls = [];
    },
    async close() {
      webhooks.close();
      await app.close();
    },
  };

  registerControlRoutes(app, sim);
  registerGraphRoutes(app, runtime);

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  if (options.publicUrl) baseUrl = options.publicUrl.replace(/\/$/, '');
  else {
    const { port, address: host, family } = app.server.address() as { port: number; address: string; family: string };
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : family === 'IPv6' ? `[${host}]` : host;
    baseUrl = `http://${shown}:${port}`;
  }
  return sim;
}
