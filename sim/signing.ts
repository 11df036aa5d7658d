import { createHmac } from 'node:crypto';

/**
 * Meta's three signatures, re-implemented from meta-platform.md §1, §3 and §4 with node:crypto alone (the simulator
 * shares no code with the app, so a bug in the app's verification cannot be hidden by the same bug here).
 */

/** `appsecret_proof`: lowercase hex HMAC-SHA256 of the access token, keyed by the app secret. */
export const appSecretProof = (accessToken: string, appSecret: string) =>
  createHmac('sha256', appSecret).update(accessToken).digest('hex');

/** Webhook signature headers over the exact bytes sent: `X-Hub-Signature-256` (sha256) and the legacy sha1 one. */
export function signWebhook(
  rawBody: string | Buffer,
  appSecret: string,
): { 'x-hub-signature-256': string; 'x-hub-signature': string } {
  return {
    'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`,
    'x-hub-signature': `sha1=${createHmac('sha1', appSecret).update(rawBody).digest('hex')}`,
  };
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/**
 * A `signed_request` as Meta posts it to the deauthorize and data-deletion callbacks: base64url (no padding) of the
 * raw HMAC-SHA256 over the *encoded* payload, a dot, then the encoded payload. A string payload is used verbatim.
 */
export function signedRequest(payload: object | string, appSecret: string): string {
  const json = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const encodedPayload = base64url(json);
  const signature = base64url(createHmac('sha256', appSecret).update(encodedPayload).digest());
  return `${signature}.${encodedPayload}`;
}

/** JSON with every non-ASCII character escaped as `\uXXXX`, the form Meta is reported to sign and send. */
export const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
