import { api, seg } from '../../../lib/api';

/** `GET /api/v1/meta`: public facts about this deployment. */
export interface ServerInfo {
  privacyContactEmail: string;
  dataRegion: string;
  /** The Meta simulator runs in this server's process: "Try the demo" works and Facebook is simulated. */
  demo: boolean;
}

export const demoApi = {
  serverInfo: () => api.get<ServerInfo>('/meta', { skipAuthRedirect: true }),
  /** Creates the demo workspace the first time, then signs this browser in as its owner. */
  startSession: () => api.post<{ workspaceId: string }>('/demo/session', undefined, { skipAuthRedirect: true }),
  removeDemoData: (workspaceId: string) =>
    api.delete<{ deleted: { leads: number; contacts: number } }>(`/workspaces/${seg(workspaceId)}/demo`),
};
