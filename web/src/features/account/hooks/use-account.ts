import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { clearMfaEnrolmentRequired } from '../../../lib/mfa-gate';
import type { Session } from '../../auth/api/auth-api';
import { sessionKey } from '../../auth/hooks/use-session';
import { accountApi } from '../api/account-api';

const sessionsKey = ['account', 'sessions'] as const;

export function useUpdateProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: accountApi.updateProfile,
    onSuccess: ({ user }) => {
      queryClient.setQueryData<Session | null>(sessionKey, (old) => (old ? { ...old, user } : old));
    },
  });
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ currentPassword, newPassword }: { currentPassword: string; newPassword: string }) =>
      accountApi.changePassword(currentPassword, newPassword),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsKey }),
  });
}

export function useMfaSetup() {
  return useMutation({ mutationFn: accountApi.mfaSetup });
}

export function useMfaEnable() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => accountApi.mfaEnable(code),
    onSuccess: () => {
      clearMfaEnrolmentRequired();
      return queryClient.invalidateQueries({ queryKey: sessionKey });
    },
  });
}

export function useMfaDisable() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => accountApi.mfaDisable(password),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKey }),
  });
}

export function useRegenerateRecoveryCodes() {
  return useMutation({ mutationFn: (password: string) => accountApi.regenerateRecoveryCodes(password) });
}

export function useUserSessions() {
  return useQuery({ queryKey: sessionsKey, queryFn: accountApi.listSessions });
}

export function useRevokeUserSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) => accountApi.revokeSession(sessionId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsKey }),
  });
}
