import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { AppError } from './errors';
import { safeEqual } from './ids';

/**
 * Envelope for secrets at rest: AES-256-GCM under a key named by a key id, so keys rotate without downtime.
 * Ciphertext format: `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url parts). The first key of the ring encrypts;
 * every key in the ring decrypts.
 */
export interface DataKey {
  id: string;
  key: Buffer;
}

const PREFIX = 'enc:v1:';

export class Keyring {
  readonly keys: DataKey[];

  constructor(keys: DataKey[]) {
    if (keys.length === 0) throw new Error('Keyring needs at least one key');
    for (const k of keys) {
      if (k.key.length !== 32) throw new Error(`Encryption key ${k.id} must be 32 bytes (AES-256)`);
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(k.id))
        throw new Error(`Encryption key id "${k.id}" must be 1-32 of [A-Za-z0-9_-]`);
    }
    this.keys = keys;
  }

  get activeKeyId(): string {
    return this.keys[0]!.id;
  }

  encrypt(plaintext: string, associatedData = ''): string {
    const active = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', active.key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${PREFIX}${active.id}:${iv.toString('base64url')}:${tag.toString('base64url')}:${ct.toString('base64url')}`;
  }

  decrypt(envelope: string, associatedData = ''): string {
    const parsed = parseEnvelope(envelope);
    const dataKey = this.keys.find((k) => k.id === parsed.keyId);
    if (!dataKey) throw new AppError('internal', `No encryption key with id ${parsed.keyId} is configured.`);
    const decipher = createDecipheriv('aes-256-gcm', dataKey.key, parsed.iv);
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(parsed.tag);
    try {
      return Buffer.concat([decipher.update(parsed.ct), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new AppError('internal', 'A stored secret failed its integrity check.', { cause });
    }
  }

  /** True when the value is encrypted under a key other than the active one (so `keys rotate` must rewrite it). */
  needsRotation(envelope: string): boolean {
    return parseEnvelope(envelope).keyId !== this.activeKeyId;
  }

  /** A keyed hash for signed links and tokens; each purpose gets its own sub-key, never the raw data key. */
  mac(purpose: string, value: string, key: DataKey = this.keys[0]!): string {
    const sub = createHmac('sha256', key.key).update(`mac:${purpose}`).digest();
    return createHmac('sha256', sub).update(value).digest('base64url');
  }

  /** Checks a MAC against every key of the ring, so signed links survive a key rotation. */
  macMatches(purpose: string, value: string, mac: string): boolean {
    return this.keys.some((k) => safeEqual(this.mac(purpose, value, k), mac));
  }
}

function parseEnvelope(envelope: string) {
  if (!envelope.startsWith(PREFIX)) throw new AppError('internal', 'A stored secret is not in the encrypted format.');
  const [keyId, iv, tag, ct] = envelope.slice(PREFIX.length).split(':');
  if (!keyId || !iv || !tag || ct === undefined) throw new AppError('internal', 'A stored secret is malformed.');
  return {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
    ct: Buffer.from(ct, 'base64url'),
  };
}

export const isEncrypted = (value: string): boolean => value.startsWith(PREFIX);

/** Parses `ENCRYPTION_KEYS`: comma-separated `keyId:base64key`, the first one active. */
export function parseKeyList(spec: string): DataKey[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const i = entry.indexOf(':');
      if (i <= 0) throw new Error('ENCRYPTION_KEYS entries must look like keyId:base64key');
      return { id: entry.slice(0, i), key: Buffer.from(entry.slice(i + 1), 'base64') };
    });
}

export function generateDataKey(id = `k${Date.now().toString(36)}`): DataKey {
  return { id, key: randomBytes(32) };
}

export const formatKeyList = (keys: DataKey[]): string =>
  keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
