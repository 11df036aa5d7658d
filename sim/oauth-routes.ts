import type { FastifyReply } from 'fastify';
import type { GraphRequest, SimRuntime } from './context';
import { errors, GraphError, tokenMessages } from './errors';
import { newAuthCode } from './random';
import { LEAD_ADS_SCOPES, LONG_LIVED_SECONDS, nowSeconds, type SimToken, TEST_USER_ID } from './state';

/**
 * Facebook Login (meta-platform.md §3): the dialog, which auto-approves the test user, the code and long-lived token
 * exchanges of `oauth/access_token`, and `debug_token`.
 */

/** `config_id` (Login for Business) grants the configuration's permissions; ours are Lead Ads plus ads_read. */
const CONFIG_SCOPES = [...LEAD_ADS_SCOPES, 'ads_read'];

export function handleDialog(rt: SimRuntime, params: Record<string, string>, reply: FastifyReply): FastifyReply {
  const { client_id: clientId, redirect_uri: redirectUri, state } = params;
  if (clientId !== rt.settings.appId) {
    return reply
      .code(400)
      .type('text/html; charset=utf-8')
      .send('<h1>Invalid App ID</h1><p>The provided app ID does not look like a valid app ID.</p>');
  }
  let target: URL;
  try {
    target = new URL(redirectUri ?? '');
  } catch {
    return reply
      .code(400)
      .type('text/html; charset=utf-8')
      .send('<h1>URL blocked</h1><p>This redirect failed because the redirect URI is missing or not valid.</p>');
  }
  const add = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) if (v !== undefined) target.searchParams.set(k, v);
  };
  const fault = rt.faults.takeDialog();
  if (fault.deny) {
    add({
      error: 'access_denied',
      error_reason: 'user_denied',
      error_description: 'Permissions error',
      state,
    });
    return reply.redirect(target.toString(), 302);
  }
  const requested = params.scope
    ? params.scope
        .split(/[,\s]+/)
        .map((s) => s.trim())
        .filter(Boolean)
    : params.config_id
      ? CONFIG_SCOPES
      : [];
  rt.world.grantFromDialog(TEST_USER_ID, [...new Set(requested)], fault.decline);
  const code = newAuthCode();
  rt.world.codes.set(code, {
    code,
    userId: TEST_USER_ID,
    redirectUri: redirectUri as string,
    createdAt: Date.now(),
    used: false,
  });
  add({ code, state });
  return reply.redirect(target.toString(), 302);
}

function checkClient(rt: SimRuntime, params: Record<string, string>): void {
  if (!params.client_id) throw errors.invalidParameter('Missing client_id parameter.');
  if (params.client_id !== rt.settings.appId)
    throw new GraphError(101, 'Error validating application. Invalid application ID.');
  if (!params.client_secret) throw errors.invalidParameter('Missing client_secret parameter.');
  if (params.client_secret !== rt.settings.appSecret) throw new GraphError(1, 'Error validating client secret.');
}

const tokenAnswer = (token: SimToken) => ({
  access_token: token.token,
  token_type: 'bearer',
  ...(token.expiresAt === 0 ? {} : { expires_in: Math.max(0, token.expiresAt - nowSeconds()) }),
});

export function handleAccessToken(rt: SimRuntime, req: GraphRequest): unknown {
  const p = req.params;
  if (p.grant_type === 'client_credentials') {
    checkClient(rt, p);
    return { access_token: `${rt.settings.appId}|${rt.settings.appSecret}`, token_type: 'bearer' };
  }
  if (p.grant_type === 'fb_exchange_token') {
    checkClient(rt, p);
    if (!p.fb_exchange_token) throw errors.invalidParameter('Missing fb_exchange_token parameter.');
    const old = rt.world.tokens.get(p.fb_exchange_token);
    if (!old) throw errors.invalidToken();
    const problem = rt.world.tokenProblem(old, Date.now());
    if (problem) throw errors.tokenError(problem.subcode, problem.message);
    if (old.type !== 'USER') throw errors.invalidParameter('fb_exchange_token must be a user access token');
    return tokenAnswer(rt.world.issueUserToken(old.userId, true, LONG_LIVED_SECONDS));
  }
  checkClient(rt, p);
  if (!p.redirect_uri) throw errors.invalidParameter('Missing redirect_uri parameter.');
  if (!p.code) throw errors.invalidParameter('Missing authorization code');
  const code = rt.world.codes.get(p.code);
  if (!code) throw errors.invalidParameter('Invalid verification code format.', 36007);
  if (code.used) throw errors.invalidParameter('This authorization code has been used.', 36009);
  if (Date.now() - code.createdAt > rt.world.codeTtlMs())
    throw errors.invalidParameter('This authorization code has expired.', 36007);
  if (code.redirectUri !== p.redirect_uri)
    throw errors.invalidParameter(
      'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
      36008,
    );
  code.used = true;
  const long = !rt.settings.shortLivedCodeTokens;
  return tokenAnswer(rt.world.issueUserToken(code.userId, long));
}

/** `debug_token`, shaped like `debug-token-valid.json`, `debug-token-page.json` and `debug-token-expired.json`. */
export function handleDebugToken(rt: SimRuntime, req: GraphRequest): unknown {
  if (req.principal?.kind !== 'APP') throw errors.appTokenRequired();
  const input = req.params.input_token;
  if (!input) throw errors.invalidParameter('(#100) The parameter input_token is required');
  const { world, settings } = rt;
  if (input === `${settings.appId}|${settings.appSecret}`) {
    return { data: { app_id: settings.appId, type: 'APP', application: settings.appName, is_valid: true } };
  }
  const token = world.tokens.get(input);
  if (!token) {
    return { data: { error: { code: 190, message: tokenMessages.invalid }, is_valid: false, scopes: [] } };
  }
  const user = world.users.get(token.userId);
  const scopes = user ? world.grantedScopes(user) : [];
  const problem = world.tokenProblem(token, Date.now());
  const base = {
    app_id: settings.appId,
    type: token.type,
    application: settings.appName,
    data_access_expires_at: world.dataAccessExpiresAt(token.userId),
  };
  if (problem) {
    return {
      data: {
        ...base,
        error: { code: 190, message: problem.message, subcode: problem.subcode },
        expires_at: token.expiresAt,
        is_valid: false,
        issued_at: token.issuedAt,
        scopes,
        user_id: token.userId,
      },
    };
  }
  const granular = user
    ? scopes
        .filter((s) => s !== 'public_profile')
        .flatMap((scope) => {
          const targets = world.targetIds(user, scope, token.pageId ?? undefined);
          if (token.type === 'PAGE' && (targets === null || scope.startsWith('ads_'))) return [];
          return [targets === null ? { scope } : { scope, target_ids: targets }];
        })
    : [];
  return {
    data: {
      ...base,
      expires_at: token.expiresAt,
      is_valid: true,
      issued_at: token.issuedAt,
      ...(token.type === 'PAGE' ? { profile_id: token.pageId } : {}),
      scopes,
      granular_scopes: granular,
      user_id: token.userId,
    },
  };
}
