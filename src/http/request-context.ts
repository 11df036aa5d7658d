import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Container } from '../app/container';
import type { UserRow } from '../domains/auth/auth.repository';
import type { Principal, RequestOrigin, WorkspaceAccess } from '../domains/auth/principal';
import { AppError } from '../lib/errors';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    sessionUser: UserRow | null;
  }
}

type SessionPrincipal = Extract<Principal, { kind: 'session' }>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const sessionCookieName = (secure: boolean) => (secure ? '__Host-lb_session' : 'lb_session');

export const originOf = (req: FastifyRequest): RequestOrigin => ({
  ip: req.ip ?? null,
  userAgent: req.headers['user-agent'] ?? null,
});

/**
 * Resolves who is calling (API key in `Authorization: Bearer`, or the session cookie) and enforces CSRF for
 * cookie-authenticated writes: they must echo the session's CSRF token in `x-csrf-token`.
 */
export function makeAuthenticate(c: Container) {
  const cookieName = sessionCookieName(c.config.secureCookies);
  return async function authenticate(req: FastifyRequest): Promise<void> {
    req.principal = null;
    req.sessionUser = null;
    const origin = originOf(req);
    const authorization = req.headers.authorization;
    if (authorization) {
      const [scheme, secret] = authorization.split(' ');
      const principal =
        scheme?.toLowerCase() === 'bearer' && secret ? await c.apiKeys.authenticate(secret, origin) : null;
      if (!principal) throw new AppError('unauthenticated', 'The API key is not valid, has expired or was revoked.');
      req.principal = principal;
      return;
    }
    const token = req.cookies[cookieName];
    if (!token) return;
    const resolved = await c.auth.resolveSession(token);
    if (!resolved) return;
    if (!SAFE_METHODS.has(req.method)) {
      const presented = req.headers['x-csrf-token'];
      if (typeof presented !== 'string' || !c.auth.csrfTokenMatches(resolved.session.id, presented)) {
        throw new AppError('csrf_failed', 'This request is missing its security token. Reload the page and try again.');
      }
    }
    req.sessionUser = resolved.user;
    req.principal = {
      kind: 'session',
      userId: resolved.user.id,
      sessionId: resolved.session.id,
      mfaEnabled: resolved.user.mfaEnabledAt !== null,
      ...origin,
    };
  };
}

/** The signed-in person, or 401. API keys act for a workspace, never as a person. */
export function requireSession(req: FastifyRequest): { principal: SessionPrincipal; user: UserRow } {
  if (req.principal?.kind !== 'session' || !req.sessionUser) {
    throw new AppError('unauthenticated', 'Sign in to continue.');
  }
  return { principal: req.principal, user: req.sessionUser };
}

export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError('unauthenticated', 'Sign in, or send an API key, to continue.');
  return req.principal;
}

export async function workspaceAccess(
  c: Container,
  req: FastifyRequest,
  workspaceId: string,
  options: { allowWithoutMfa?: boolean } = {},
): Promise<WorkspaceAccess> {
  return c.workspaces.access(requirePrincipal(req), workspaceId, options);
}

export function setSessionCookie(c: Container, reply: FastifyReply, token: string): void {
  reply.setCookie(sessionCookieName(c.config.secureCookies), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: c.config.secureCookies,
    maxAge: c.config.SESSION_ABSOLUTE_HOURS * 3600,
  });
}

export function clearSessionCookie(c: Container, reply: FastifyReply): void {
  reply.clearCookie(sessionCookieName(c.config.secureCookies), { path: '/', secure: c.config.secureCookies });
}
