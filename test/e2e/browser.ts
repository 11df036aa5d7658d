import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Simulator } from '../../sim';
import { type RunningApp, startApp } from '../../src/app/app';
import { loadConfig } from '../../src/app/config';
import { WEB_DIST } from '../../src/http/server';
import { generateDataKey, Keyring } from '../../src/lib/crypto';
import { createLogger } from '../../src/lib/logger';
import { createTestDatabase } from '../support/db';

/** Debian's Chromium with the flags quality.md gives (no sandbox as root, no background network). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface E2E {
  app: RunningApp;
  baseUrl: string;
  browser: Browser;
  dataDir: string;
  /** The Meta simulator the app talks to, when started with `{ meta: true }`. */
  sim: Simulator | null;
  newPage: (options?: { width?: number; height?: number }) => Promise<{ page: Page; context: BrowserContext }>;
  close: () => Promise<void>;
}

export interface E2EOptions {
  /**
   * Also start the Meta simulator (fast webhook retries) and point the app at it: the app's Graph and Login dialog
   * URLs are the simulator's, and the simulator delivers Lead Ads webhooks to the app's `/webhooks/meta`.
   */
  meta?: boolean;
  /**
   * The sandbox a `leadsboost start --demo` runs: implies `meta`, and attaches the app's demo service to the
   * simulator, so `GET /api/v1/meta` says `demo: true` and "Try the demo" works.
   */
  demo?: boolean;
  /** Extra configuration (environment variables), e.g. `DEMO_LEAD_EVERY_SECONDS`. */
  env?: Record<string, string>;
}

const META_APP_ID = '900000000000001';
const META_APP_SECRET = 'e2e-meta-app-secret-0123456789abcdef';

/** The real server (built web app, real HTTP on a free port, fresh database) and a headless Chromium. */
export async function startE2E(options: E2EOptions = {}): Promise<E2E> {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('web/dist is missing: run `npm run build` first');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lb-e2e-'));
  const { database, drop } = await createTestDatabase();
  // PUBLIC_URL must be the address the browser uses so emailed links work; the port is known only after listening,
  // so listen on a port chosen here.
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const baseUrl = `http://127.0.0.1:${port}`;
  // Loaded only when asked for, so the other browser tests do not depend on the simulator.
  const sim =
    options.meta || options.demo
      ? await (await import('../../sim')).startSimulator({ appId: META_APP_ID, appSecret: META_APP_SECRET, fast: true })
      : null;
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: baseUrl,
    LOG_LEVEL: 'silent',
    JOB_POLL_SECONDS: '0.5',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    ...options.env,
    ...(sim && {
      META_APP_ID,
      META_APP_SECRET,
      META_VERIFY_TOKEN: 'e2e-meta-verify-token',
      META_GRAPH_URL: sim.url,
      META_DIALOG_URL: sim.url,
    }),
  });
  const app = await startApp(config, {
    database,
    keyring: new Keyring([generateDataKey('e2e')]),
    log: createLogger('silent'),
  });
  sim?.configure({
    webhookUrl: `${baseUrl}/webhooks/meta`,
    deauthorizeUrl: `${baseUrl}/webhooks/meta/deauthorize`,
    dataDeletionUrl: `${baseUrl}/webhooks/meta/data-deletion`,
  });
  if (sim && options.demo) app.container.demo.attach(sim);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
  return {
    app,
    baseUrl,
    browser,
    dataDir,
    sim,
    newPage: async ({ width = 1280, height = 800 } = {}) => {
      const context = await browser.newContext({ viewport: { width, height }, baseURL: baseUrl });
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      return { page, context };
    },
    close: async () => {
      await browser.close();
      app.container.demo.stopAutopilot();
      await app.stop();
      await sim?.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Where the browser tests save screens (`E2E_SCREENSHOTS=<dir>`); unset, they save none. */
export const SCREENSHOTS_DIR = process.env.E2E_SCREENSHOTS;

/**
 * Saves the whole page as `<name>-laptop.png` at its current viewport and `<name>-phone.png` at phone width, then
 * restores the viewport. Does nothing unless `E2E_SCREENSHOTS` is set.
 */
export async function saveScreenshots(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS_DIR) return;
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}-laptop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  // Lets the layout settle at the new width before the second screenshot.
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(size);
}
