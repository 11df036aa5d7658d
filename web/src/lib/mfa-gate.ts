import { useSyncExternalStore } from 'react';

/**
 * Remembers workspaces whose API answered 403 `mfa_enrolment_required`, so the shell can replace the page
 * with a "set up two-factor" state instead of showing a broken screen.
 */
const blocked = new Set<string>();
const listeners = new Set<() => void>();
let version = 0;

function emit(): void {
  version += 1;
  for (const listener of listeners) listener();
}

export function workspaceIdFromApiPath(path: string): string | null {
  const match = /^\/workspaces\/([^/?]+)/.exec(path);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

export function markMfaEnrolmentRequired(workspaceId: string | null): void {
  blocked.add(workspaceId ?? '*');
  emit();
}

export function clearMfaEnrolmentRequired(): void {
  if (blocked.size === 0) return;
  blocked.clear();
  emit();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useMfaEnrolmentBlocked(workspaceId: string | undefined): boolean {
  useSyncExternalStore(subscribe, () => version);
  return blocked.has('*') || (workspaceId !== undefined && blocked.has(workspaceId));
}
