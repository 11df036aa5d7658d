import { ROLES, type Role } from '../../db/schema';

/**
 * The role × action table (docs/permissions.md is the same table in words; a test keeps them equal).
 * Every authorisation decision in the product reads this one object.
 */
export const PERMISSIONS = {
  'workspace.read': {
    roles: ['owner', 'admin', 'manager', 'agent', 'viewer'],
    description: 'See the workspace and its settings',
  },
  'workspace.update': {
    roles: ['owner', 'admin'],
    description: 'Rename the workspace, change its country and timezone',
  },
  'workspace.security': { roles: ['owner'], description: 'Require two-factor sign-in for every member' },
  'workspace.delete': { roles: ['owner'], description: 'Delete the workspace' },
  'members.read': { roles: ['owner', 'admin', 'manager', 'agent', 'viewer'], description: 'See the team' },
  'members.invite': { roles: ['owner', 'admin'], description: 'Invite people and revoke invitations' },
  'members.update_role': {
    roles: ['owner', 'admin'],
    description: 'Change a member\u2019s role (only owners grant or change owner)',
  },
  'members.remove': { roles: ['owner', 'admin'], description: 'Remove a member (their access ends at once)' },
  'api_keys.manage': { roles: ['owner', 'admin'], description: 'Create, list and revoke API keys' },
  'audit.read': { roles: ['owner', 'admin'], description: 'Browse the audit log' },
  'jobs.read': { roles: ['owner', 'admin'], description: 'See failed background jobs and retry them' },
  'leads.read': {
    roles: ['owner', 'admin', 'manager', 'agent', 'viewer'],
    description: 'See leads (agents: their own)',
  },
  'leads.read_all': {
    roles: ['owner', 'admin', 'manager', 'viewer'],
    description: 'See every lead, not only assigned ones',
  },
  'leads.write': {
    roles: ['owner', 'admin', 'manager', 'agent'],
    description: 'Create and edit leads, notes and tasks',
  },
  'leads.delete': { roles: ['owner', 'admin', 'manager'], description: 'Delete leads and contacts' },
  'leads.import': { roles: ['owner', 'admin', 'manager'], description: 'Import leads from CSV' },
  'leads.export': { roles: ['owner', 'admin', 'manager'], description: 'Export leads' },
  'settings.manage': { roles: ['owner', 'admin'], description: 'Manage fields, pipelines and routing rules' },
  'integrations.manage': {
    roles: ['owner', 'admin'],
    description: 'Connect Facebook Pages, WhatsApp numbers and mailboxes',
  },
} as const satisfies Record<string, { roles: readonly Role[]; description: string }>;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function roleCan(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission].roles as readonly Role[]).includes(role);
}

export function permissionsOf(role: Role): Permission[] {
  return ALL_PERMISSIONS.filter((p) => roleCan(role, p));
}

/** Role rank for "may not act on someone above you" rules. */
export const ROLE_RANK: Record<Role, number> = { owner: 5, admin: 4, manager: 3, agent: 2, viewer: 1 };

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: 'Full control, including security settings and deleting the workspace',
  admin: 'Manages the team, settings, integrations, API keys and the audit log',
  manager: 'Works every lead, imports and exports, sees the team',
  agent: 'Works the leads assigned to them',
  viewer: 'Reads leads and reports, changes nothing',
};

export { ROLES, type Role };
