import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_VERSION, type GraphRequest, type Principal, type SimRuntime } from './context';
import { errors, GraphError, throttleError, tokenMessages } from './errors';
import { dispatchGraph } from './graph-objects';
import { handleDialog } from './oauth-routes';
import { newFbtraceId } from './random';
import { appSecretProof } from './signing';
import type { UsageSubject } from './usage';

/**
 * Every Graph call goes through one pipeline: record it, apply `slow`, count usage, apply injected failures and
 * throttles, authenticate (token, `appsecret_proof`, expiry), then serve the node or edge. Errors become Meta's error
 * object with HTTP 400; answers carry `X-App-Usage` / `X-Business-Use-Case-Usage`.
 */

const HIDDEN_PARAMS = new Set([
  'access_token',
  'appsecret_proof',
  'client_secret',
  'fb_exchange_token',
  'input_token',
  'code',
]);

export function registerGraphRoutes(app: FastifyInstance, rt: SimRuntime): void {
  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: '/*',
    handler: (request, reply) => handleGraph(request, reply, rt),
  });
}

function collectParams(query: unknown, body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (source: unknown) => {
    if (!source || typeof source !== 'object' || Buffer.isBuffer(source)) return;
    for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      if (typeof v === 'string') out[k] = v;
      else if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) out[k] = v.join(',');
      else if (typeof v === 'object') out[k] = JSON.stringify(v);
      else out[k] = String(v);
    }
  };
  add(query);
  add(body);
  return out;
}

function tokenFrom(params: Record<string, string>, authorization: string | undefined): string | null {
  if (params.access_token) return params.access_token;
  const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(authorization ?? '');
  return match?.[1]?.trim() || null;
}

async function handleGraph(request: FastifyRequest, reply: FastifyReply, rt: SimRuntime): Promise<FastifyReply> {
  const url = new URL(request.url, 'http://sim.invalid');
  let segments: string[];
  try {
    segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    segments = ['%'];
  }
  const version = segments[0] && /^v\d+\.\d+$/.test(segments[0]) ? (segments.shift() as string) : null;
  const params = collectParams(request.query, request.body);
  const path = segments.join('/');
  const record = (status: number, error: GraphError | null, principal: Principal | null) =>
    rt.recordCall({
      at: new Date().toISOString(),
      method: request.method,
      path: url.pathname,
      version,
      query: Object.fromEntries(Object.entries(params).filter(([k]) => !HIDDEN_PARAMS.has(k))),
      status,
      errorCode: error?.code ?? null,
      errorSubcode: error?.subcode ?? null,
      tokenType: principal ? (principal.kind === 'APP' ? 'APP' : principal.token.type) : null,
    });

  if (path === 'dialog/oauth' && request.method === 'GET') {
    const answer = handleDialog(rt, params, reply);
    record(answer.statusCode, null, null);
    return answer;
  }

  const req: GraphRequest = {
    method: request.method as GraphRequest['method'],
    version,
    segments,
    params,
    accessToken: tokenFrom(params, request.headers.authorization),
    principal: null,
  };
  let status = 200;
  let body: unknown;
  let headers: Record<string, string> = {};
  let failure: GraphError | null = null;
  try {
    const delay = rt.faults.takeSlow(path);
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const subject = usageSubject(req, rt);
    const usage = rt.usage.record(subject, Date.now());
    headers = usage.headers;
    const injected = rt.faults.takeGraphFailure(path);
    if (injected?.kind === 'throttle') {
      const objectId = subject.buc?.type.startsWith('ads')
        ? { accountId: subject.buc.objectId }
        : { pageId: subject.buc?.objectId };
      throw throttleError(injected.code, objectId);
    }
    if (injected) {
      const message =
        injected.message ??
        (injected.code === 190
          ? injected.subcode === 463
            ? tokenMessages.expired(Math.floor(Date.now() / 1000) - 3600, Date.now())
            : injected.subcode === 460
              ? tokenMessages[460]
              : tokenMessages.invalid
          : undefined);
      throw errors.serviceError(injected.code ?? 2, injected.subcode, message, injected.httpStatus);
    }
    if (usage.throttle) throw usage.throttle;
    req.principal = authenticate(req, rt);
    body = await dispatchGraph(req, rt);
  } catch (e) {
    if (!(e instanceof GraphError)) request.log.error(e, 'simulator bug');
    failure = e instanceof GraphError ? e : errors.serviceError(1, undefined, 'An unknown error occurred', 500);
    status = failure.httpStatus;
    body = failure.body();
    if (failure.headers) headers = failure.headers;
  }
  record(status, failure, req.principal);
  return reply
    .code(status)
    .headers({
      ...headers,
      'content-type': 'application/json; charset=UTF-8',
      'facebook-api-version': version ?? DEFAULT_VERSION,
      'x-fb-trace-id': newFbtraceId(),
    })
    .send(JSON.stringify(body));
}

