import { describe, expect, it } from 'vitest';
import { formatKeyList, generateDataKey, isEncrypted, Keyring, parseKeyList } from './crypto';
import { AppError } from './errors';

const failure = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
};

describe('Keyring (AES-256-GCM envelopes)', () => {
  const ring = new Keyring([generateDataKey('k1')]);

  it('round-trips text, including empty and non-ASCII, and never shows the plaintext', () => {
    for (const plain of ['JBSWY3DPEHPK3PXP', '', 'Ünïcödé ✓ 中文 🙂', 'x'.repeat(10_000)]) {
      const envelope = ring.encrypt(plain, 'mfa:user-1');
      expect(isEncrypted(envelope)).toBe(true);
      expect(envelope.startsWith('enc:v1:k1:')).toBe(true);
      if (plain) expect(envelope).not.toContain(plain);
      expect(ring.decrypt(envelope, 'mfa:user-1')).toBe(plain);
    }
  });

  it('uses a fresh IV each time: the same secret encrypts differently', () => {
    expect(ring.encrypt('same', 'a')).not.toBe(ring.encrypt('same', 'a'));
  });

  it('refuses to decrypt under other associated data (a value copied to another row)', () => {
    const envelope = ring.encrypt('secret', 'mfa:user-1');
    const error = failure(() => ring.decrypt(envelope, 'mfa:user-2'));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('internal');
    expect(failure(() => ring.decrypt(envelope))).toBeInstanceOf(AppError);
  });

  it('detects a tampered ciphertext, tag or IV with an AppError, never garbage', () => {
    const envelope = ring.encrypt('a secret worth keeping', 'ctx');
    const parts = envelope.split(':');
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64url');
      buf[0] = buf[0]! ^ 0x01;
      return buf.toString('base64url');
    };
    for (const index of [3, 4, 5]) {
      const tampered = [...parts];
      tampered[index] = flip(tampered[index]!);
      const error = failure(() => ring.decrypt(tampered.join(':'), 'ctx'));
      expect(error, `part ${index}`).toBeInstanceOf(AppError);
      expect((error as AppError).message).not.toContain('a secret worth keeping');
    }
  });

  it('rejects values that are not envelopes, are truncated or name an unknown key', () => {
    expect(failure(() => ring.decrypt('plaintext'))).toBeInstanceOf(AppError);
    expect(failure(() => ring.decrypt('enc:v1:k1:abc'))).toBeInstanceOf(AppError);
    const other = new Keyring([generateDataKey('k9')]).encrypt('x');
    const error = failure(() => ring.decrypt(other)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.message).toContain('k9');
  });

  it('after a new key is added first, values under the old key still decrypt and new ones use the new key', () => {
    const old = generateDataKey('old');
    const before = new Keyring([old]);
    const stored = before.encrypt('totp-secret', 'mfa:u');
    const rotated = new Keyring([generateDataKey('new'), old]);
    expect(rotated.activeKeyId).toBe('new');
    expect(rotated.decrypt(stored, 'mfa:u')).toBe('totp-secret');
    const fresh = rotated.encrypt('totp-secret', 'mfa:u');
    expect(fresh.startsWith('enc:v1:new:')).toBe(true);
    // The old ring alone cannot read what the new key wrote.
    expect(failure(() => before.decrypt(fresh, 'mfa:u'))).toBeInstanceOf(AppError);
  });

  it('needsRotation is true exactly for values not under the active key', () => {
    const old = generateDataKey('old');
    const stored = new Keyring([old]).encrypt('v');
    const rotated = new Keyring([generateDataKey('new'), old]);
    expect(rotated.needsRotation(stored)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt('v'))).toBe(false);
    expect(new Keyring([old]).needsRotation(stored)).toBe(false);
  });

  it('refuses keys that are not 32 bytes, bad key ids and an empty ring', () => {
    expect(() => new Keyring([])).toThrow(/at least one key/);
    expect(() => new Keyring([{ id: 'short', key: Buffer.alloc(16) }])).toThrow(/32 bytes/);
    expect(() => new Keyring([{ id: 'has:colon', key: Buffer.alloc(32) }])).toThrow(/key id/);
    expect(() => new Keyring([{ id: '', key: Buffer.alloc(32) }])).toThrow(/key id/);
  });
});

describe('parseKeyList / formatKeyList', () => {
  it('round-trips a key list, the first key active', () => {
    const keys = [generateDataKey('a1'), generateDataKey('b2')];
    const parsed = parseKeyList(` ${formatKeyList(keys)} ,\n`);
    expect(parsed.map((k) => k.id)).toEqual(['a1', 'b2']);
    expect(parsed.map((k) => k.key.toString('hex'))).toEqual(keys.map((k) => k.key.toString('hex')));
    expect(new Keyring(parsed).activeKeyId).toBe('a1');
  });

  it('errors on entries without an id, and the keyring refuses keys of the wrong length', () => {
    expect(() => parseKeyList('justbase64')).toThrow(/keyId:base64key/);
    expect(() => parseKeyList(':AAAA')).toThrow(/keyId:base64key/);
    expect(() => new Keyring(parseKeyList('k1:AAAA'))).toThrow(/32 bytes/);
    expect(() => new Keyring(parseKeyList(''))).toThrow(/at least one key/);
  });
});

describe('mac / macMatches', () => {
  it('verifies a MAC made with any key of the ring, so signed links survive rotation', () => {
    const old = generateDataKey('old');
    const before = new Keyring([old]);
    const mac = before.mac('reset', 'user-1|123');
    const rotated = new Keyring([generateDataKey('new'), old]);
    expect(rotated.macMatches('reset', 'user-1|123', mac)).toBe(true);
    expect(rotated.macMatches('reset', 'user-1|124', mac)).toBe(false);
    expect(rotated.macMatches('verify', 'user-1|123', mac)).toBe(false);
    expect(rotated.mac('reset', 'user-1|123')).not.toBe(mac);
    // Once the old key is dropped, its MACs stop working.
    expect(new Keyring([generateDataKey('new2')]).macMatches('reset', 'user-1|123', mac)).toBe(false);
    expect(rotated.macMatches('reset', 'user-1|123', 'short')).toBe(false);
  });
});
