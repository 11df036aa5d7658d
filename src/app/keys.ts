import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client';
import { pageTokenAad, userTokenAad } from '../domains/meta/credentials';
import { type DataKey, formatKeyList, generateDataKey, Keyring, parseKeyList } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import type { Config } from './config';

/**
 * Every column that holds a secret encrypted with the keyring, with the associated data each value is bound to
 * (so a ciphertext copied to another row does not decrypt). `keys rotate` rewrites exactly these.
 */
export const ENCRYPTED_COLUMNS = [
  { table: 'users', column: 'mfa_secret', aad: (id: string) => `mfa:${id}` },
  { table: 'meta_connections', column: 'user_token', aad: userTokenAad },
  { table: 'meta_pages', column: 'page_token', aad: pageTokenAad },
] as const;

export const keyFilePath = (config: Config) => path.resolve(config.DATA_DIR, 'encryption-keys');

/**
 * The keyring from `ENCRYPTION_KEYS`, or from the key file in the data directory, which the first start creates.
 */
export function loadKeyring(config: Config, log: Logger): Keyring {
  if (config.ENCRYPTION_KEYS) return new Keyring(parseKeyList(config.ENCRYPTION_KEYS));
  const file = keyFilePath(config);
  if (existsSync(file)) return new Keyring(parseKeyList(readFileSync(file, 'utf8')));
  mkdirSync(path.dirname(file), { recursive: true });
  const key = generateDataKey();
  writeFileSync(file, `${formatKeyList([key])}\n`, { mode: 0o600 });
  log.warn(
    { file },
    'No ENCRYPTION_KEYS given: generated a new encryption key file. Back it up with the data directory.',
  );
  return new Keyring([key]);
}

/**
 * Rotation: with a key file, a new key is generated and becomes the active one; with ENCRYPTION_KEYS the operator
 * puts the new key first. Either way every encrypted value is then rewritten under the active key.
 */
export async function rotateKeys(config: Config, db: Db, log: Logger): Promise<{ keyId: string; rewritten: number }> {
  let keys: DataKey[];
  if (config.ENCRYPTION_KEYS) {
    keys = parseKeyList(config.ENCRYPTION_KEYS);
  } else {
    const file = keyFilePath(config);
    const existing = existsSync(file) ? parseKeyList(readFileSync(file, 'utf8')) : [];
    keys = [generateDataKey(), ...existing];
    writeFileSync(file, `${formatKeyList(keys)}\n`, { mode: 0o600 });
  }
  const keyring = new Keyring(keys);
  const rewritten = await reencryptAll(db, keyring);
  log.info({ keyId: keyring.activeKeyId, rewritten }, 'encryption keys rotated');
  return { keyId: keyring.activeKeyId, rewritten };
}

export async function reencryptAll(db: Db, keyring: Keyring): Promise<number> {
  let rewritten = 0;
  for (const col of ENCRYPTED_COLUMNS) {
    const rows = rowsOf<{ id: string; value: string }>(
      await db.execute(sql`select id, ${sql.identifier(col.column)} as value from ${sql.identifier(col.table)}
        where ${sql.identifier(col.column)} is not null`),
    );
    for (const row of rows) {
      if (!keyring.needsRotation(row.value)) continue;
      const plain = keyring.decrypt(row.value, col.aad(row.id));
      await db.execute(sql`update ${sql.identifier(col.table)} set ${sql.identifier(col.column)} = ${keyring.encrypt(plain, col.aad(row.id))}
        where id = ${row.id}`);
      rewritten++;
    }
  }
  return rewritten;
}
