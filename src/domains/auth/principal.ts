import type { Role } from '../../db/schema';
import type { Actor } from '../audit/audit.service';
import type { Permission } from '../workspaces/permissions';

/** Who is calling: a signed-in person (cookie session) or an API key of one workspace. */
export type Principal =
  | {
      kind: 'session';
      userId: string;
      sessionId: string;
      ip: string | null;
      userAgent: string | null;
      mfaEnabled: boolean;
    }
  | {
      kind: 'api_key';
      keyId: string;
      workspaceId: string;
      scopes: Permission[];
      createdBy: string | null;
      ip: string | null;
      userAgent: string | null;
    };

/** The principal inside one workspace, with the permissions it holds there. */
export interface WorkspaceAccess {
  workspaceId: string;
  principal: Principal;
  /** The member's role; for an API key, null (its scopes are its permissions). */
  role: Role | null;
  permissions: Set<Permission>;
  actor: Actor;
}

export function actorOf(principal: Principal): Actor {
  return principal.kind === 'session'
    ? {
        type: 'user',
        id: principal.userId,
        sessionId: principal.sessionId,
        ip: principal.ip,
        userAgent: principal.userAgent,
      }
    : { type: 'api_key', id: principal.keyId, ip: principal.ip, userAgent: principal.userAgent };
}

/** Where an unauthenticated request comes from, for audit rows of sign-ups and failed sign-ins. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}
