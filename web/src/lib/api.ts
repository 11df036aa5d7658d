/**
 * Small fetch client for `/api/v1`: JSON in and out, the session cookie, the CSRF header on writes,
 * and one error type (`ApiError`) built from the server's `{error:{code,message}}` envelope.
 */

export const API_BASE = '/api/v1';

export interface ApiErrorDetail {
  path?: string | (string | number)[];
  message?: string;
  [key: string]: unknown;
}

/** Error thrown for every failed call; `code` is the server's stable error code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: ApiErrorDetail[] | undefined;

  constructor(status: number, code: string, message: string, requestId?: string, details?: ApiErrorDetail[]) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.details = details;
  }
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

type Listener = (info: { path: string }) => void;

let csrfToken: string | null = null;
let onUnauthenticated: Listener | null = null;
let onMfaEnrolmentRequired: Listener | null = null;

/** Kept from `GET /auth/session`; it changes at each sign-in. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The current CSRF token, for requests made outside `apiRequest` (file uploads with progress). */
export function getCsrfToken(): string | null {
  return csrfToken;
}

export function setUnauthenticatedHandler(handler: Listener | null): void {
  onUnauthenticated = handler;
}

export function setMfaEnrolmentRequiredHandler(handler: Listener | null): void {
  onMfaEnrolmentRequired = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | null | undefined>;
  signal?: AbortSignal;
  /** Public calls (sign-in, session probe, invite lookup) handle 401 themselves instead of redirecting. */
  skipAuthRedirect?: boolean;
}

/** Absolute-path URL of an API route, for links (downloads) and XMLHttpRequest. */
export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const url = `${API_BASE}${path}`;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

/** The `ApiError` for a failed answer's status and parsed JSON body (also used for XMLHttpRequest uploads). */
export function apiErrorFrom(status: number, payload: unknown): ApiError {
  const envelope = (payload as { error?: Record<string, unknown> } | null)?.error;
  if (envelope && typeof envelope.code === 'string') {
    return new ApiError(
      status,
      envelope.code,
      typeof envelope.message === 'string' ? envelope.message : 'Something went wrong.',
      typeof envelope.requestId === 'string' ? envelope.requestId : undefined,
      Array.isArray(envelope.details) ? (envelope.details as ApiErrorDetail[]) : undefined,
    );
  }
  if (status >= 500) {
    return new ApiError(status, 'internal', `The server could not answer (HTTP ${status}). Try again.`);
  }
  return new ApiError(status, 'http_error', `Request failed (HTTP ${status}).`);
}

async function parseError(response: Response): Promise<ApiError> {
  let payload: unknown = null;
  try {
    payload = await response.json();
  } catch {
    // Not JSON: a proxy page or an empty body.
  }
  return apiErrorFrom(response.status, payload);
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  try {
    return await fetch(buildUrl(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: options.signal,
    });
  } catch (error) {
    if ((error as { name?: string }).name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'Cannot reach LeadsBoost. Check your connection and try again.');
  }
}

/** Re-reads the session to pick up a fresh CSRF token (it rotates at sign-in). */
async function refreshCsrfToken(): Promise<void> {
  const response = await send('/auth/session', { skipAuthRedirect: true });
  if (!response.ok) {
    csrfToken = null;
    return;
  }
  const body = (await response.json()) as { csrfToken?: string };
  csrfToken = body.csrfToken ?? null;
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(path, options);

  if (response.status === 403 && (options.method ?? 'GET') !== 'GET') {
    const error = await parseError(response.clone());
    if (error.code === 'csrf_failed') {
      await refreshCsrfToken();
      response = await send(path, options);
    }
  }

  if (!response.ok) {
    const error = await parseError(response);
    if (error.code === 'unauthenticated' && !options.skipAuthRedirect) {
      csrfToken = null;
      onUnauthenticated?.({ path });
    }
    if (error.code === 'mfa_enrolment_required') onMfaEnrolmentRequired?.({ path });
    throw error;
  }

  // 202 and 204 answers may have no body.
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>) => apiRequest<T>(path, options),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'POST', body }),
  patch: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'PATCH', body }),
  put: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'PUT', body }),
  delete: <T = void>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'DELETE' }),
};

/** Path segment encoding for ids and tokens placed in URLs. */
export const seg = (value: string): string => encodeURIComponent(value);

/** base64url of a JSON value (UTF-8), as the API expects for `query=` parameters. */
export function base64UrlJson(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
