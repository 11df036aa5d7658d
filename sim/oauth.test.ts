import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './index';
import { connectTestUser, FAKE_APP, fixture, graphClient, keyPaths } from './testing';

const REDIRECT = 'https://app.leadsboost.example/api/v1/meta/oauth/callback?x=1';
const FIXTURE_SCOPES: string[] = fixture('debug-token-valid.json').data.scopes.filter(
  (s: string) => s !== 'public_profile',
);

describe('simulator Facebook Login and tokens', () => {
  let sim: Simulator;
  let graph: ReturnType<typeof graphClient>;
  const appToken = `${FAKE_APP.appId}|${FAKE_APP.appSecret}`;

  beforeAll(async () => {
    sim = await startSimulator({ ...FAKE_APP, fast: true });
    graph = graphClient(sim);
    sim.createPage({ name: 'Casa Lisboa Imóveis', instagram: true });
    sim.createPage({ name: 'Sorriso Clinic' });
  });
  afterAll(() => sim?.close());

  const dialog = (params: Record<string, string>) =>
    fetch(`${sim.url}/v25.0/dialog/oauth?${new URLSearchParams(params)}`, { redirect: 'manual' });
  const exchange = (params: Record<string, string>) =>
    graph.get(`oauth/access_token?${new URLSearchParams(params)}`, null);
  const login = async (scope: string) => {
    const res = await dialog({ client_id: sim.appId, redirect_uri: REDIRECT, state: 's', scope });
    return new URL(res.headers.get('location') ?? '').searchParams.get('code') as string;
  };

  it('the dialog auto-approves the test user: 302 to redirect_uri with code and state', async () => {
    const res = await dialog({
      client_id: sim.appId,
      redirect_uri: REDIRECT,
      state: 'nonce-42',
      response_type: 'code',
      scope: 'pages_show_list,leads_retrieval',
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe('https://app.leadsboost.example/api/v1/meta/oauth/callback');
    expect(location.searchParams.get('x')).toBe('1');
    expect(location.searchParams.get('state')).toBe('nonce-42');
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9]{20,}$/);
  });

  it('refuses an unknown client_id', async () => {
    const res = await dialog({ client_id: '123', redirect_uri: REDIRECT, state: 's' });
    expect(res.status).toBe(400);
  });

  it('code exchange (oauth-access-token-responses.json): single use, exact redirect_uri, right secret', async () => {
    const code = await login('pages_show_list');
    const wrongSecret = await exchange({ client_id: sim.appId, client_secret: 'nope', redirect_uri: REDIRECT, code });
    expect(wrongSecret.body.error.code).toBe(1);
    const wrongRedirect = await exchange({
      client_id: sim.appId,
      client_secret: sim.appSecret,
      redirect_uri: 'https://app.leadsboost.example/api/v1/meta/oauth/callback',
      code,
    });
    expect(wrongRedirect.body.error).toMatchObject({ code: 100, error_subcode: 36008 });
    const ok = await exchange({ client_id: sim.appId, client_secret: sim.appSecret, redirect_uri: REDIRECT, code });
    expect(ok.status).toBe(200);
    const f = fixture('oauth-access-token-responses.json');
    expect(keyPaths(ok.body)).toEqual(keyPaths(f.code_exchange));
    expect(ok.body.token_type).toBe('bearer');
    const again = await exchange({ client_id: sim.appId, client_secret: sim.appSecret, redirect_uri: REDIRECT, code });
    expect(again.body.error).toMatchObject({ code: 100, error_subcode: 36009 });
    const bogus = await exchange({
      client_id: sim.appId,
      client_secret: sim.appSecret,
      redirect_uri: REDIRECT,
      code: 'AQx',
    });
    expect(bogus.body.error.code).toBe(100);
  });

  it('fb_exchange_token gives a ~60-day token; an expired token cannot be exchanged', async () => {
    const short = sim.issueUserToken({ longLived: false }).accessToken;
    const res = await exchange({
      grant_type: 'fb_exchange_token',
      client_id: sim.appId,
      client_secret: sim.appSecret,
      fb_exchange_token: short,
    });
    expect(keyPaths(res.body)).toEqual(keyPaths(fixture('oauth-access-token-responses.json').long_lived_exchange));
    expect(res.body.expires_in).toBeGreaterThanOrEqual(5183940);
    expect(res.body.expires_in).toBeLessThanOrEqual(5183944);
    expect(res.body.access_token).not.toBe(short);
    expect((await graph.get('me', res.body.access_token)).status).toBe(200);
    sim.faults.expireToken({ token: short });
    const expired = await exchange({
      grant_type: 'fb_exchange_token',
      client_id: sim.appId,
      client_secret: sim.appSecret,
      fb_exchange_token: short,
    });
    expect(expired.body.error).toMatchObject({ code: 190, error_subcode: 463 });
  });

  describe('debug_token', () => {
    let userToken: string;
    let pageTokens: Record<string, string>;
    beforeAll(async () => {
      ({ userToken, pageTokens } = await connectTestUser(sim, FIXTURE_SCOPES));
    });

    it('a valid long-lived user token (debug-token-valid.json), granular scopes with target ids', async () => {
      const res = await graph.get(`debug_token?input_token=${userToken}`, appToken);
      const f = fixture('debug-token-valid.json');
      expect(keyPaths(res.body)).toEqual(keyPaths(f));
      const d = res.body.data;
      expect(d).toMatchObject({ app_id: sim.appId, type: 'USER', is_valid: true, user_id: sim.testUserId });
      expect([...d.scopes].sort()).toEqual([...f.data.scopes].sort());
      expect(d.granular_scopes.map((g: { scope: string }) => g.scope).sort()).toEqual(
        f.data.granular_scopes.map((g: { scope: string }) => g.scope).sort(),
      );
      const pages = Object.keys(pageTokens);
      const grant = (scope: string) => d.granular_scopes.find((g: { scope: string }) => g.scope === scope);
      expect(grant('leads_retrieval').target_ids.sort()).toEqual(pages.sort());
      expect(grant('instagram_basic').target_ids).toHaveLength(1);
      expect(grant('business_management').target_ids).toBeUndefined();
      expect(d.expires_at - d.issued_at).toBeGreaterThan(5_000_000);
    });

    it('a Page token from a long-lived user token never expires (debug-token-page.json)', async () => {
      const [pageId, token] = Object.entries(pageTokens)[0] as [string, string];
      const res = await graph.get(`debug_token?input_token=${token}`, appToken);
      expect(keyPaths(res.body)).toEqual(keyPaths(fixture('debug-token-page.json')));
      expect(res.body.data).toMatchObject({ type: 'PAGE', expires_at: 0, is_valid: true, profile_id: pageId });
      const pageGrants = res.body.data.granular_scopes.filter(
        (g: { scope: string }) => g.scope.startsWith('pages_') || g.scope === 'leads_retrieval',
      );
      expect(pageGrants.length).toBeGreaterThan(2);
      for (const g of pageGrants) expect(g.target_ids).toEqual([pageId]);
    });

    it('an expired token (debug-token-expired.json)', async () => {
      const token = sim.issueUserToken().accessToken;
      sim.faults.expireToken({ token });
      const res = await graph.get(`debug_token?input_token=${token}`, appToken);
      expect(keyPaths(res.body)).toEqual(keyPaths(fixture('debug-token-expired.json')));
      expect(res.body.data).toMatchObject({ is_valid: false, error: { code: 190, subcode: 463 } });
      expect(res.body.data.expires_at * 1000).toBeLessThan(Date.now());
    });

    it('needs the app token', async () => {
      expect((await graph.get(`debug_token?input_token=${userToken}`, userToken)).body.error.code).toBe(100);
      const unknown = await graph.get('debug_token?input_token=EAAnope', appToken);
      expect(unknown.body.data).toMatchObject({ is_valid: false, error: { code: 190 } });
    });

    it('Page tokens from a short-lived user token expire with it', async () => {
      const short = await startSimulator({ ...FAKE_APP, shortLivedCodeTokens: true });
      try {
        short.createPage({ name: 'P' });
        const { userToken: u, pageTokens: pt } = await connectTestUser(short, ['pages_show_list']);
        const g = graphClient(short);
        const user = await g.get(`debug_token?input_token=${u}`, appToken);
        const page = await g.get(`debug_token?input_token=${Object.values(pt)[0]}`, appToken);
        expect(user.body.data.expires_at).toBeGreaterThan(0);
        expect(page.body.data.expires_at).toBe(user.body.data.expires_at);
      } finally {
        await short.close();
      }
    });
  });

  describe('login faults and revocation', () => {
    it('deny_oauth: the next dialog redirects with error=access_denied, the one after succeeds', async () => {
      sim.faults.denyOAuth();
      const denied = await dialog({
        client_id: sim.appId,
        redirect_uri: REDIRECT,
        state: 'st',
        scope: 'pages_show_list',
      });
      const q = new URL(denied.headers.get('location') ?? '').searchParams;
      expect(denied.status).toBe(302);
      expect(q.get('error')).toBe('access_denied');
      expect(q.get('error_reason')).toBe('user_denied');
      expect(q.get('error_description')).toBeTruthy();
      expect(q.get('state')).toBe('st');
      expect(q.get('code')).toBeNull();
      expect(await login('pages_show_list')).toBeTruthy();
    });

    it('decline_scopes: granted = requested minus declined (debug_token, me/permissions)', async () => {
      sim.faults.declineScopes(['leads_retrieval']);
      const { userToken } = await connectTestUser(sim, ['pages_show_list', 'leads_retrieval', 'pages_manage_ads']);
      const debug = await graph.get(`debug_token?input_token=${userToken}`, appToken);
      expect([...debug.body.data.scopes].sort()).toEqual(['pages_manage_ads', 'pages_show_list', 'public_profile']);
      const perms = await graph.get('me/permissions', userToken);
      expect(perms.body.data).toContainEqual({ permission: 'leads_retrieval', status: 'declined' });
      expect(perms.body.data).toContainEqual({ permission: 'pages_show_list', status: 'granted' });
    });

    it('DELETE /{user}/permissions/{perm} drops one grant; DELETE /{user}/permissions kills every token (190/458)', async () => {
      const { userToken, pageTokens } = await connectTestUser(sim, ['pages_show_list', 'leads_retrieval']);
      const one = await graph.del(`${sim.testUserId}/permissions/leads_retrieval`, userToken);
      expect(one.body).toEqual({ success: true });
      const debug = await graph.get(`debug_token?input_token=${userToken}`, appToken);
      expect(debug.body.data.scopes).not.toContain('leads_retrieval');
      const all = await graph.del(`${sim.testUserId}/permissions`, userToken);
      expect(all.body).toEqual({ success: true });
      expect((await graph.get('me', userToken)).body.error).toMatchObject({ code: 190, error_subcode: 458 });
      const pageToken = Object.values(pageTokens)[0] as string;
      expect((await graph.get('me', pageToken)).body.error).toMatchObject({ code: 190, error_subcode: 458 });
      // Logging in again gives working tokens.
      const again = await connectTestUser(sim, ['pages_show_list']);
      expect((await graph.get('me', again.userToken)).status).toBe(200);
    });
  });
});
