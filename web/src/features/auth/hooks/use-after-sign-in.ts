import { useRouter } from '@tanstack/react-router';
import { rememberWorkspace, safeRedirect } from '../../../lib/navigation';
import { useRefreshSession } from './use-session';

/** Refreshes the session (new CSRF token), then goes to the requested page or to the user's workspace. */
export function useAfterSignIn() {
  const router = useRouter();
  const refreshSession = useRefreshSession();
  return async (options: { redirect?: string; workspaceId?: string } = {}) => {
    await refreshSession();
    const target = safeRedirect(options.redirect);
    if (target) {
      router.history.push(target);
      return;
    }
    if (options.workspaceId) {
      rememberWorkspace(options.workspaceId);
      await router.navigate({ to: '/w/$workspaceId/leads', params: { workspaceId: options.workspaceId } });
      return;
    }
    await router.navigate({ to: '/' });
  };
}
