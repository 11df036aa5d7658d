import { ApiError, api, apiErrorFrom, buildUrl, getCsrfToken, seg } from '../../../lib/api';
import type { Operation } from '../../operations/api/operations-api';

export type DetectedFormat = 'generic' | 'meta_lead_ads';

export interface UploadResult {
  operationId: string;
  headers: string[];
  sample: string[][];
  delimiter: string;
  detectedFormat: DetectedFormat;
  suggestedMapping: Record<string, string>;
}

export type UpsertKey = 'email' | 'phone' | 'external_id' | 'none';

export interface ImportDefaults {
  pipelineId?: string;
  stageId?: string;
  ownerId?: string;
  tags?: string[];
}

export interface ImportSettings {
  /** Target per column index (`"0"`, `"1"` …). */
  mapping: Record<string, string>;
  upsertKey: UpsertKey;
  defaults: ImportDefaults;
}

export interface ImportPreview {
  create: number;
  update: number;
  reject: number;
  rejects: { row: number; reason: string }[];
  rows: {
    row: number;
    action: 'create' | 'update' | 'reject';
    name: string | null;
    email: string | null;
    phone: string | null;
    reason?: string;
  }[];
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/imports`;

/**
 * Uploads the CSV with XMLHttpRequest, because fetch cannot report upload progress.
 * `onProgress` receives 0–1. Abort with the returned signal's controller.
 */
export function uploadImport(
  workspaceId: string,
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', buildUrl(base(workspaceId)));
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    const csrf = getCsrfToken();
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let payload: unknown = null;
      try {
        payload = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // Not JSON.
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(payload as UploadResult);
      else reject(apiErrorFrom(xhr.status, payload));
    };
    xhr.onerror = () =>
      reject(new ApiError(0, 'network_error', 'The upload was interrupted. Check your connection and try again.'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort());
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}

export const importsApi = {
  lastMapping: (workspaceId: string) =>
    api.get<{ mapping: Record<string, string> | null }>(`${base(workspaceId)}/last-mapping`),
  preview: (workspaceId: string, operationId: string, settings: ImportSettings) =>
    api.post<ImportPreview>(`${base(workspaceId)}/${seg(operationId)}/preview`, settings),
  start: (workspaceId: string, operationId: string, settings: ImportSettings) =>
    api.post<Operation>(`${base(workspaceId)}/${seg(operationId)}/start`, settings),
  rejectsUrl: (workspaceId: string, operationId: string) =>
    buildUrl(`${base(workspaceId)}/${seg(operationId)}/rejects.csv`),
};
