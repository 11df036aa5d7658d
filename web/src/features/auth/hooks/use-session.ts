import { useQuery, useQueryClient } from '@tanstack/react-query';
import { isApiError, setCsrfToken } from '../../../lib/api';
import { authApi, type Session } from '../api/auth-api';

export const sessionKey = ['session'] as const;

/** The signed-in session, or `null` when signed out. Also keeps the CSRF token current. */
export async function fetchSession(): Promise<Session | null> {
  try {
    const session = await authApi.session();
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (isApiError(error, 'unauthenticated')) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function useSession() {
  return useQuery({ queryKey: sessionKey, queryFn: fetchSession, staleTime: 60_000 });
}

/** After sign-in the CSRF token rotates, so the session is fetched again before going on. */
export function useRefreshSession() {
  const queryClient = useQueryClient();
  return () => queryClient.fetchQuery({ queryKey: sessionKey, queryFn: fetchSession, staleTime: 0 });
}
