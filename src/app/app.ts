import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { type Database, openDatabase } from '../db/client';
import { TASK_REMINDERS_CRON, taskRemindersSweep } from '../domains/activity/task-reminders';
import { META_INBOUND_SWEEP_CRON } from '../domains/meta/ingest.service';
import { metaInbound, metaReconcileAll, metaTokenCheck } from '../domains/meta/meta.jobs';
import { buildServer } from '../http/server';
import type { Keyring } from '../lib/crypto';
import { createLogger, type Logger } from '../lib/logger';
import type { Config } from './config';
import { buildContainer, type Container } from './container';
import { loadKeyring } from './keys';

export type Role = 'api' | 'worker' | 'all';

export interface RunningApp {
  container: Container;
  server: FastifyInstance | null;
  url: string | null;
  stop(): Promise<void>;
}

/**
 * Opens the database (migrating it), builds the services, then starts the api (HTTP) and/or the worker (jobs).
 * `database`, `keyring` and `log` may be passed in by tests; otherwise they come from the configuration.
 */
export async function startApp(
  config: Config,
  options: { role?: Role; database?: Database; keyring?: Keyring; log?: Logger; listen?: boolean } = {},
): Promise<RunningApp> {
  const role = options.role ?? 'all';
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const database =
    options.database ?? (await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR }));
  await database.migrate();
  const keyring = options.keyring ?? loadKeyring(config, log);
  const container = buildContainer(config, database, keyring, log);
  await container.queue.start();
  if (role !== 'api') {
    await container.queue.work();
    // Recurring work runs on workers only; pg-boss keeps one schedule per queue, so every worker may declare it.
    await container.queue.schedule(taskRemindersSweep, TASK_REMINDERS_CRON);
    if (config.metaEnabled) {
      await container.queue.schedule(metaInbound, META_INBOUND_SWEEP_CRON);
      await container.queue.schedule(metaReconcileAll, config.META_RECONCILE_CRON);
      await container.queue.schedule(metaTokenCheck, config.META_TOKEN_CHECK_CRON);
      // Webhooks stored just before a crash are drained now, not at the next sweep.
      await container.queue.send(metaInbound, {});
    }
  }

  let server: FastifyInstance | null = null;
  let url: string | null = null;
  if (role !== 'worker') {
    const https = config.tls ? { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } : undefined;
    server = await buildServer(container, { https });
    if (options.listen !== false) {
      await server.listen({ port: config.PORT, host: config.HOST });
      const address = server.server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      url = `${config.tls ? 'https' : 'http'}://${config.HOST}:${port}`;
    } else {
      await server.ready();
    }
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      container.demo.stopAutopilot();
      if (server) await server.close();
      await container.queue.stop();
      if (!options.database) await database.close();
    })();
    return stopping;
  };
  return { container, server, url, stop };
}
