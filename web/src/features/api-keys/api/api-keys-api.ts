import { api, seg } from '../../../lib/api';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdBy: { id: string; name: string };
}

export interface ApiKeyScope {
  scope: string;
  description: string;
}

export interface CreateApiKeyInput {
  name: string;
  scopes: string[];
  expiresAt?: string | null;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/api-keys`;

export const apiKeysApi = {
  list: (workspaceId: string) => api.get<{ items: ApiKey[] }>(base(workspaceId)),
  scopes: (workspaceId: string) => api.get<{ items: ApiKeyScope[] }>(`${base(workspaceId)}/scopes`),
  create: (workspaceId: string, input: CreateApiKeyInput) =>
    api.post<{ apiKey: ApiKey; secret: string }>(base(workspaceId), input),
  revoke: (workspaceId: string, keyId: string) => api.delete(`${base(workspaceId)}/${seg(keyId)}`),
};
