import { z } from 'zod';
import type { Config } from '../../app/config';
import type { Db } from '../../db/client';
import { defineJob, type JobQueue } from '../../jobs/queue';
import { AppError, notFound } from '../../lib/errors';
import { newId, randomToken, sha256 } from '../../lib/ids';
import type { Mailer } from '../../lib/mailer';
import { normaliseEmail } from '../../lib/phone';
import type { AuditService } from '../audit/audit.service';
import { emailHtml, escapeHtml } from '../auth/auth.emails';
import type { AuthRepository, UserRow } from '../auth/auth.repository';
import type { AuthService, StartedSession } from '../auth/auth.service';
import { hashPassword } from '../auth/passwords';
import type { RequestOrigin, WorkspaceAccess } from '../auth/principal';
import type { InvitesRepository } from './invites.repository';
import type { Role } from './permissions';
import type { WorkspacesRepository } from './workspaces.repository';
import type { WorkspacesService } from './workspaces.service';

export const sendInviteEmail = defineJob({
  name: 'workspaces.send_invite_email',
  payload: z.object({ workspaceId: z.uuid(), inviteId: z.uuid() }),
});

const INVITE_TTL_DAYS = 7;

/** Invitations by email: the link token is made when the mail is sent, stored hashed, and works once. */
export class InvitesService {
  constructor(
    private readonly deps: {
      db: Db;
      config: Config;
      repo: InvitesRepository;
      workspacesRepo: WorkspacesRepository;
      workspaces: WorkspacesService;
      authRepo: AuthRepository;
      auth: AuthService;
      audit: AuditService;
      queue: JobQueue;
    },
  ) {}

