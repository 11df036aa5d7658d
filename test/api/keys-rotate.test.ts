import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../../src/app/app';
import { type Config, loadConfig } from '../../src/app/config';
import { keyFilePath, rotateKeys } from '../../src/app/keys';
import { rowsOf } from '../../src/db/client';
import { Keyring, parseKeyList } from '../../src/lib/crypto';
import { createLogger } from '../../src/lib/logger';
import { TestClient, totp } from '../support/app';

/**
 * P17: secrets at rest are encrypted, and `keys rotate` re-encrypts them under a new key while everything keeps
 * working. Runs the real thing: PGlite in a data directory on disk, and the key file the first start creates there.
 */
describe('encryption key rotation on a PGlite data directory', () => {
  let dataDir: string;
  let config: Config;
  let app: RunningApp | null = null;
  const log = createLogger('silent');
  const email = `rotate.${Date.now()}@example.com`;
  const password = 'a-long-password-rotate';
  let userId: string;
  let totpSecret: string;

  const start = async () => {
    app = await startApp(config, { listen: false, log });
    return new TestClient(app.server!);
  };
  const stop = async () => {
    await app?.stop();
    app = null;
  };
  const keyFile = () => parseKeyList(readFileSync(keyFilePath(config), 'utf8'));
  const storedSecret = async () =>
    rowsOf<{ mfa_secret: string }>(
      await app!.container.db.execute(sql`select mfa_secret from users where id = ${userId}`),
    )[0]!.mfa_secret;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'lb-rotate-'));
    const { DATABASE_URL: _db, ENCRYPTION_KEYS: _keys, ...env } = process.env;
    config = loadConfig({
      ...env,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'http://localhost:3000',
      AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    });
  });
  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores the TOTP secret encrypted under the key of the key file', async () => {
    const client = await start();
    expect(app!.container.database.kind).toBe('pglite');
    expect(keyFile()).toHaveLength(1);

    const signup = await client.post('/api/v1/auth/signup', {
      name: 'Rota Tion',
      email,
      phone: '+60123456789',
      password,
      companyName: 'Rotate Co',
    });
    expect(signup.statusCode).toBe(201);
    userId = signup.json().user.id;
    await client.refreshCsrf();
    const setup = await client.post('/api/v1/auth/mfa/setup');
    expect(setup.statusCode).toBe(200);
    totpSecret = setup.json().secret;
    // Confirm with the previous 30-second step's code, so the current step is still unused for the sign-in below.
    const code = await generate({ secret: totpSecret, epoch: Math.floor(Date.now() / 1000) - 30 });
    const enabled = await client.post('/api/v1/auth/mfa/enable', { code });
    expect(enabled.statusCode, enabled.body).toBe(200);

    const stored = await storedSecret();
    expect(stored.startsWith(`enc:v1:${keyFile()[0]!.id}:`)).toBe(true);
    expect(stored).not.toContain(totpSecret);
  });

  it('rotateKeys makes a new active key, re-encrypts the secret under it, and keeps the old key for reading', async () => {
    const oldKeys = keyFile();
    const result = await rotateKeys(config, app!.container.db, log);
    expect(result.rewritten).toBe(1);

    const keys = keyFile();
    expect(keys).toHaveLength(2);
    expect(keys[0]!.id).toBe(result.keyId);
    expect(keys[0]!.id).not.toBe(oldKeys[0]!.id);
    expect(keys[1]!.key.equals(oldKeys[0]!.key)).toBe(true);

    const stored = await storedSecret();
    expect(stored.startsWith(`enc:v1:${result.keyId}:`)).toBe(true);
    expect(new Keyring(keys).decrypt(stored, `mfa:${userId}`)).toBe(totpSecret);
    // Really rewritten: the old key alone can no longer read it.
    expect(() => new Keyring(oldKeys).decrypt(stored, `mfa:${userId}`)).toThrow();
    // Rotating again adds a third key and rewrites the secret once more.
    const again = await rotateKeys(config, app!.container.db, log);
    expect(again.rewritten).toBe(1);
    expect(keyFile()).toHaveLength(3);
  });

  it('after a restart with the rotated key file, the user signs in with a TOTP code', async () => {
    await stop();
    const client = await start();
    const first = await client.post('/api/v1/auth/login', { email, password });
    expect(first.statusCode).toBe(200);
    expect(first.json().status).toBe('mfa_required');
    const second = await client.post('/api/v1/auth/login/mfa', {
      mfaToken: first.json().mfaToken,
      code: await totp(totpSecret),
    });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toMatchObject({ status: 'ok', user: { email, mfaEnabled: true } });
  });

  it('a dump of every table holds no plaintext TOTP secret', async () => {
    const db = app!.container.db;
    const tables = rowsOf<{ table_schema: string; table_name: string }>(
      await db.execute(sql`select table_schema, table_name from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`),
    );
    expect(tables.map((r) => r.table_name)).toContain('users');
    let dumped = 0;
    for (const { table_schema, table_name } of tables) {
      const rows = rowsOf(
        await db.execute(sql`select * from ${sql.identifier(table_schema)}.${sql.identifier(table_name)}`),
      );
      const text = JSON.stringify(rows);
      expect(text, `${table_schema}.${table_name}`).not.toContain(totpSecret);
      dumped += rows.length;
    }
    expect(dumped).toBeGreaterThan(5);
  });
});
