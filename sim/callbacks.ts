import { signedRequest } from './signing';

/**
 * The deauthorize and data-deletion callbacks (meta-platform.md §4): a form POST of `signed_request`, whose payload
 * names the app-scoped user id. Returns what the app answered.
 */
export type CallbackKind = 'deauthorize' | 'data_deletion';

export interface CallbackResult {
  url: string;
  status: number;
  /** Parsed JSON when the app answered JSON, else the text. */
  body: unknown;
  signedRequest: string;
}

export function callbackPayload(kind: CallbackKind, userId: string, nowSeconds: number): Record<string, unknown> {
  const payload: Record<string, unknown> = { user_id: userId, algorithm: 'HMAC-SHA256', issued_at: nowSeconds };
  if (kind === 'data_deletion') payload.expires = nowSeconds + 3600;
  return payload;
}

export async function sendSignedCallback(
  url: string,
  payload: Record<string, unknown>,
  appSecret: string,
  timeoutMs: number,
): Promise<CallbackResult> {
  const signed = signedRequest(payload, appSecret);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'facebookexternalua' },
    body: new URLSearchParams({ signed_request: signed }).toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      /* keep the text */
    }
  }
  return { url, status: response.status, body, signedRequest: signed };
}
