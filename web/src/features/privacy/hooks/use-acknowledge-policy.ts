import { useMutation, useQueryClient } from '@tanstack/react-query';
import { isApiError } from '../../../lib/api';
import { authApi, type Session } from '../../auth/api/auth-api';
import { sessionKey } from '../../auth/hooks/use-session';

/**
 * "I have read it": records the acknowledgement and updates the session in place, so the notice goes away at once.
 * If the policy changed again meanwhile (409), the session is fetched again and the notice shows the newer date.
 */
export function useAcknowledgePolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: authApi.acknowledgePolicy,
    onSuccess: ({ privacyPolicy }) => {
      queryClient.setQueryData<Session | null>(sessionKey, (session) => session && { ...session, privacyPolicy });
    },
    onError: (error) => {
      if (isApiError(error, 'policy_version_not_current')) void queryClient.invalidateQueries({ queryKey: sessionKey });
    },
  });
}
