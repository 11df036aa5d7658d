import type { WorkspaceAccess } from '../auth/principal';

/** Matches no owner: an API key without a creator and without `leads.read_all` sees no lead. */
const NOBODY = '00000000-0000-0000-0000-000000000000';

/**
 * The owner a caller is restricted to, or undefined when it sees every lead. Members without `leads.read_all`
 * (agents) see the leads they own and the contacts having one; an API key without that scope acts as its creator.
 */
export function ownerScopeOf(access: WorkspaceAccess): string | undefined {
  if (access.permissions.has('leads.read_all')) return undefined;
  if (access.principal.kind === 'session') return access.principal.userId;
  return access.principal.createdBy ?? NOBODY;
}

/** The person acting, for `owner`, `author` and `created_by` columns; null for API keys. */
export function userIdOf(access: WorkspaceAccess): string | null {
  return access.principal.kind === 'session' ? access.principal.userId : null;
}
