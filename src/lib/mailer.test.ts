import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { Mailer } from './mailer';

describe('Mailer', () => {
  const received: string[] = [];
  let smtp: SMTPServer;
  let port = 0;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, done) {
        let data = '';
        stream.on('data', (chunk: Buffer) => {
          data += chunk.toString();
        });
        stream.on('end', () => {
          received.push(data);
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    port = (smtp.server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

  it('delivers through SMTP when SMTP_URL is set', async () => {
    const mailer = new Mailer(
      {
        smtpUrl: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
        from: 'LeadsBoost <no-reply@example.com>',
        outboxDir: '/nonexistent',
      },
      createLogger('silent'),
    );
    await mailer.send({
      to: 'ann@example.com',
      subject: 'Confirm your email',
      text: 'Open https://x/verify-email?token=abc',
    });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatch(/^To: ann@example\.com/m);
    expect(received[0]).toMatch(/^Subject: Confirm your email/m);
    expect(received[0]).toContain('verify-email?token=abc');
  });

  it('writes an .eml file to the outbox without SMTP, and logs only its file name', async () => {
    const outboxDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'lb-mail-')), 'outbox');
    let logged = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logged += chunk.toString();
        cb();
      },
    });
    const mailer = new Mailer({ from: 'LeadsBoost <no-reply@example.com>', outboxDir }, createLogger('info', sink));
    await mailer.send({ to: 'secret.person@example.com', subject: 'Reset your password', text: 'token=s3cr3t-value' });
    const files = readdirSync(outboxDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const eml = readFileSync(path.join(outboxDir, files[0]!), 'utf8');
    expect(eml).toMatch(/^To: secret\.person@example\.com/m);
    expect(eml).toContain('s3cr3t-value');
    expect(logged).toContain(files[0]);
    expect(logged).not.toContain('secret.person');
    expect(logged).not.toContain('s3cr3t-value');
  });
});
