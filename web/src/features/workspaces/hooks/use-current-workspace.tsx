import { createContext, type ReactNode, useContext } from 'react';
import { Forbidden } from '../../../components/status-pages';
import type { Permission, WorkspaceSummary } from '../api/workspaces-api';

export interface CurrentWorkspace {
  workspace: WorkspaceSummary;
  can: (permission: Permission) => boolean;
}

const CurrentWorkspaceContext = createContext<CurrentWorkspace | null>(null);

export function toCurrentWorkspace(workspace: WorkspaceSummary): CurrentWorkspace {
  const granted = new Set(workspace.permissions);
  return { workspace, can: (permission) => granted.has(permission) };
}

export function CurrentWorkspaceProvider({ value, children }: { value: CurrentWorkspace; children: ReactNode }) {
  return <CurrentWorkspaceContext.Provider value={value}>{children}</CurrentWorkspaceContext.Provider>;
}

/** The workspace of the current `/w/:workspaceId` page, with the caller's permissions in it. */
export function useCurrentWorkspace(): CurrentWorkspace {
  const value = useContext(CurrentWorkspaceContext);
  if (!value) throw new Error('useCurrentWorkspace must be used inside a /w/:workspaceId route');
  return value;
}

/** Renders the page only when the role has the permission; the server refuses the calls anyway. */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = useCurrentWorkspace();
  return can(permission) ? children : <Forbidden />;
}
