import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { validate as uuidValidate, v7 as uuidv7 } from 'uuid';

/** Time-ordered ids: good B-tree locality and natural keyset paging (made here, PostgreSQL 15 has no uuidv7()). */
export const newId = (): string => uuidv7();

export const isUuid = (value: string): boolean => uuidValidate(value);

/** A random secret for links, sessions and keys, base64url, `bytes` of entropy. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Secrets are stored as their SHA-256; lookups hash the presented value. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