function proofMatches(given: string, token: string, secret: string): boolean {
  const expected = Buffer.from(appSecretProof(token, secret));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The caller behind the token: unknown → 190; proof missing or wrong → 100; dead → 190 with its subcode. */
function authenticate(req: GraphRequest, rt: SimRuntime): Principal | null {
  const raw = req.accessToken;
  if (!raw) return null;
  const { appId, appSecret, requireAppSecretProof } = rt.settings;
  const proof = req.params.appsecret_proof;
  if (raw === `${appId}|${appSecret}`) {
    // The app token carries the secret itself; a proof is checked when sent, never required.
    if (proof !== undefined && !proofMatches(proof, raw, appSecret)) throw errors.badProof();
    return { kind: 'APP' };
  }
  const token = rt.world.tokens.get(raw);
  if (!token) throw errors.invalidToken();
  if (proof === undefined) {
    if (requireAppSecretProof) throw errors.missingProof();
  } else if (!proofMatches(proof, raw, appSecret)) throw errors.badProof();
  const problem = rt.world.tokenProblem(token, Date.now());
  if (problem) throw errors.tokenError(problem.subcode, problem.message);
  const user = rt.world.users.get(token.userId);
  if (!user) throw errors.invalidToken();
  if (token.type === 'USER') return { kind: 'USER', token, user };
  const page = token.pageId ? rt.world.pages.get(token.pageId) : undefined;
  if (!page) throw errors.invalidToken();
  return { kind: 'PAGE', token, user, page };
}

/** What the call is counted against: its token, and the Page or ad account for BUC-limited calls. */
function usageSubject(req: GraphRequest, rt: SimRuntime): UsageSubject {
  const { world } = rt;
  const tokenKey = req.accessToken ?? `app:${rt.settings.appId}`;
  const [first, second] = req.segments;
  const token = req.accessToken ? world.tokens.get(req.accessToken) : undefined;
  const id = first === 'me' ? (token?.type === 'PAGE' ? token.pageId : null) : first;
  const node = id ? world.findNode(id) : null;
  let buc: UsageSubject['buc'] = null;
  switch (node?.type) {
    case 'page':
      buc = { objectId: node.page.id, type: second === 'leadgen_forms' ? 'leadgen' : 'pages' };
      break;
    case 'form':
      buc = { objectId: node.form.pageId, type: 'leadgen' };
      break;
    case 'lead':
      buc = { objectId: node.lead.pageId, type: 'leadgen' };
      break;
    case 'ad':
      buc =
        second === 'leads'
          ? { objectId: node.ad.pageId, type: 'leadgen' }
          : { objectId: node.ad.accountId, type: second === 'insights' ? 'ads_insights' : 'ads_management' };
      break;
    case 'adset':
    case 'campaign': {
      const item = node.type === 'adset' ? node.adset : node.campaign;
      buc = { objectId: item.accountId, type: second === 'insights' ? 'ads_insights' : 'ads_management' };
      break;
    }
  }
  return { tokenKey, buc };
}
