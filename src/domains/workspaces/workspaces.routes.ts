import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';
import type { Container } from '../../app/container';
import {
  originOf,
  requirePrincipal,
  requireSession,
  setSessionCookie,
  workspaceAccess,
} from '../../http/request-context';
import {
  emailSchema,
  isoDate,
  nameSchema,
  passwordSchema,
  roleSchema,
  userSchema,
  workspaceParams,
  workspaceSummarySchema,
} from '../../http/schemas';
import { toPublicUser } from '../auth/auth.service';

const workspaceSchema = workspaceSummarySchema.extend({
  role: roleSchema.nullable(),
  defaultCountry: z.string(),
  timezone: z.string(),
  createdAt: isoDate,
});

const memberSchema = z.object({
  userId: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: roleSchema,
  mfaEnabled: z.boolean(),
  joinedAt: isoDate,
});

const inviteSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: roleSchema,
  invitedBy: z.object({ id: z.uuid(), name: z.string().nullable() }).nullable(),
  createdAt: isoDate,
  expiresAt: isoDate,
  status: z.enum(['pending', 'accepted', 'expired', 'revoked']),
});

const isTimezone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** `/api/v1/workspaces`: the workspace itself, its members and its invitations. */
export function workspacesRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['workspaces'];

    app.get(
      '/',
      {
        schema: {
          tags,
          summary: 'Your workspaces',
          response: { 200: z.object({ items: z.array(workspaceSummarySchema) }) },
        },
      },
      async (req) => {
        const { user } = requireSession(req);
        return { items: await c.workspaces.listForUser(user.id) };
      },
    );

    app.post(
      '/',
      {
        schema: {
          tags,
          summary: 'Create another workspace (you become its owner)',
          body: z.object({ name: nameSchema }),
          response: { 201: workspaceSummarySchema },
        },
      },
      async (req, reply) => reply.code(201).send(await c.workspaces.create(requirePrincipal(req), req.body.name)),
    );

    app.get(
      '/:workspaceId',
      {
        schema: {
          tags,
          summary: 'A workspace and your rights in it',
          params: workspaceParams,
          response: { 200: workspaceSchema },
        },
      },
      async (req) => c.workspaces.get(await workspaceAccess(c, req, req.params.workspaceId)),
    );

    app.patch(
      '/:workspaceId',
      {
        schema: {
          tags,
          summary: 'Change workspace settings',
          params: workspaceParams,
          body: z
            .object({
              name: nameSchema.optional(),
              defaultCountry: z
                .string()
                .regex(/^[A-Z]{2}$/, { message: 'Use a two-letter country code such as MY' })
                // Phone numbers are read with this country, so it must be one libphonenumber knows (not "XX").
                .refine((code) => isSupportedCountry(code), { message: 'Unknown country code' })
                .optional(),
              timezone: z.string().refine(isTimezone, { message: 'Unknown timezone' }).optional(),
              requireMfa: z.boolean().optional(),
            })
            .refine((b) => Object.keys(b).length > 0, { message: 'Nothing to change' }),
          response: { 200: workspaceSchema },
        },
      },
      async (req) => c.workspaces.update(await workspaceAccess(c, req, req.params.workspaceId), req.body),
    );

    app.get(
      '/:workspaceId/members',
      {
        schema: {
          tags,
          summary: 'Members and their roles',
          params: workspaceParams,
          response: { 200: z.object({ items: z.array(memberSchema) }) },
        },
      },
      async (req) => ({ items: await c.workspaces.listMembers(await workspaceAccess(c, req, req.params.workspaceId)) }),
    );

    const memberParams = workspaceParams.extend({ userId: z.uuid() });

    app.patch(
      '/:workspaceId/members/:userId',
      {
        schema: {
          tags,
          summary: 'Change a member\u2019s role',
          params: memberParams,
          body: z.object({ role: roleSchema }),
          response: { 200: memberSchema },
        },
      },
      async (req) =>
        c.workspaces.changeRole(
          await workspaceAccess(c, req, req.params.workspaceId),
          req.params.userId,
          req.body.role,
        ),
    );

    app.delete(
      '/:workspaceId/members/:userId',
      { schema: { tags, summary: 'Remove a member (or leave, with your own id)', params: memberParams } },
      async (req, reply) => {
        // Leaving is always possible, even from a workspace whose 2FA rule the member does not meet yet.
        const leaving = req.principal?.kind === 'session' && req.principal.userId === req.params.userId;
        const access = await workspaceAccess(c, req, req.params.workspaceId, { allowWithoutMfa: leaving });
        await c.workspaces.removeMember(access, req.params.userId);
        return reply.code(204).send();
      },
    );

    app.get(
      '/:workspaceId/invites',
      {
        schema: {
          tags,
          summary: 'Invitations',
          params: workspaceParams,
          response: { 200: z.object({ items: z.array(inviteSchema) }) },
        },
      },
      async (req) => ({ items: await c.invites.list(await workspaceAccess(c, req, req.params.workspaceId)) }),
    );

    app.post(
      '/:workspaceId/invites',
      {
        schema: {
          tags,
          summary: 'Invite someone by email with a role',
          params: workspaceParams,
          body: z.object({ email: emailSchema, role: roleSchema }),
          response: { 201: inviteSchema },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await c.invites.create(await workspaceAccess(c, req, req.params.workspaceId), req.body)),
    );

    app.delete(
      '/:workspaceId/invites/:inviteId',
      { schema: { tags, summary: 'Revoke an invitation', params: workspaceParams.extend({ inviteId: z.uuid() }) } },
      async (req, reply) => {
        await c.invites.revoke(await workspaceAccess(c, req, req.params.workspaceId), req.params.inviteId);
        return reply.code(204).send();
      },
    );
  };
}

/** `/api/v1/invites/:token`: what the person holding an invitation link can do. */
export function publicInviteRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['invites'];
    const params = z.object({ token: z.string().min(10).max(200) });
    const limited = { rateLimit: { max: c.config.AUTH_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' } };

    app.get(
      '/:token',
      {
        config: limited,
        schema: {
          tags,
          summary: 'What an invitation is for',
          params,
          response: {
            200: z.object({
              workspaceName: z.string(),
              email: z.string(),
              role: roleSchema,
              inviterName: z.string().nullable(),
              expiresAt: isoDate,
              accountExists: z.boolean(),
            }),
          },
        },
      },
      async (req) => c.invites.preview(req.params.token),
    );

    app.post(
      '/:token/accept',
      {
        config: limited,
        schema: {
          tags,
          summary: 'Accept as the signed-in user',
          params,
          response: { 200: z.object({ workspace: workspaceSummarySchema }) },
        },
      },
      async (req) => {
        const { principal, user } = requireSession(req);
        return {
          workspace: await c.invites.accept(req.params.token, user, {
            ...originOf(req),
            sessionId: principal.sessionId,
          }),
        };
      },
    );

    app.post(
      '/:token/register',
      {
        config: limited,
        schema: {
          tags,
          summary: 'Create an account from an invitation and join',
          params,
          body: z.object({ name: nameSchema, phone: z.string().trim().min(5).max(32), password: passwordSchema }),
          response: { 201: z.object({ user: userSchema, workspace: workspaceSummarySchema }) },
        },
      },
      async (req, reply) => {
        const started = await c.invites.register(req.params.token, req.body, originOf(req));
        setSessionCookie(c, reply, started.token);
        const workspaces = await c.workspaces.listForUser(started.user.id);
        return reply
          .code(201)
          .send({ user: toPublicUser(started.user), workspace: workspaces.find((w) => w.id === started.workspaceId)! });
      },
    );
  };
}
