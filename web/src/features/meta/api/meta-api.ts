import { api, seg } from '../../../lib/api';

/** The two things a connection can be asked to do; each adds its own scopes to the Login dialog (P4). */
export type MetaFeature = 'lead_ads' | 'ad_attribution';

export type MetaConnectionStatus = 'active' | 'needs_reconnect';

export interface MetaConnection {
  id: string;
  status: MetaConnectionStatus;
  statusReason: string | null;
  fbUserName: string;
  grantedScopes: string[];
  missingScopes: string[];
  extraScopes: string[];
  tokenExpiresAt: string | null;
  connectedAt: string;
}

export interface MetaFormHealth {
  id: string;
  formId: string;
  name: string;
  status: string;
  lastLeadAt: string | null;
  leadsToday: number;
  lastSyncedAt: string | null;
}

export interface MetaPageHealth {
  id: string;
  pageId: string;
  name: string;
  instagramAccountId: string | null;
  subscribed: boolean;
  lastError: string | null;
  lastLeadAt: string | null;
  lastSyncedAt: string | null;
  leadsToday: number;
  failedCount: number;
  pendingCount: number;
  forms: MetaFormHealth[];
}

export interface MetaOverview {
  enabled: boolean;
  connection: MetaConnection | null;
  pages: MetaPageHealth[];
}

export interface AvailablePage {
  pageId: string;
  name: string;
  instagramAccountId: string | null;
  connected: boolean;
}

export interface MetaFormQuestion {
  key: string;
  label: string;
  type: string;
  options?: { key: string; value: string }[];
}

/** `contact.<field>`, `lead.<customFieldKey>`, `answer` (kept as a typed answer) or `ignore`. */
export type MetaMappingTarget = string;

export interface MetaFieldMapping {
  key: string;
  target: MetaMappingTarget;
}

export interface MetaFormDetail {
  id: string;
  formId: string;
  name: string;
  status: string;
  questions: MetaFormQuestion[];
  mapping: MetaFieldMapping[];
  defaultMapping: MetaFieldMapping[];
  /** Targets the server accepts (contact fields, lead fields, answer, ignore). */
  targets?: { value: string; label: string }[];
}

export type MetaCaptureStatus = 'pending' | 'captured' | 'failed';

export interface MetaCapture {
  leadgenId: string;
  pageRowId: string;
  formId: string | null;
  status: MetaCaptureStatus;
  via: string;
  attempts: number;
  errorKind: string | null;
  lastError: string | null;
  leadId: string | null;
  receivedAt: string;
  capturedAt: string | null;
}

export interface CaptureQuery {
  status?: MetaCaptureStatus;
  pageRowId?: string;
  cursor?: string | null;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/meta`;

export const metaApi = {
  overview: (workspaceId: string) => api.get<MetaOverview>(base(workspaceId)),
  startOAuth: (workspaceId: string, features: MetaFeature[]) =>
    api.post<{ url: string; scopes: string[] }>(`${base(workspaceId)}/oauth/start`, { features }),
  availablePages: (workspaceId: string) => api.get<{ items: AvailablePage[] }>(`${base(workspaceId)}/available-pages`),
  connectPages: (workspaceId: string, pageIds: string[]) =>
    api.post<{ items: MetaPageHealth[] }>(`${base(workspaceId)}/pages`, { pageIds }),
  disconnectPage: (workspaceId: string, pageRowId: string) =>
    api.delete<{ deleted: { leads: number; contacts: number } }>(`${base(workspaceId)}/pages/${seg(pageRowId)}`, {
      query: { deleteData: 'true' },
    }),
  disconnect: (workspaceId: string) =>
    api.delete<{ deleted: { leads: number; contacts: number } }>(base(workspaceId), {
      query: { deleteData: 'true' },
    }),
  sync: (workspaceId: string, pageRowId?: string) =>
    api.post<{ queued: boolean }>(`${base(workspaceId)}/sync`, pageRowId ? { pageRowId } : {}),
  sendTestLead: (workspaceId: string, pageRowId: string, formId?: string) =>
    api.post<{ leadgenId: string }>(`${base(workspaceId)}/pages/${seg(pageRowId)}/test-lead`, formId ? { formId } : {}),
  form: (workspaceId: string, formRowId: string) =>
    api.get<MetaFormDetail>(`${base(workspaceId)}/forms/${seg(formRowId)}`),
  saveMapping: (workspaceId: string, formRowId: string, mapping: MetaFieldMapping[]) =>
    api.put<MetaFormDetail>(`${base(workspaceId)}/forms/${seg(formRowId)}/mapping`, { mapping }),
  captures: (workspaceId: string, query: CaptureQuery) =>
    api.get<{ items: MetaCapture[]; nextCursor: string | null }>(`${base(workspaceId)}/captures`, {
      query: { status: query.status, pageRowId: query.pageRowId, cursor: query.cursor },
    }),
  retryCapture: (workspaceId: string, leadgenId: string) =>
    api.post<MetaCapture>(`${base(workspaceId)}/captures/${seg(leadgenId)}/retry`),
};

/** What each scope is for, in the words shown before the Login dialog (P4: only what the features need). */
export const SCOPE_REASONS: Record<string, string> = {
  pages_show_list: 'See the list of Pages you manage, so you can choose which ones to connect.',
  pages_read_engagement: 'Read each Page’s name and its linked Instagram account.',
  pages_manage_metadata: 'Subscribe LeadsBoost to the Page’s new-lead notifications (webhooks).',
  pages_manage_ads: 'List the Page’s Lead Ads forms and send test leads.',
  leads_retrieval: 'Read the answers people submit in your Lead Ads forms.',
  ads_read: 'Read campaign, ad set and ad names and ad spend, to show which ads bring customers.',
};

export const FEATURE_SCOPES: Record<MetaFeature, string[]> = {
  lead_ads: [
    'pages_show_list',
    'pages_read_engagement',
    'pages_manage_metadata',
    'pages_manage_ads',
    'leads_retrieval',
  ],
  ad_attribution: ['ads_read'],
};
