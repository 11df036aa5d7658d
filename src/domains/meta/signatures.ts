import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The three ways Meta proves a request came from it or from us (meta-platform.md §1, §3, §4), all keyed by the app
 * secret: webhook body signatures, `appsecret_proof` on our Graph calls, and `signed_request` callbacks.
 */

const safeEqual = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/** `X-Hub-Signature-256` check over the raw body bytes, never over re-serialised JSON. */
export function verifyHubSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!appSecret || !header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return safeEqual(given, expected);
}

export const hubSignature = (rawBody: Buffer | string, appSecret: string) =>
  `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;

export const appSecretProof = (accessToken: string, appSecret: string) =>
  createHmac('sha256', appSecret).update(accessToken).digest('hex');

/** Constant-time comparison of the webhook verify token; an empty configured token never matches. */
export function verifyTokenMatches(given: string | undefined, configured: string): boolean {
  if (!configured || given === undefined) return false;
  return safeEqual(Buffer.from(given), Buffer.from(configured));
}

export interface SignedRequestPayload {
  user_id: string;
  algorithm: string;
  issued_at?: number;
  expires?: number;
  [key: string]: unknown;
}

const fromBase64Url = (part: string) => Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

/**
 * Verifies a `signed_request` (`<sig>.<payload>`, base64url without padding; the signature is the raw HMAC-SHA256
 * of the encoded payload). Returns the payload, or null when it is malformed, not HMAC-SHA256 or wrongly signed.
 */
export function parseSignedRequest(signedRequest: string, appSecret: string): SignedRequestPayload | null {
  if (!appSecret || typeof signedRequest !== 'string') return null;
  const dot = signedRequest.indexOf('.');
  if (dot <= 0 || dot === signedRequest.length - 1) return null;
  const encodedSig = signedRequest.slice(0, dot);
  const encodedPayload = signedRequest.slice(dot + 1);
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(encodedSig) || !/^[A-Za-z0-9_-]+={0,2}$/.test(encodedPayload)) return null;
  const expected = createHmac('sha256', appSecret).update(encodedPayload).digest();
  if (!safeEqual(fromBase64Url(encodedSig), expected)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(fromBase64Url(encodedPayload).toString('utf8'));
  } catch {
    return null;
  }
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as SignedRequestPayload;
  if (typeof p.algorithm !== 'string' || p.algorithm.toUpperCase() !== 'HMAC-SHA256') return null;
  if (typeof p.user_id !== 'string' || !/^\d{1,40}$/.test(p.user_id)) return null;
  return p;
}
