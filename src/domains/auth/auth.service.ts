import type { Config } from '../../app/config';
import type { Db, DbOrTx } from '../../db/client';
import type { PolicyAcknowledgementMethod } from '../../db/schema';
import type { JobQueue } from '../../jobs/queue';
import type { Keyring } from '../../lib/crypto';
import { AppError } from '../../lib/errors';
import { newId, randomToken, sha256 } from '../../lib/ids';
import { normaliseEmail, toE164 } from '../../lib/phone';
import type { SignedTokens } from '../../lib/signed-token';
import { describeUserAgent } from '../../lib/user-agent';
import { type Actor, type AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { seedWorkspaceDefaults } from '../pipelines/pipelines.service';
import type { PrivacyPolicyService } from '../privacy/policy.service';
import type { WorkspacesRepository } from '../workspaces/workspaces.repository';
import { sendPasswordResetEmail, sendVerificationEmail } from './auth.jobs';
import type { AuthRepository, SessionRow, UserRow } from './auth.repository';
import type { LoginThrottle } from './login-throttle';
import { checkTotp, hashRecoveryCode, looksLikeRecoveryCode } from './mfa';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords';
import type { RequestOrigin } from './principal';

export interface PublicUser {
  id: string;
  name: string;
  email: string;
  phone: string;
  emailVerified: boolean;
  mfaEnabled: boolean;
  createdAt: Date;
}

export const toPublicUser = (u: UserRow): PublicUser => ({
  id: u.id,
  name: u.name,
  email: u.email,
  phone: u.phone,
  emailVerified: u.emailVerifiedAt !== null,
  mfaEnabled: u.mfaEnabledAt !== null,
  createdAt: u.createdAt,
});

export interface StartedSession {
  token: string;
  session: SessionRow;
  user: UserRow;
}

export type LoginResult = ({ status: 'ok' } & StartedSession) | { status: 'mfa_required'; mfaToken: string };

const VERIFY_EMAIL_TTL = 3 * 24 * 3600;
const RESET_TTL_MINUTES = 60;
const MFA_STEP_TTL = 5 * 60;

/** Accounts and sign-in: sign-up, sessions, email verification, password reset, second factor at sign-in. */
export class AuthService {
  constructor(
    private readonly deps: {
      db: Db;
      config: Config;
      repo: AuthRepository;
      workspaces: WorkspacesRepository;
      audit: AuditService;
      queue: JobQueue;
      keyring: Keyring;
      tokens: SignedTokens;
      throttle: LoginThrottle;
      policy: PrivacyPolicyService;
    },
  ) {}

  /** P1: exactly name, email, phone, password and company name; makes the user and their first workspace. */
  async signup(
    input: { name: string; email: string; phone: string; password: string; companyName: string },
    origin: RequestOrigin,
  ): Promise<StartedSession & { workspaceId: string }> {
    const { db, repo, workspaces, audit, queue } = this.deps;
    const email = normaliseEmail(input.email);
    const phone = this.parsePhone(input.phone);
    if (await repo.findUserByEmail(email)) {
      throw new AppError('email_taken', 'An account with this email already exists. Sign in instead.');
    }
    const passwordHash = await hashPassword(input.password);
    return db.transaction(async (tx) => {
      const user = await this.insertUser(
        tx,
        { name: input.name.trim(), email, phone, passwordHash, verified: false },
        { method: 'signup', origin },
      );
      const workspace = await workspaces.insertWorkspace(tx, { id: newId(), name: input.companyName.trim() });
      await workspaces.addMember(tx, workspace.id, user.id, 'owner');
      await seedWorkspaceDefaults(tx, workspace.id);
      const started = await this.openSession(tx, user, origin);
      const actor = { type: 'user' as const, id: user.id, sessionId: started.session.id, ...origin };
      await audit.record({ workspaceId: null, actor, action: 'auth.signup' }, tx);
      await audit.record(
        {
          workspaceId: workspace.id,
          actor,
          action: 'workspace.created',
          target: { type: 'workspace', id: workspace.id },
        },
        tx,
      );
      await queue.send(sendVerificationEmail, { userId: user.id }, { tx });
      return { ...started, workspaceId: workspace.id };
    });
  }

  /**
   * Creates an account inside the caller's transaction (sign-up, registering from an invitation, the demo's
   * accounts). The form that creates it shows the privacy policy, so the account accepts its current version (P34):
   * `policy` says how, and from where (`origin`: null when the server itself makes the account).
   */
  async insertUser(
    tx: DbOrTx,
    input: { name: string; email: string; phone: string; passwordHash: string; verified: boolean },
    policy: { method: PolicyAcknowledgementMethod; origin: RequestOrigin | null },
  ): Promise<UserRow> {
    let user: UserRow;
    try {
      user = await this.deps.repo.insertUser(tx, {
        id: newId(),
        name: input.name,
        email: input.email,
        phone: input.phone,
        passwordHash: input.passwordHash,
        emailVerifiedAt: input.verified ? new Date() : null,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError('email_taken', 'An account with this email already exists. Sign in instead.');
      }
      throw error;
    }
    const actor: Actor = policy.origin ? { type: 'user', id: user.id, ...policy.origin } : SYSTEM_ACTOR;
    await this.deps.policy.recordAcceptance(tx, user.id, policy.method, actor);
    return user;
  }

  parsePhone(phone: string, defaultCountry = 'MY'): string {
    const e164 = toE164(phone, defaultCountry);
    if (!e164) {
      throw new AppError(
        'validation_failed',
        'Enter a valid phone number, with its country code (for example +60 12 345 6789).',
        {
          details: [{ path: 'phone', message: 'Not a valid phone number' }],
        },
      );
    }
    return e164;
  }

  async login(input: { email: string; password: string }, origin: RequestOrigin): Promise<LoginResult> {
    const { repo, throttle, audit, tokens } = this.deps;
    const email = normaliseEmail(input.email);
    try {
      await throttle.assertAllowed(email, origin.ip);
    } catch (error) {
      await audit.record({
        workspaceId: null,
        actor: { type: 'anonymous', id: null, ...origin },
        action: 'auth.login_failed',
        metadata: { reason: 'locked' },
      });
      throw error;
    }
    const user = await repo.findUserByEmail(email);
    let ok = false;
    if (user) ok = await verifyPassword(user.passwordHash, input.password);
    else await burnPasswordCheck(input.password);
    if (!user || !ok) {
      await throttle.recordFailure(email, origin.ip);
      await audit.record({
        workspaceId: null,
        actor: user ? { type: 'user', id: user.id, ...origin } : { type: 'anonymous', id: null, ...origin },
        action: 'auth.login_failed',
        metadata: { reason: user ? 'wrong_password' : 'unknown_account' },
      });
      throw new AppError('invalid_credentials', 'The email or password is not correct.');
    }
    if (user.mfaEnabledAt) {
      return {
        status: 'mfa_required',
        mfaToken: tokens.sign('mfa-login', [user.id, user.passwordHash.slice(-16)], MFA_STEP_TTL),
      };
    }
    await throttle.recordSuccess(email);
    return { status: 'ok', ...(await this.completeLogin(user, origin, 'password')) };
  }

  /** Second step of a sign-in with 2FA: a TOTP code or a one-time recovery code. */
  async loginWithMfa(input: { mfaToken: string; code: string }, origin: RequestOrigin): Promise<StartedSession> {
    const { repo, tokens, throttle, audit } = this.deps;
    const fields = tokens.verify('mfa-login', input.mfaToken);
    const user = fields ? await repo.findUserById(fields[0]!) : undefined;
    if (!fields || !user || user.passwordHash.slice(-16) !== fields[1] || !user.mfaEnabledAt) {
      throw new AppError('invalid_token', 'This sign-in step has expired. Sign in again.');
    }
    await throttle.assertAllowed(user.email, origin.ip);
    const method = await this.consumeSecondFactor(user, input.code);
    if (!method) {
      await throttle.recordFailure(user.email, origin.ip);
      await audit.record({
        workspaceId: null,
        actor: { type: 'user', id: user.id, ...origin },
        action: 'auth.login_failed',
        metadata: { reason: 'wrong_mfa_code' },
      });
      throw new AppError(
        'invalid_mfa_code',
        'That code is not correct. Enter the current 6-digit code or a recovery code.',
      );
    }
    await throttle.recordSuccess(user.email);
    return this.completeLogin(user, origin, method);
  }

  /** Verifies a TOTP or recovery code for this user and records it as used. Returns how, or null. */
  async consumeSecondFactor(user: UserRow, code: string): Promise<'totp' | 'recovery_code' | null> {
    const { repo, keyring } = this.deps;
    if (!user.mfaSecret) return null;
    const trimmed = code.replace(/\s+/g, '');
    if (looksLikeRecoveryCode(trimmed)) {
      const hash = hashRecoveryCode(trimmed);
      if (!user.mfaRecoveryCodes.includes(hash)) return null;
      await repo.updateUser(user.id, { mfaRecoveryCodes: user.mfaRecoveryCodes.filter((h) => h !== hash) });
      return 'recovery_code';
    }
    const step = await checkTotp(keyring.decrypt(user.mfaSecret, `mfa:${user.id}`), trimmed, user.mfaLastStep);
    if (step === null) return null;
    await repo.updateUser(user.id, { mfaLastStep: step });
    return 'totp';
  }

  private async completeLogin(user: UserRow, origin: RequestOrigin, method: string): Promise<StartedSession> {
    const { db, repo, audit } = this.deps;
    return db.transaction(async (tx) => {
      const started = await this.openSession(tx, user, origin);
      await repo.updateUser(user.id, { lastLoginAt: new Date() }, tx);
      await audit.record(
        {
          workspaceId: null,
          actor: { type: 'user', id: user.id, sessionId: started.session.id, ...origin },
          action: 'auth.login',
          metadata: { method },
        },
        tx,
      );
      return started;
    });
  }

  /**
   * A session opened by the server itself for a known user, without a password: only the demo uses it ("Try the
   * demo" on a sandbox install signs the visitor in as the demo owner).
   */
  async startSessionFor(userId: string, origin: RequestOrigin): Promise<StartedSession> {
    const user = await this.deps.repo.findUserById(userId);
    if (!user) throw new AppError('not_found', 'This account was not found.');
    return this.deps.db.transaction(async (tx) => {
      const started = await this.openSession(tx, user, origin);
      const actor = { type: 'user' as const, id: user.id, sessionId: started.session.id, ...origin };
      await this.deps.audit.record(
        { workspaceId: null, actor, action: 'auth.login', metadata: { method: 'demo' } },
        tx,
      );
      return started;
    });
  }

  /** A new random session id at every sign-in (never reused from before sign-in). */
  private async openSession(tx: DbOrTx, user: UserRow, origin: RequestOrigin): Promise<StartedSession> {
    const token = randomToken(32);
    const now = new Date();
    const session = await this.deps.repo.insertSession(
      {
        id: newId(),
        userId: user.id,
        tokenHash: sha256(token),
        ip: origin.ip,
        userAgent: origin.userAgent?.slice(0, 512) ?? null,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + this.deps.config.SESSION_ABSOLUTE_HOURS * 3600_000),
      },
      tx,
    );
    return { token, session, user };
  }

  /**
   * The session behind a cookie value, or null when it is unknown, revoked, past its absolute lifetime or idle for
   * longer than the idle timeout. Refreshes last-seen at most once a minute.
   */
  async resolveSession(token: string): Promise<{ session: SessionRow; user: UserRow } | null> {
    const { repo, config } = this.deps;
    const found = await repo.findLiveSessionWithUser(sha256(token));
    if (!found) return null;
    const { session, user } = found;
    const now = Date.now();
    if (now - session.lastSeenAt.getTime() > config.SESSION_IDLE_MINUTES * 60_000) return null;
    if (now - session.lastSeenAt.getTime() > 60_000) await repo.touchSession(session.id, new Date(now));
    return { session, user };
  }

  async logout(userId: string, sessionId: string, origin: RequestOrigin): Promise<void> {
    await this.deps.repo.revokeSession(userId, sessionId);
    await this.deps.audit.record({
      workspaceId: null,
      actor: { type: 'user', id: userId, sessionId, ...origin },
      action: 'auth.logout',
    });
  }

  csrfTokenFor(sessionId: string): string {
    return this.deps.keyring.mac('csrf', sessionId);
  }

  csrfTokenMatches(sessionId: string, presented: string): boolean {
    return this.deps.keyring.macMatches('csrf', sessionId, presented);
  }

  async listSessions(userId: string, currentSessionId: string) {
    const idleSince = new Date(Date.now() - this.deps.config.SESSION_IDLE_MINUTES * 60_000);
    const rows = await this.deps.repo.listLiveSessions(userId, idleSince);
    return rows.map((s) => ({
      id: s.id,
      device: describeUserAgent(s.userAgent),
      ip: s.ip,
      userAgent: s.userAgent,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      current: s.id === currentSessionId,
    }));
  }

  async revokeSession(userId: string, sessionId: string, actorSessionId: string, origin: RequestOrigin): Promise<void> {
    const revoked = await this.deps.repo.revokeSession(userId, sessionId);
    if (!revoked) throw new AppError('not_found', 'This session was not found.');
    await this.deps.audit.record({
      workspaceId: null,
      actor: { type: 'user', id: userId, sessionId: actorSessionId, ...origin },
      action: 'auth.session_revoked',
      target: { type: 'session', id: sessionId },
    });
  }

  /** The link sent by email: signed, bound to the address it was sent to, valid for three days. */
  verificationToken(user: UserRow): string {
    return this.deps.tokens.sign('verify-email', [user.id, user.email], VERIFY_EMAIL_TTL);
  }

  async verifyEmail(token: string): Promise<void> {
    const fields = this.deps.tokens.verify('verify-email', token);
    const user = fields ? await this.deps.repo.findUserById(fields[0]!) : undefined;
    if (!fields || !user || user.email !== fields[1]) {
      throw new AppError('invalid_token', 'This verification link is not valid or has expired. Ask for a new one.');
    }
    if (!user.emailVerifiedAt) {
      await this.deps.repo.updateUser(user.id, { emailVerifiedAt: new Date() });
      await this.deps.audit.record({
        workspaceId: null,
        actor: { type: 'user', id: user.id },
        action: 'auth.email_verified',
      });
    }
  }

  async resendVerification(user: UserRow): Promise<void> {
    if (user.emailVerifiedAt) return;
    await this.deps.queue.send(sendVerificationEmail, { userId: user.id }, { singletonKey: `verify:${user.id}` });
  }

  /** Always answers the same, whether or not the email has an account. */
  async forgotPassword(email: string, origin: RequestOrigin): Promise<void> {
    const user = await this.deps.repo.findUserByEmail(normaliseEmail(email));
    if (!user) return;
    await this.deps.queue.send(sendPasswordResetEmail, { userId: user.id });
    await this.deps.audit.record({
      workspaceId: null,
      actor: { type: 'anonymous', id: null, ...origin },
      action: 'auth.password_reset_requested',
      target: { type: 'user', id: user.id },
    });
  }

  /** Makes a single-use reset token (stored hashed) and returns the token for the email. */
  async issueResetToken(userId: string): Promise<string> {
    const token = randomToken(32);
    await this.deps.repo.insertToken({
      id: newId(),
      kind: 'reset_password',
      userId,
      tokenHash: sha256(token),
      expiresAt: new Date(Date.now() + RESET_TTL_MINUTES * 60_000),
    });
    return token;
  }

  /** Sets a new password from an emailed link; every session of the account ends. */
  async resetPassword(token: string, password: string, origin: RequestOrigin): Promise<void> {
    const { db, repo, audit } = this.deps;
    const passwordHash = await hashPassword(password);
    await db.transaction(async (tx) => {
      const row = await repo.consumeToken(tx, 'reset_password', sha256(token));
      if (!row) throw new AppError('invalid_token', 'This reset link is not valid or has expired. Ask for a new one.');
      // Following the link proves the mailbox, so the address counts as verified from here on.
      const user = await repo.findUserById(row.userId, tx);
      await repo.updateUser(row.userId, { passwordHash, emailVerifiedAt: user?.emailVerifiedAt ?? new Date() }, tx);
      await repo.revokeAllSessions(row.userId, undefined, tx);
      await audit.record(
        { workspaceId: null, actor: { type: 'user', id: row.userId, ...origin }, action: 'auth.password_reset' },
        tx,
      );
    });
  }

  async changePassword(
    user: UserRow,
    input: { currentPassword: string; newPassword: string },
    sessionId: string,
    origin: RequestOrigin,
  ): Promise<void> {
    const { db, repo, audit } = this.deps;
    await this.checkOwnPassword(user, input.currentPassword, origin, 'The current password is not correct.');
    const passwordHash = await hashPassword(input.newPassword);
    await db.transaction(async (tx) => {
      await repo.updateUser(user.id, { passwordHash }, tx);
      await repo.revokeAllSessions(user.id, sessionId, tx);
      await audit.record(
        {
          workspaceId: null,
          actor: { type: 'user', id: user.id, sessionId, ...origin },
          action: 'auth.password_changed',
        },
        tx,
      );
    });
  }

  async updateProfile(
    user: UserRow,
    input: { name?: string; phone?: string },
    sessionId: string,
    origin: RequestOrigin,
  ) {
    const patch: { name?: string; phone?: string } = {};
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.phone !== undefined) patch.phone = this.parsePhone(input.phone);
    const updated = await this.deps.repo.updateUser(user.id, patch);
    await this.deps.audit.record({
      workspaceId: null,
      actor: { type: 'user', id: user.id, sessionId, ...origin },
      action: 'auth.profile_updated',
      metadata: { fields: Object.keys(patch) },
    });
    return updated;
  }

  /** A signed-in person's password, asked again before a sensitive change (2FA off, new recovery codes). */
  verifyPasswordOf(user: UserRow, password: string, origin: RequestOrigin): Promise<void> {
    return this.checkOwnPassword(user, password, origin, 'The password is not correct.');
  }

  /**
   * Every password check counts in the sign-in throttle (P9): a stolen session must not become a way to guess the
   * password at the route rate limit's pace. Failures count per account and per IP; a success clears the account.
   */
  private async checkOwnPassword(user: UserRow, password: string, origin: RequestOrigin, wrong: string) {
    const { throttle } = this.deps;
    await throttle.assertAllowed(user.email, origin.ip);
    if (!(await verifyPassword(user.passwordHash, password))) {
      await throttle.recordFailure(user.email, origin.ip);
      throw new AppError('invalid_credentials', wrong);
    }
    await throttle.recordSuccess(user.email);
  }
}

export function isUniqueViolation(error: unknown): boolean {
  let e: unknown = error;
  for (let i = 0; i < 3 && e; i++) {
    if ((e as { code?: string }).code === '23505') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