  async create(access: WorkspaceAccess, input: { email: string; role: Role }) {
    const { db, repo, workspaces, authRepo, workspacesRepo, audit, queue } = this.deps;
    workspaces.assertCan(access, 'members.invite');
    workspaces.assertMayManage(access, input.role, input.role);
    const email = normaliseEmail(input.email);
    const existing = await authRepo.findUserByEmail(email);
    if (existing && (await workspacesRepo.getRole(access.workspaceId, existing.id))) {
      throw new AppError('already_member', 'This person is already a member of the workspace.');
    }
    const invite = await db.transaction(async (tx) => {
      for (const old of await repo.pendingFor(tx, access.workspaceId, email)) {
        await repo.revoke(tx, access.workspaceId, old.id);
      }
      const created = await repo.insert(tx, {
        workspaceId: access.workspaceId,
        id: newId(),
        email,
        role: input.role,
        invitedBy: access.principal.kind === 'session' ? access.principal.userId : null,
        expiresAt: new Date(Date.now() + INVITE_TTL_DAYS * 24 * 3600_000),
      });
      await audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: 'member.invited',
          target: { type: 'invite', id: created.id },
          metadata: { role: input.role },
        },
        tx,
      );
      await queue.send(sendInviteEmail, { workspaceId: access.workspaceId, inviteId: created.id }, { tx });
      return created;
    });
    return (await this.list(access)).find((i) => i.id === invite.id)!;
  }

  async list(access: WorkspaceAccess) {
    this.deps.workspaces.assertCan(access, 'members.read');
    const rows = await this.deps.repo.list(access.workspaceId);
    const now = Date.now();
    return rows.map(({ invite, inviterName }) => ({
      id: invite.id,
      email: invite.email,
      role: invite.role,
      invitedBy: invite.invitedBy ? { id: invite.invitedBy, name: inviterName } : null,
      createdAt: invite.createdAt,
      expiresAt: invite.expiresAt,
      status: (invite.acceptedAt
        ? 'accepted'
        : invite.revokedAt
          ? 'revoked'
          : invite.expiresAt.getTime() < now
            ? 'expired'
            : 'pending') as 'accepted' | 'revoked' | 'expired' | 'pending',
    }));
  }

  async revoke(access: WorkspaceAccess, inviteId: string): Promise<void> {
    this.deps.workspaces.assertCan(access, 'members.invite');
    await this.deps.db.transaction(async (tx) => {
      if (!(await this.deps.repo.revoke(tx, access.workspaceId, inviteId))) throw notFound('This invitation');
      await this.deps.audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: 'member.invite_revoked',
          target: { type: 'invite', id: inviteId },
        },
        tx,
      );
    });
  }

  /** Job: mint the link token, keep its hash, mail the link. */
  async sendEmail(workspaceId: string, inviteId: string, mailer: Mailer): Promise<void> {
    const invite = await this.deps.repo.get(workspaceId, inviteId);
    if (!invite || invite.acceptedAt || invite.revokedAt || invite.expiresAt.getTime() < Date.now()) return;
    const ws = await this.deps.workspacesRepo.getWorkspace(workspaceId);
    const inviter = invite.invitedBy ? await this.deps.authRepo.findUserById(invite.invitedBy) : undefined;
    const token = randomToken(32);
    await this.deps.repo.setTokenHash(workspaceId, inviteId, sha256(token));
    const link = `${this.deps.config.publicUrl}/invite/${token}`;
    const who = inviter ? `${inviter.name} invited you` : 'You are invited';
    await mailer.send({
      to: invite.email,
      subject: `${who} to ${ws?.name ?? 'a workspace'} on LeadsBoost`,
      text: `${who} to join ${ws?.name} on LeadsBoost as ${invite.role}.\n\nAccept within ${INVITE_TTL_DAYS} days:\n\n${link}\n`,
      html: emailHtml(
        `${escapeHtml(who)} to join <b>${escapeHtml(ws?.name ?? '')}</b> on LeadsBoost as ${invite.role}.`,
        `The invitation is valid for ${INVITE_TTL_DAYS} days.`,
        link,
        'Accept invitation',
      ),
    });
  }

  private async usable(token: string) {
    const found = await this.deps.repo.findUsableByTokenHash(sha256(token));
    if (!found) throw new AppError('not_found', 'This invitation is not valid any more. Ask for a new one.');
    return found;
  }

  async preview(token: string) {
    const { invite, workspaceName, inviterName } = await this.usable(token);
    return {
      workspaceName,
      email: invite.email,
      role: invite.role,
      inviterName: inviterName ?? null,
      expiresAt: invite.expiresAt,
      accountExists: (await this.deps.authRepo.findUserByEmail(invite.email)) !== undefined,
    };
  }

  /** A signed-in person accepts an invitation sent to their own address. */
  async accept(token: string, user: UserRow, origin: RequestOrigin & { sessionId: string }) {
    const { invite } = await this.usable(token);
    if (invite.email !== user.email) {
      throw new AppError(
        'forbidden',
        `This invitation was sent to another address. Sign in as ${invite.email} to accept it.`,
      );
    }
    await this.deps.db.transaction(async (tx) => {
      if (await this.deps.workspacesRepo.getRole(invite.workspaceId, user.id, tx)) {
        throw new AppError('already_member', 'You are already a member of this workspace.');
      }
      await this.join(tx, invite, user.id, { type: 'user', id: user.id, ...origin });
      // Clicking the emailed link proves the address.
      if (!user.emailVerifiedAt) await this.deps.authRepo.updateUser(user.id, { emailVerifiedAt: new Date() }, tx);
    });
    return (await this.deps.workspaces.listForUser(user.id)).find((w) => w.id === invite.workspaceId)!;
  }

  /** Someone without an account joins from the link: the account is made with the invited address, verified. */
  async register(
    token: string,
    input: { name: string; phone: string; password: string },
    origin: RequestOrigin,
  ): Promise<StartedSession & { workspaceId: string }> {
    const { invite } = await this.usable(token);
    const ws = await this.deps.workspacesRepo.getWorkspace(invite.workspaceId);
    const phone = this.deps.auth.parsePhone(input.phone, ws?.defaultCountry);
    const passwordHash = await hashPassword(input.password);
    const user = await this.deps.db.transaction(async (tx) => {
      const created = await this.deps.auth.insertUser(
        tx,
        {
          name: input.name.trim(),
          email: invite.email,
          phone,
          passwordHash,
          verified: true,
        },
        { method: 'invite', origin },
      );
      await this.deps.audit.record(
        {
          workspaceId: null,
          actor: { type: 'user', id: created.id, ...origin },
          action: 'auth.signup',
          metadata: { via: 'invite' },
        },
        tx,
      );
      await this.join(tx, invite, created.id, { type: 'user', id: created.id, ...origin });
      return created;
    });
    const login = await this.deps.auth.login({ email: user.email, password: input.password }, origin);
    if (login.status !== 'ok') throw new AppError('internal', 'Could not sign in the new account.');
    return { ...login, workspaceId: invite.workspaceId };
  }

  private async join(
    tx: Parameters<Parameters<Db['transaction']>[0]>[0],
    invite: { workspaceId: string; id: string; role: Role },
    userId: string,
    actor: { type: 'user'; id: string; ip: string | null; userAgent: string | null; sessionId?: string },
  ) {
    await this.deps.workspacesRepo.addMember(tx, invite.workspaceId, userId, invite.role);
    await this.deps.repo.markAccepted(tx, invite.workspaceId, invite.id, userId);
    await this.deps.audit.record(
      {
        workspaceId: invite.workspaceId,
        actor,
        action: 'member.joined',
        target: { type: 'user', id: userId },
        metadata: { role: invite.role, inviteId: invite.id },
      },
      tx,
    );
  }
}
