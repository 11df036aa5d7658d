import { randomBytes } from 'node:crypto';
import type { Config } from './config';
import { loadConfig } from './config';

/** The fake Meta app the sandbox uses when none is configured (the same as the fixtures'). */
export const SANDBOX_APP_ID = '900000000000001';
export const SANDBOX_APP_SECRET = 'leadsboost-fake-app-secret-0001';

/** Whether `start` should run the Meta simulator in-process. */
export function wantsSandbox(config: Config, options: { demo: boolean; role: string }): boolean {
  if (options.role !== 'all') return false;
  if (options.demo || config.META_SANDBOX === 'true') return true;
  return config.META_SANDBOX === 'auto' && !config.metaEnabled && config.NODE_ENV !== 'production';
}

export interface RunningSandbox {
  /** The simulator (`sim/`); typed loosely here so the app's build does not depend on the simulator's types. */
  sim: Awaited<ReturnType<typeof import('../../sim/index')['startSimulator']>>;
  config: Config;
}

/**
 * Starts the Meta simulator in this process and returns the configuration pointed at it: Graph API and Login dialog
 * at the simulator, the simulator's app id and secret, a random verify token.
 */
export async function startSandbox(env: NodeJS.ProcessEnv): Promise<RunningSandbox> {
  const { startSimulator } = await import('../../sim/index');
  const appId = env.META_APP_ID || SANDBOX_APP_ID;
  const appSecret = env.META_APP_SECRET || SANDBOX_APP_SECRET;
  const sim = await startSimulator({ appId, appSecret, fast: true });
  const config = loadConfig({
    ...env,
    META_APP_ID: appId,
    META_APP_SECRET: appSecret,
    META_VERIFY_TOKEN: env.META_VERIFY_TOKEN || randomBytes(16).toString('hex'),
    META_GRAPH_URL: sim.url,
    META_DIALOG_URL: sim.url,
    META_SANDBOX: 'true',
  });
  return { sim, config };
}

/** Points the simulator's webhooks and callbacks at the app once it listens. */
export function connectSandbox(sandbox: RunningSandbox, appUrl: string): void {
  const webhookUrl = `${appUrl.replace(/\/$/, '')}/webhooks/meta`;
  sandbox.sim.configure({
    webhookUrl,
    deauthorizeUrl: `${webhookUrl}/deauthorize`,
    dataDeletionUrl: `${webhookUrl}/data-deletion`,
  });
}
