import { api, seg } from '../../../lib/api';
import type { User } from '../../auth/api/auth-api';

export interface MfaSetup {
  secret: string;
  otpauthUrl: string;
  qrCodeDataUrl: string;
}

export interface UserSession {
  id: string;
  device: string;
  ip: string;
  userAgent: string;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

export const accountApi = {
  updateProfile: (patch: { name?: string; phone?: string }) => api.patch<{ user: User }>('/auth/me', patch),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post<void>('/auth/me/password', { currentPassword, newPassword }),
  mfaSetup: () => api.post<MfaSetup>('/auth/mfa/setup'),
  mfaEnable: (code: string) => api.post<{ recoveryCodes: string[] }>('/auth/mfa/enable', { code }),
  mfaDisable: (password: string) => api.post<void>('/auth/mfa/disable', { password }),
  regenerateRecoveryCodes: (password: string) =>
    api.post<{ recoveryCodes: string[] }>('/auth/mfa/recovery-codes', { password }),
  listSessions: () => api.get<{ items: UserSession[] }>('/auth/sessions'),
  revokeSession: (sessionId: string) => api.delete(`/auth/sessions/${seg(sessionId)}`),
};
