import type { Config } from '../../app/config';
import type { Db } from '../../db/client';
import type { JobQueue } from '../../jobs/queue';
import { chunks } from '../../lib/chunks';
import { AppError, forbidden, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Logger } from '../../lib/logger';
import type { Mailer } from '../../lib/mailer';
import type { SignedTokens } from '../../lib/signed-token';
import { type Actor, type AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { emailHtml, escapeHtml } from '../auth/auth.emails';
import type { Principal, WorkspaceAccess } from '../auth/principal';
import { roleCan } from '../workspaces/permissions';
import type { WorkspacesRepository } from '../workspaces/workspaces.repository';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import type { MetaCredentials } from './credentials';
import type { MetaErasure } from './erasure';
import { type GraphClient, GraphError } from './graph-client';
import { reconnectReason } from './meta.errors';
import { CAPTURE_BATCH_MAX, metaCaptureBatch, metaReconcile, metaReconnectEmail } from './meta.jobs';
import type { MetaConnectionRow, MetaRepository } from './meta.repository';
import { compareScopes, type MetaFeature, scopesFor } from './scopes';

const STATE_PURPOSE = 'meta_oauth';
const STATE_TTL_SECONDS = 15 * 60;
export const SETTINGS_PATH = '/settings/integrations/facebook';
/** The Facebook settings page of one workspace (a person in several workspaces lands in the right one). */
export const settingsPathOf = (workspaceId: string) => `/w/${workspaceId}${SETTINGS_PATH}`;

interface DebugTokenData {
  is_valid?: boolean;
  expires_at?: number;
  data_access_expires_at?: number;
  scopes?: string[];
  error?: { code?: number; subcode?: number; message?: string };
}

const fromUnix = (s: unknown) => (typeof s === 'number' && s > 0 ? new Date(s * 1000) : null);

export function connectionView(row: MetaConnectionRow) {
  const scopes = compareScopes(row.requestedScopes, row.grantedScopes);
  return {
    id: row.id,
    status: row.status,
    statusReason: row.statusReason,
    fbUserName: row.fbUserName,
    grantedScopes: row.grantedScopes,
    missingScopes: scopes.missing,
    extraScopes: scopes.extra,
    tokenExpiresAt: row.tokenExpiresAt,
    connectedAt: row.createdAt,
  };
}

/**
 * The workspace's Facebook connection: Facebook Login (OAuth with a signed state, long-lived token, granted scopes,
 * consent P31), its health (`debug_token` on a schedule and whenever Meta refuses a token, email to the admins once),
 * and disconnecting it with everything that came from it (P12).
 */
/** What `debug_token` said of a connection's tokens. */
export type TokenVerdict = 'valid' | 'invalid' | 'unknown';

export class MetaConnectionService {
  /** Workspace → the `debug_token` check running for a 190 (see `confirmRefusal`). */
  private readonly confirming = new Map<string, Promise<TokenVerdict>>();

  constructor(
    private readonly deps: {
      db: Db;
      config: Config;
      repo: MetaRepository;
      graph: GraphClient;
      credentials: MetaCredentials;
      tokens: SignedTokens;
      queue: JobQueue;
      audit: AuditService;
      workspaces: WorkspacesService;
      workspacesRepo: WorkspacesRepository;
      erasure: MetaErasure;
      mailer: Mailer;
      log: Logger;
    },
  ) {}

  private get redirectUri() {
    return `${this.deps.config.publicUrl}/api/v1/meta/oauth/callback`;
  }

  assertConfigured(): void {
    if (!this.deps.config.metaEnabled) {
      throw new AppError(
        'meta_not_configured',
        'Facebook is not configured on this server (META_APP_ID and META_APP_SECRET).',
      );
    }
  }

  /** The connection a request works with: it must exist and, for calls with its user token, be healthy. */
  async requireConnection(workspaceId: string, options: { active?: boolean } = {}): Promise<MetaConnectionRow> {
    const connection = await this.deps.repo.getConnection(workspaceId);
    if (!connection) throw new AppError('meta_not_connected', 'Connect Facebook first.');
    if (options.active && connection.status !== 'active') {
      throw new AppError('meta_reconnect_required', connection.statusReason ?? 'Reconnect Facebook first.');
    }
    return connection;
  }

  // Facebook Login

  startOAuth(access: WorkspaceAccess, features: MetaFeature[] = []) {
    this.deps.workspaces.assertCan(access, 'integrations.manage');
    this.assertConfigured();
    if (access.principal.kind !== 'session') {
      throw forbidden('Connecting Facebook needs a person signed in to LeadsBoost, not an API key.');
    }
    const scopes = scopesFor(features);
    const state = this.deps.tokens.sign(
      STATE_PURPOSE,
      [access.workspaceId, access.principal.userId, features.join(',')],
      STATE_TTL_SECONDS,
    );
    const { config, graph } = this.deps;
    const params = new URLSearchParams({
      client_id: config.META_APP_ID,
      redirect_uri: this.redirectUri,
      state,
      response_type: 'code',
      scope: scopes.join(','),
    });
    const url = `${config.META_DIALOG_URL.replace(/\/$/, '')}/${graph.version}/dialog/oauth?${params}`;
    return { url, scopes };
  }

  /**
   * The Login dialog's redirect: checks the state against the signed-in person, exchanges the code for a long-lived
   * token and stores the connection. Answers the web address to send the browser to (never throws).
   */
  async finishOAuth(
    principal: Principal | null,
    query: { code?: string; state?: string; error?: string },
  ): Promise<string> {
    const fail = (code: string) => `${SETTINGS_PATH}?error=${code}`;
    if (!this.deps.config.metaEnabled) return fail('meta_not_configured');
    const fields = query.state ? this.deps.tokens.verify(STATE_PURPOSE, query.state) : null;
    if (!fields || fields.length < 3) return fail('invalid_state');
    const [workspaceId, userId, featureList] = fields as [string, string, string];
    if (principal?.kind !== 'session' || principal.userId !== userId) return fail('wrong_user');
    let access: WorkspaceAccess;
    try {
      access = await this.deps.workspaces.access(principal, workspaceId);
      this.deps.workspaces.assertCan(access, 'integrations.manage');
    } catch {
      return fail('forbidden');
    }
    // From here on the person may manage this workspace: answers go to its own settings page.
    const failHere = (code: string) => `${settingsPathOf(workspaceId)}?error=${code}`;
    if (query.error) return failHere(query.error === 'access_denied' ? 'access_denied' : 'facebook_error');
    if (!query.code) return failHere('facebook_error');
    const features = featureList.split(',').filter(Boolean) as MetaFeature[];
    const { graph, config } = this.deps;
    let userToken: string;
    let me: { id?: string; name?: string };
    let debug: DebugTokenData;
    try {
      const short = await graph.get<{ access_token?: string }>(
        'oauth/access_token',
        {
          client_id: config.META_APP_ID,
          redirect_uri: this.redirectUri,
          client_secret: config.META_APP_SECRET,
          code: query.code,
        },
        null,
      );
      if (!short.access_token) return failHere('facebook_error');
      const long = await graph.get<{ access_token?: string }>(
        'oauth/access_token',
        {
          grant_type: 'fb_exchange_token',
          client_id: config.META_APP_ID,
          client_secret: config.META_APP_SECRET,
          fb_exchange_token: short.access_token,
        },
        null,
      );
      userToken = long.access_token ?? short.access_token;
      me = await graph.get<{ id?: string; name?: string }>('me', { fields: 'id,name' }, userToken);
      debug =
        (await graph.get<{ data?: DebugTokenData }>('debug_token', { input_token: userToken }, graph.appToken)).data ??
        {};
    } catch (error) {
      if (error instanceof GraphError) {
        this.deps.log.warn({ kind: error.kind, code: error.code }, 'Facebook Login could not be completed');
        return failHere('facebook_error');
      }
      throw error;
    }
    if (!me.id || !/^\d{1,40}$/.test(me.id)) return failHere('facebook_error');
    await this.saveConnection(access, {
      fbUserId: me.id,
      fbUserName: (me.name ?? '').slice(0, 200),
      userToken,
      requested: scopesFor(features),
      granted: Array.isArray(debug.scopes) ? debug.scopes.filter((s) => typeof s === 'string') : [],
      tokenExpiresAt: fromUnix(debug.expires_at),
      dataAccessExpiresAt: fromUnix(debug.data_access_expires_at),
    });
    return `${settingsPathOf(workspaceId)}?connected=1`;
  }

  private async saveConnection(
    access: WorkspaceAccess,
    input: {
      fbUserId: string;
      fbUserName: string;
      userToken: string;
      requested: string[];
      granted: string[];
      tokenExpiresAt: Date | null;
      dataAccessExpiresAt: Date | null;
    },
  ): Promise<void> {
    const { db, repo, credentials, audit } = this.deps;
    const workspaceId = access.workspaceId;
    const userId = access.principal.kind === 'session' ? access.principal.userId : null;
    const { missing, missingRequired } = compareScopes(input.requested, input.granted);
    const now = new Date();
    const status = missingRequired.length ? ('needs_reconnect' as const) : ('active' as const);
    const statusReason = missingRequired.length
      ? `Facebook did not grant ${missingRequired.join(', ')}, which lead capture needs. Reconnect Facebook and allow every permission.`
      : null;
    const previous = await db.transaction(async (tx) => {
      const existing = await repo.lockConnection(tx, workspaceId);
      const id = existing?.id ?? newId();
      const fields = {
        fbUserId: input.fbUserId,
        fbUserName: input.fbUserName,
        userToken: credentials.sealUserToken(id, input.userToken),
        tokenExpiresAt: input.tokenExpiresAt,
        dataAccessExpiresAt: input.dataAccessExpiresAt,
        requestedScopes: input.requested,
        grantedScopes: input.granted,
        status,
        statusReason,
        // The admin is here, seeing any problem: no email about it. A later failure alerts again.
        alertedAt: status === 'active' ? null : now,
        lastCheckedAt: now,
        connectedBy: userId,
      };
      if (existing) await repo.updateConnection(tx, workspaceId, fields);
      else await repo.insertConnection(tx, { workspaceId, id, ...fields });
      if (!(await repo.hasActiveConsent(tx, workspaceId, 'meta_connection'))) {
        await repo.insertConsent(tx, {
          workspaceId,
          id: newId(),
          subjectType: 'workspace',
          subjectId: workspaceId,
          purpose: 'meta_connection',
          method: 'facebook_login',
          details: { scopes: input.granted },
          grantedBy: userId,
        });
      }
      await audit.record(
        {
          workspaceId,
          actor: access.actor,
          action: existing ? 'meta.reconnected' : 'meta.connected',
          target: { type: 'meta_connection', id },
          metadata: { grantedScopes: input.granted, missingScopes: missing },
        },
        tx,
      );
      return existing;
    });
    if (previous) await this.afterReconnect(workspaceId, input.userToken);
  }

  /**
   * A new login also renews the Page tokens (a password change or an expiry kills them too), then every capture
   * that waited for the connection is queued again.
   */
  private async afterReconnect(workspaceId: string, userToken: string): Promise<void> {
    const { db, repo, graph, credentials, queue } = this.deps;
    const pages = await repo.listPages(workspaceId);
    if (pages.length) {
      try {
        const tokens = new Map<string, string>();
        for await (const batch of graph.pages<{ id?: string; access_token?: string }>(
          'me/accounts',
          { fields: 'id,access_token', limit: 100 },
          userToken,
        )) {
          for (const a of batch) if (a.id && a.access_token) tokens.set(a.id, a.access_token);
        }
        await db.transaction(async (tx) => {
          for (const page of pages) {
            const token = tokens.get(page.pageId);
            if (token) {
              await repo.updatePage(tx, workspaceId, page.id, {
                pageToken: credentials.sealPageToken(page.id, token),
                lastError: null,
              });
            }
          }
        });
      } catch (error) {
        if (!(error instanceof GraphError)) throw error;
        this.deps.log.warn({ kind: error.kind, code: error.code }, 'Page tokens could not be renewed');
      }
    }
    const pending = await db.transaction(async (tx) => {
      // And a reconciliation, for what arrived while the tokens were refused.
      await queue.send(metaReconcile, { workspaceId }, { tx });
      const ids = await repo.pendingLeadgenIds(tx, workspaceId);
      await queue.sendMany(
        metaCaptureBatch,
        chunks(ids, CAPTURE_BATCH_MAX).map((chunk) => ({
          captures: chunk.map((leadgenId) => ({ workspaceId, leadgenId })),
        })),
        { tx },
      );
      return ids.length;
    });
    if (pending) queue.wake(metaCaptureBatch);
  }

  // Health

  /**
   * Marks the connection as needing the admin (Meta refused its token, or a scope is gone) and emails the admins,
   * once per problem: `alerted_at` is cleared only by a successful reconnect.
   */
  async markNeedsReconnect(
    workspaceId: string,
    reason: string,
    options: { since?: Date; actor?: Actor } = {},
  ): Promise<'marked' | 'stale'> {
    const { db, repo, queue, audit } = this.deps;
    const actor = options.actor ?? SYSTEM_ACTOR;
    return db.transaction(async (tx) => {
      const connection = await repo.lockConnection(tx, workspaceId);
      if (!connection) return 'marked';
      // Reconnected (new tokens) while the refused call was in flight: the refusal says nothing about them.
      if (options.since && connection.status === 'active' && connection.updatedAt > options.since) return 'stale';
      const alert = connection.alertedAt === null;
      if (connection.status === 'needs_reconnect' && connection.statusReason === reason && !alert) return 'marked';
      await repo.updateConnection(tx, workspaceId, {
        status: 'needs_reconnect',
        statusReason: reason,
        ...(alert ? { alertedAt: new Date() } : {}),
      });
      if (connection.status !== 'needs_reconnect') {
        await audit.record(
          {
            workspaceId,
            actor,
            action: 'meta.needs_reconnect',
            target: { type: 'meta_connection', id: connection.id },
          },
          tx,
        );
      }
      if (alert) await queue.send(metaReconnectEmail, { workspaceId }, { tx });
      return 'marked';
    });
  }

  /** `meta.token_check`: `debug_token` on every connection's user token and each Page token. */
  async checkAll(): Promise<void> {
    for (const connection of await this.deps.repo.allConnections()) {
      try {
        await this.check(connection);
      } catch (error) {
        this.deps.log.warn({ err: error, workspaceId: connection.workspaceId }, 'Meta token check failed');
      }
    }
  }

  /**
   * Meta answered 190 (token refused): `debug_token` decides. A dead user or Page token marks the connection (by
   * `check`) → 'invalid'; tokens Meta still calls valid → 'valid' (the call is retried, the admin is not bothered);
   * Meta unreachable → 'unknown' (the caller trusts the 190). Concurrent refusals in one workspace share one check.
   */
  confirmRefusal(workspaceId: string): Promise<TokenVerdict> {
    const running = this.confirming.get(workspaceId);
    if (running) return running;
    const check = (async (): Promise<TokenVerdict> => {
      const connection = await this.deps.repo.getConnection(workspaceId);
      if (!connection) return 'invalid';
      try {
        return await this.check(connection);
      } catch (error) {
        if (error instanceof GraphError) return 'unknown';
        throw error;
      }
    })().finally(() => this.confirming.delete(workspaceId));
    this.confirming.set(workspaceId, check);
    return check;
  }

  async check(connection: MetaConnectionRow): Promise<TokenVerdict> {
    const { repo, graph, credentials, db } = this.deps;
    const workspaceId = connection.workspaceId;
    const debug = async (token: string) =>
      (await graph.get<{ data?: DebugTokenData }>('debug_token', { input_token: token }, graph.appToken)).data ?? {};
    let user: DebugTokenData;
    try {
      user = await debug(credentials.userToken(connection));
    } catch (error) {
      // Meta unreachable or throttling us: the next check will tell.
      if (error instanceof GraphError && (error.kind === 'transient' || error.kind === 'rate_limited')) {
        return 'unknown';
      }
      throw error;
    }
    if (!user.is_valid) {
      await this.markNeedsReconnect(
        workspaceId,
        reconnectReason({ code: user.error?.code ?? 190, subcode: user.error?.subcode ?? null }),
      );
      return 'invalid';
    }
    const granted = Array.isArray(user.scopes) ? user.scopes.filter((s) => typeof s === 'string') : [];
    await db.transaction(async (tx) => {
      await repo.updateConnection(tx, workspaceId, {
        tokenExpiresAt: fromUnix(user.expires_at),
        dataAccessExpiresAt: fromUnix(user.data_access_expires_at),
        grantedScopes: granted,
        lastCheckedAt: new Date(),
      });
    });
    const { missingRequired } = compareScopes(connection.requestedScopes, granted);
    if (missingRequired.length) {
      await this.markNeedsReconnect(
        workspaceId,
        `Facebook permission ${missingRequired.join(', ')} was removed; lead capture needs it. Reconnect Facebook and allow it.`,
      );
      return 'invalid';
    }
    let verdict: TokenVerdict = 'valid';
    for (const page of await repo.listPages(workspaceId)) {
      const info = await debug(credentials.pageToken(page));
      if (info.is_valid) continue;
      const reason = reconnectReason({ code: info.error?.code ?? 190, subcode: info.error?.subcode ?? null });
      await db.transaction((tx) => repo.updatePage(tx, workspaceId, page.id, { lastError: reason }));
      await this.markNeedsReconnect(workspaceId, reason);
      verdict = 'invalid';
    }
    return verdict;
  }

  /** `meta.reconnect_email`: tells the workspace's owners and admins, if the problem is still there. */
  async sendReconnectEmail(workspaceId: string): Promise<void> {
    const connection = await this.deps.repo.getConnection(workspaceId);
    if (connection?.status !== 'needs_reconnect') return;
    const workspace = await this.deps.workspacesRepo.getWorkspace(workspaceId);
    const admins = (await this.deps.workspacesRepo.listMembers(workspaceId)).filter((m) =>
      roleCan(m.role, 'integrations.manage'),
    );
    const link = `${this.deps.config.publicUrl}${settingsPathOf(workspaceId)}`;
    const reason = connection.statusReason ?? 'Facebook no longer accepts the saved login.';
    const name = workspace?.name ?? 'your workspace';
    for (const admin of admins) {
      await this.deps.mailer.send({
        to: admin.email,
        subject: `Reconnect Facebook to keep receiving leads in ${name}`,
        text: `Hi ${admin.name},\n\nLeadsBoost can no longer read leads from Facebook for ${name}.\n\n${reason}\n\nLeads that arrive meanwhile are kept and captured as soon as Facebook is reconnected:\n\n${link}\n`,
        html: emailHtml(
          `Hi ${escapeHtml(admin.name)},`,
          `LeadsBoost can no longer read leads from Facebook for ${escapeHtml(name)}. ${escapeHtml(reason)}`,
          link,
          'Reconnect Facebook',
        ),
      });
    }
  }

  // Disconnecting

  /** Unsubscribes every Page, deletes what came only from them (P12), the connection and its token; consent withdrawn. */
  async disconnect(
    access: WorkspaceAccess,
    deleteData: boolean,
  ): Promise<{ deleted: { leads: number; contacts: number } }> {
    this.deps.workspaces.assertCan(access, 'integrations.manage');
    const { db, repo, audit, erasure } = this.deps;
    const workspaceId = access.workspaceId;
    const connection = await repo.getConnection(workspaceId);
    if (!connection) throw notFound('The Facebook connection');
    assertConfirmed(deleteData);
    const pages = await repo.listPages(workspaceId);
    for (const page of pages) await this.unsubscribe(page);
    const deleted = await db.transaction(async (tx) => {
      // Captures in flight finish first (and are erased too), or find the Pages gone.
      await repo.lockPages(
        tx,
        workspaceId,
        pages.map((p) => p.id),
        'update',
      );
      const counts = await erasure.erasePages(
        tx,
        workspaceId,
        pages.map((p) => p.id),
      );
      await repo.deleteConnection(tx, workspaceId);
      await repo.withdrawConsents(
        tx,
        workspaceId,
        'meta_connection',
        access.actor.type === 'user' ? access.actor.id : null,
      );
      await audit.record(
        {
          workspaceId,
          actor: access.actor,
          action: 'meta.disconnected',
          target: { type: 'meta_connection', id: connection.id },
          metadata: { pages: pages.length, ...counts },
        },
        tx,
      );
      return counts;
    });
    return { deleted };
  }

  /** Best effort: a Page whose token is already dead cannot be unsubscribed, and Meta stops delivering anyway. */
  async unsubscribe(page: { id: string; pageId: string; pageToken: string }): Promise<void> {
    try {
      await this.deps.graph.delete(`${page.pageId}/subscribed_apps`, {}, this.deps.credentials.pageToken(page));
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
    }
  }
}

export function assertConfirmed(deleteData: boolean): void {
  if (!deleteData) {
    throw new AppError(
      'confirmation_required',
      'Disconnecting deletes every lead and contact detail that came only from Facebook. Send deleteData=true to confirm.',
    );
  }
}
