import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../../src/app/app';
import { loadConfig } from '../../src/app/config';
import { uniqueEmail } from '../support/app';
import { createTestDatabase } from '../support/db';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  protocol: string | null;
}

/** One real request over a socket (https with the self-signed certificate accepted, or plain http). */
function call(
  url: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const u = new URL(url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: options.method ?? 'GET',
        rejectUnauthorized: false,
        agent: false,
        headers: {
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
            : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            protocol: u.protocol === 'https:' ? ((res.socket as TLSSocket).getProtocol?.() ?? null) : null,
          }),
        );
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

async function start(dir: string, env: Record<string, string>) {
  const { database, drop } = await createTestDatabase();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    JOB_POLL_SECONDS: '0.5',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    ...env,
  });
  const app = await startApp(config, { database, listen: true, role: 'api' });
  return { app, drop };
}

/** P16: the server terminates TLS itself, sends HSTS and marks the session cookie Secure. */
describe('TLS (P16)', () => {
  let dir: string;
  let tlsApp: RunningApp;
  let plainApp: RunningApp;
  const drops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lb-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const secure = await start(path.join(dir, 'tls-data'), { TLS_CERT_FILE: cert, TLS_KEY_FILE: key });
    const plain = await start(path.join(dir, 'plain-data'), {});
    tlsApp = secure.app;
    plainApp = plain.app;
    drops.push(secure.drop, plain.drop);
  });
  afterAll(async () => {
    await tlsApp?.stop();
    await plainApp?.stop();
    for (const drop of drops) await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers over HTTPS (TLS 1.2 or newer) with Strict-Transport-Security', async () => {
    expect(tlsApp.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await call(`${tlsApp.url}/healthz`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
    expect(res.protocol).toMatch(/^TLSv1\.[23]$/);
    const hsts = res.headers['strict-transport-security'];
    expect(hsts).toBeDefined();
    const maxAge = Number(/max-age=(\d+)/.exec(String(hsts))?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(180 * 24 * 3600);
    // API answers carry it too.
    const api = await call(`${tlsApp.url}/api/v1/auth/session`);
    expect(api.status).toBe(401);
    expect(api.headers['strict-transport-security']).toBeDefined();
  });

  it('does not speak plain HTTP on the TLS port', async () => {
    const plainUrl = tlsApp.url!.replace('https://', 'http://');
    const outcome = await call(`${plainUrl}/healthz`).then(
      (r) => `status ${r.status}`,
      (e: Error) => `error ${e.message}`,
    );
    expect(outcome).not.toBe('status 200');
  });

  it('sign-up over HTTPS sets a __Host-lb_session cookie with Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
    const email = uniqueEmail('tls');
    const res = await call(`${tlsApp.url}/api/v1/auth/signup`, {
      method: 'POST',
      body: { name: 'Tia Tls', email, phone: '+60123456789', password: 'a-long-password-tls', companyName: 'TLS Co' },
    });
    expect(res.status, res.body).toBe(201);
    const cookies = res.headers['set-cookie'] ?? [];
    const line = cookies.find((c) => c.startsWith('__Host-lb_session='));
    expect(line, JSON.stringify(cookies)).toBeDefined();
    const attrs = line!.split(';').map((a) => a.trim().toLowerCase());
    expect(attrs).toContain('secure');
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=lax');
    expect(attrs).toContain('path=/');
    expect(attrs.some((a) => a.startsWith('domain='))).toBe(false);
    expect(cookies.some((c) => c.startsWith('lb_session='))).toBe(false);

    const session = await call(`${tlsApp.url}/api/v1/auth/session`, { headers: { cookie: line!.split(';')[0]! } });
    expect(session.status).toBe(200);
    expect(JSON.parse(session.body).user.email).toBe(email);
  });

  it('a plain-HTTP server sends no HSTS and a non-Secure lb_session cookie', async () => {
    expect(plainApp.url).toMatch(/^http:\/\//);
    const res = await call(`${plainApp.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toBeUndefined();
    const signup = await call(`${plainApp.url}/api/v1/auth/signup`, {
      method: 'POST',
      body: {
        name: 'Pia Plain',
        email: uniqueEmail('plain'),
        phone: '+60123456789',
        password: 'a-long-password-plain',
        companyName: 'Plain Co',
      },
    });
    expect(signup.status, signup.body).toBe(201);
    const line = (signup.headers['set-cookie'] ?? []).find((c) => c.startsWith('lb_session='));
    expect(line).toBeDefined();
    expect(line!.toLowerCase()).not.toMatch(/;\s*secure/);
    expect(signup.headers['strict-transport-security']).toBeUndefined();
  });
});
