const LAST_WORKSPACE_KEY = 'leadsboost.lastWorkspaceId';

/** Only same-site paths are followed, so `?redirect=` cannot send users to another site. */
export function safeRedirect(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  if (value.startsWith('/login') || value.startsWith('/signup')) return undefined;
  return value;
}

export function rememberWorkspace(workspaceId: string): void {
  try {
    localStorage.setItem(LAST_WORKSPACE_KEY, workspaceId);
  } catch {
    // Storage can be unavailable (private mode); the first workspace is used instead.
  }
}

export function lastWorkspaceId(): string | null {
  try {
    return localStorage.getItem(LAST_WORKSPACE_KEY);
  } catch {
    return null;
  }
}
