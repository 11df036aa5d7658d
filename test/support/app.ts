import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { generate } from 'otplib';
import { type RunningApp, startApp } from '../../src/app/app';
import { loadConfig } from '../../src/app/config';
import type { Container } from '../../src/app/container';
import { generateDataKey, Keyring } from '../../src/lib/crypto';
import { createLogger, type Logger } from '../../src/lib/logger';
import { createTestDatabase } from './db';

export interface TestApp {
  app: RunningApp;
  server: FastifyInstance;
  c: Container;
  dataDir: string;
  /** A cookie-jar client, like one browser. */
  client: (ip?: string) => TestClient;
  /** Signs up a new account (and its workspace) and returns a signed-in client. */
  signup: (overrides?: Partial<SignupInput>) => Promise<SignedIn>;
  /** Runs queued jobs until none is left (emails and the like). */
  drainJobs: () => Promise<void>;
  /** Every .eml written to the outbox so far, oldest first. */
  outbox: () => string[];
  /** The latest email sent to this address (after draining jobs). */
  mailTo: (address: string) => Promise<string>;
  close: () => Promise<void>;
}

export interface SignupInput {
  name: string;
  email: string;
  phone: string;
  password: string;
  companyName: string;
}

export interface SignedIn {
  client: TestClient;
  userId: string;
  workspaceId: string;
  email: string;
  password: string;
}

let counter = 0;
export const uniqueEmail = (prefix = 'user') => `${prefix}.${Date.now().toString(36)}.${++counter}@example.com`;

/** The whole app in-process on a fresh database; requests go through `inject` (the real HTTP stack, no socket). */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { worker?: boolean; log?: Logger } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lb-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    JOB_POLL_SECONDS: '0.5',
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    PUBLIC_URL: 'http://localhost:3000',
    ...env,
  });
  const { database, drop } = await createTestDatabase();
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const app = await startApp(config, {
    database,
    keyring: new Keyring([generateDataKey('test1')]),
    log,
    listen: false,
    role: options.worker === false ? 'api' : 'all',
  });
  const server = app.server!;
  const outboxDir = path.join(dataDir, 'outbox');
  const outbox = () => {
    try {
      return readdirSync(outboxDir)
        .sort()
        .map((f) => readFileSync(path.join(outboxDir, f), 'utf8'));
    } catch {
      return [];
    }
  };

  const testApp: TestApp = {
    app,
    server,
    c: app.container,
    dataDir,
    client: (ip) => new TestClient(server, ip),
    outbox,
    drainJobs: async () => {
      for (let i = 0; i < 300; i++) {
        if ((await app.container.queue.pendingCount()) === 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('jobs did not drain');
    },
    mailTo: async (address) => {
      await testApp.drainJobs();
      const found = outbox().filter((m) => new RegExp(`^To: .*${address.replace(/[.+]/g, '\\$&')}`, 'mi').test(m));
      if (!found.length) throw new Error(`no email to ${address}`);
      return found.at(-1)!;
    },
    signup: async (overrides = {}) => {
      const input: SignupInput = {
        name: 'Test Owner',
        email: uniqueEmail(),
        phone: '+60123456789',
        password: 'a-long-password-1',
        companyName: 'Test Company',
        ...overrides,
      };
      const client = new TestClient(server);
      const res = await client.post('/api/v1/auth/signup', input);
      if (res.statusCode !== 201) throw new Error(`signup failed: ${res.body}`);
      const body = res.json();
      await client.refreshCsrf();
      return {
        client,
        userId: body.user.id,
        workspaceId: body.workspace.id,
        email: input.email,
        password: input.password,
      };
    },
    close: async () => {
      await app.stop();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testApp;
}

export interface Res {
  statusCode: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  json: () => any;
}

/** Keeps cookies like a browser and echoes the CSRF token on writes, as the web app does. */
export class TestClient {
  cookies = new Map<string, string>();
  csrf: string | null = null;
  bearer: string | null = null;

  constructor(
    private readonly server: FastifyInstance,
    private readonly ip = '127.0.0.1',
  ) {}

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const h: Record<string, string> = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 test', ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    const opts: InjectOptions = { method: method as InjectOptions['method'], url, headers: h, remoteAddress: this.ip };
    if (body !== undefined) opts.payload = body as InjectOptions['payload'];
    const res = await this.server.inject(opts);
    for (const c of res.cookies) {
      if (c.maxAge === 0 || c.value === '' || (c.expires && new Date(c.expires).getTime() < Date.now()))
        this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res as unknown as Res;
  }

  get = (url: string) => this.request('GET', url);
  post = (url: string, body?: unknown) => this.request('POST', url, body ?? {});
  patch = (url: string, body?: unknown) => this.request('PATCH', url, body ?? {});
  delete = (url: string) => this.request('DELETE', url);

  /** Reads the CSRF token the way the web app does after signing in. */
  async refreshCsrf(): Promise<void> {
    const res = await this.get('/api/v1/auth/session');
    this.csrf = res.statusCode === 200 ? res.json().csrfToken : null;
  }

  async login(email: string, password: string): Promise<Res> {
    const res = await this.post('/api/v1/auth/login', { email, password });
    if (res.statusCode === 200 && res.json().status === 'ok') await this.refreshCsrf();
    return res;
  }
}

/** The current TOTP code for a base32 secret. */
export const totp = (secret: string) => generate({ secret });

/** The first link in an email that points at `pathPrefix` (e.g. "/invite/"). */
export function linkIn(eml: string, pathPrefix: string): string {
  const unfolded = eml.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const match = unfolded.match(new RegExp(`http://localhost:3000${pathPrefix.replace(/[/?]/g, '\\$&')}[^\\s"<>]+`));
  if (!match) throw new Error(`no ${pathPrefix} link in email`);
  return match[0];
}
