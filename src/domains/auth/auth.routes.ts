import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { clearSessionCookie, originOf, requireSession, setSessionCookie } from '../../http/request-context';
import {
  emailSchema,
  isoDate,
  nameSchema,
  passwordSchema,
  userSchema,
  workspaceSummarySchema,
} from '../../http/schemas';
import { acknowledgePolicyBody, policyStatusSchema } from '../privacy/policy.schemas';
import { toPublicUser } from './auth.service';

const loginOk = z.object({ status: z.literal('ok'), user: userSchema });
const loginResult = z.union([loginOk, z.object({ status: z.literal('mfa_required'), mfaToken: z.string() })]);
const recoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });

/** `/api/v1/auth`: sign-up, sign-in (with 2FA), sessions, email verification, passwords, the second factor. */
export function authRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const limited = { rateLimit: { max: c.config.AUTH_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' } };
    const tags = ['auth'];

    app.post(
      '/signup',
      {
        config: limited,
        schema: {
          tags,
          summary: 'Create an account and its first workspace',
          body: z.object({
            name: nameSchema,
            email: emailSchema,
            phone: z.string().trim().min(5, { message: 'Enter a phone number' }).max(32),
            password: passwordSchema,
            companyName: nameSchema,
          }),
          response: { 201: z.object({ user: userSchema, workspace: workspaceSummarySchema }) },
        },
      },
      async (req, reply) => {
        const started = await c.auth.signup(req.body, originOf(req));
        setSessionCookie(c, reply, started.token);
        const workspaces = await c.workspaces.listForUser(started.user.id);
        return reply.code(201).send({
          user: toPublicUser(started.user),
          workspace: workspaces.find((w) => w.id === started.workspaceId)!,
        });
      },
    );

    app.post(
      '/login',
      {
        config: limited,
        schema: {
          tags,
          summary: 'Sign in with email and password',
          body: z.object({ email: emailSchema, password: z.string().min(1).max(256) }),
          response: { 200: loginResult },
        },
      },
      async (req, reply) => {
        const result = await c.auth.login(req.body, originOf(req));
        if (result.status === 'mfa_required') return { status: 'mfa_required' as const, mfaToken: result.mfaToken };
        setSessionCookie(c, reply, result.token);
        return { status: 'ok' as const, user: toPublicUser(result.user) };
      },
    );

    app.post(
      '/login/mfa',
      {
        config: limited,
        schema: {
          tags,
          summary: 'Second sign-in step: a TOTP code or a recovery code',
          body: z.object({ mfaToken: z.string().min(1).max(1000), code: z.string().trim().min(6).max(20) }),
          response: { 200: loginOk },
        },
      },
      async (req, reply) => {
        const started = await c.auth.loginWithMfa(req.body, originOf(req));
        setSessionCookie(c, reply, started.token);
        return { status: 'ok' as const, user: toPublicUser(started.user) };
      },
    );

    app.post('/logout', { schema: { tags, summary: 'Sign out (ends this session)' } }, async (req, reply) => {
      if (req.principal?.kind === 'session') {
        await c.auth.logout(req.principal.userId, req.principal.sessionId, originOf(req));
      }
      clearSessionCookie(c, reply);
      return reply.code(204).send();
    });

    app.get(
      '/session',
      {
        schema: {
          tags,
          summary: 'The signed-in user, their workspaces, the CSRF token and whether a new privacy policy awaits them',
          response: {
            200: z.object({
              user: userSchema,
              workspaces: z.array(workspaceSummarySchema),
              csrfToken: z.string(),
              privacyPolicy: policyStatusSchema,
            }),
          },
        },
      },
      async (req) => {
        const { principal, user } = requireSession(req);
        return {
          user: toPublicUser(user),
          workspaces: await c.workspaces.listForUser(user.id),
          csrfToken: c.auth.csrfTokenFor(principal.sessionId),
          privacyPolicy: await c.privacyPolicy.statusFor(user.id),
        };
      },
    );

    app.post(
      '/me/policy-acknowledgement',
      {
        schema: {
          tags,
          summary: 'Acknowledge the current privacy policy ("I have read it"); 409 if that version is not current',
          body: acknowledgePolicyBody,
          response: { 200: z.object({ privacyPolicy: policyStatusSchema }) },
        },
      },
      async (req) => {
        const { principal } = requireSession(req);
        const actor = { type: 'user' as const, id: principal.userId, sessionId: principal.sessionId, ...originOf(req) };
        return { privacyPolicy: await c.privacyPolicy.acknowledge(principal.userId, req.body.version, actor) };
      },
    );

    app.post(
      '/email/verify',
      {
        config: limited,
        schema: {
          tags,
          summary: 'Confirm an email address from the emailed link',
          body: z.object({ token: z.string().min(1).max(2000) }),
        },
      },
      async (req) => {
        await c.auth.verifyEmail(req.body.token);
        return { ok: true };
      },
    );

    app.post(
      '/email/resend',
      { config: limited, schema: { tags, summary: 'Send the verification email again' } },
      async (req, reply) => {
        const { user } = requireSession(req);
        await c.auth.resendVerification(user);
        return reply.code(202).send();
      },
    );

    app.post(
      '/password/forgot',
      {
        config: limited,
        schema: { tags, summary: 'Email a password reset link', body: z.object({ email: emailSchema }) },
      },
      async (req, reply) => {
        await c.auth.forgotPassword(req.body.email, originOf(req));
        return reply.code(202).send();
      },
    );

    app.post(
      '/password/reset',
      {
        config: limited,
        schema: {
          tags,
          summary: 'Choose a new password from the emailed link (ends every session)',
          body: z.object({ token: z.string().min(1).max(2000), password: passwordSchema }),
        },
      },
      async (req, reply) => {
        await c.auth.resetPassword(req.body.token, req.body.password, originOf(req));
        return reply.code(204).send();
      },
    );

    app.patch(
      '/me',
      {
        schema: {
          tags,
          summary: 'Update your name or phone',
          body: z.object({ name: nameSchema.optional(), phone: z.string().trim().min(5).max(32).optional() }),
          response: { 200: z.object({ user: userSchema }) },
        },
      },
      async (req) => {
        const { principal, user } = requireSession(req);
        const updated = await c.auth.updateProfile(user, req.body, principal.sessionId, originOf(req));
        return { user: toPublicUser(updated) };
      },
    );

    app.post(
      '/me/password',
      {
        config: limited,
        schema: {
          tags,
          summary: 'Change your password (other sessions end)',
          body: z.object({ currentPassword: z.string().min(1).max(256), newPassword: passwordSchema }),
        },
      },
      async (req, reply) => {
        const { principal, user } = requireSession(req);
        await c.auth.changePassword(user, req.body, principal.sessionId, originOf(req));
        return reply.code(204).send();
      },
    );

    app.post(
      '/mfa/setup',
      {
        schema: {
          tags,
          summary: 'Start two-factor enrolment: a new secret and its QR code',
          response: { 200: z.object({ secret: z.string(), otpauthUrl: z.string(), qrCodeDataUrl: z.string() }) },
        },
      },
      async (req) => c.mfa.setup(requireSession(req).user),
    );

    app.post(
      '/mfa/enable',
      {
        config: limited,
        schema: {
          tags,
          summary: 'Confirm enrolment with a first code; returns recovery codes once',
          body: z.object({ code: z.string().trim().min(6).max(10) }),
          response: { 200: recoveryCodes },
        },
      },
      async (req) => {
        const { principal, user } = requireSession(req);
        return { recoveryCodes: await c.mfa.enable(user, req.body.code, principal) };
      },
    );

    app.post(
      '/mfa/disable',
      {
        config: limited,
        schema: { tags, summary: 'Turn two-factor off', body: z.object({ password: z.string().min(1).max(256) }) },
      },
      async (req, reply) => {
        const { principal, user } = requireSession(req);
        await c.auth.verifyPasswordOf(user, req.body.password, originOf(req));
        await c.mfa.disable(user, principal);
        return reply.code(204).send();
      },
    );

    app.post(
      '/mfa/recovery-codes',
      {
        config: limited,
        schema: {
          tags,
          summary: 'Replace the recovery codes',
          body: z.object({ password: z.string().min(1).max(256) }),
          response: { 200: recoveryCodes },
        },
      },
      async (req) => {
        const { principal, user } = requireSession(req);
        await c.auth.verifyPasswordOf(user, req.body.password, originOf(req));
        return { recoveryCodes: await c.mfa.regenerateRecoveryCodes(user, principal) };
      },
    );

    app.get(
      '/sessions',
      {
        schema: {
          tags,
          summary: 'Your active sessions (device, IP, last seen)',
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  id: z.uuid(),
                  device: z.string(),
                  ip: z.string().nullable(),
                  userAgent: z.string().nullable(),
                  createdAt: isoDate,
                  lastSeenAt: isoDate,
                  current: z.boolean(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => {
        const { principal } = requireSession(req);
        return { items: await c.auth.listSessions(principal.userId, principal.sessionId) };
      },
    );

    app.delete(
      '/sessions/:sessionId',
      { schema: { tags, summary: 'Revoke one of your sessions', params: z.object({ sessionId: z.uuid() }) } },
      async (req, reply) => {
        const { principal } = requireSession(req);
        await c.auth.revokeSession(principal.userId, req.params.sessionId, principal.sessionId, originOf(req));
        if (req.params.sessionId === principal.sessionId) clearSessionCookie(c, reply);
        return reply.code(204).send();
      },
    );
  };
}
