import { api } from '../../../lib/api';
import type { WorkspaceSummary } from '../../workspaces/api/workspaces-api';

export interface User {
  id: string;
  name: string;
  email: string;
  phone: string;
  emailVerified: boolean;
  mfaEnabled: boolean;
  createdAt: string;
}

/** The published privacy policy, and whether this person has acknowledged its current version (P34). */
export interface PolicyStatus {
  /** The policy's "Last Updated" day, ISO (`2025-01-01`). */
  version: string;
  /** That date as the policy prints it ("1st January 2025"). */
  lastUpdated: string;
  acknowledgementRequired: boolean;
  acknowledgedVersion: string | null;
  acknowledgedAt: string | null;
}

export interface Session {
  user: User;
  workspaces: WorkspaceSummary[];
  csrfToken: string;
  privacyPolicy: PolicyStatus;
}

export interface SignupInput {
  name: string;
  email: string;
  phone: string;
  password: string;
  companyName: string;
}

export type LoginResult = { status: 'ok'; user: User } | { status: 'mfa_required'; mfaToken: string };

const publicCall = { skipAuthRedirect: true } as const;

export const authApi = {
  session: () => api.get<Session>('/auth/session', publicCall),
  signup: (input: SignupInput) =>
    api.post<{ user: User; workspace: WorkspaceSummary }>('/auth/signup', input, publicCall),
  login: (email: string, password: string) => api.post<LoginResult>('/auth/login', { email, password }, publicCall),
  loginMfa: (mfaToken: string, code: string) =>
    api.post<{ status: 'ok'; user: User }>('/auth/login/mfa', { mfaToken, code }, publicCall),
  logout: () => api.post<void>('/auth/logout', undefined, publicCall),
  verifyEmail: (token: string) => api.post<{ ok: true }>('/auth/email/verify', { token }, publicCall),
  resendVerification: () => api.post<void>('/auth/email/resend'),
  forgotPassword: (email: string) => api.post<void>('/auth/password/forgot', { email }, publicCall),
  resetPassword: (token: string, password: string) =>
    api.post<void>('/auth/password/reset', { token, password }, publicCall),
  acknowledgePolicy: (version: string) =>
    api.post<{ privacyPolicy: PolicyStatus }>('/auth/me/policy-acknowledgement', { version }),
};
