import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../../src/app/app';
import { loadConfig } from '../../src/app/config';
import { generateDataKey, Keyring } from '../../src/lib/crypto';
import { createLogger } from '../../src/lib/logger';
import { createTestDatabase } from '../support/db';

/** `leadsboost start --role api|worker|all`: the api answers HTTP and only enqueues; the worker runs the jobs. */
describe('process roles', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(role: 'api' | 'worker', database: Awaited<ReturnType<typeof createTestDatabase>>['database']) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lb-role-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      JOB_POLL_SECONDS: '0.5',
      PUBLIC_URL: 'http://localhost:3000',
    });
    const app: RunningApp = await startApp(config, {
      role,
      database,
      keyring: new Keyring([generateDataKey('roles')]),
      log: createLogger('silent'),
      listen: false,
    });
    cleanups.push(async () => {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    return Object.assign(app, { dataDir });
  }

  it('an api-only process queues the sign-up email and a worker process sends it', async () => {
    const { database, drop } = await createTestDatabase();
    cleanups.push(drop);
    const api = await start('api', database);
    expect(api.server).not.toBeNull();
    const res = await api.server!.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: {
        name: 'Role Test',
        email: 'roles@example.com',
        phone: '+60123456789',
        password: 'a-long-password',
        companyName: 'Roles',
      },
    });
    expect(res.statusCode).toBe(201);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await api.container.queue.pendingCount()).toBe(1);

    const worker = await start('worker', database);
    expect(worker.server).toBeNull();
    for (let i = 0; i < 100 && (await worker.container.queue.pendingCount()) > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await worker.container.queue.pendingCount()).toBe(0);
    // Sent, not failed: the verification email is in the worker's outbox.
    const outbox = readdirSync(path.join(worker.dataDir, 'outbox'));
    expect(outbox).toHaveLength(1);
    expect(readFileSync(path.join(worker.dataDir, 'outbox', outbox[0]!), 'utf8')).toMatch(/^To: roles@example\.com/m);
  });
});
