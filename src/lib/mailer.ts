import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { randomToken } from './ids';
import type { Logger } from './logger';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Sends mail over SMTP (`SMTP_URL`); with none configured, writes each message as an `.eml` file to
 * `<DATA_DIR>/outbox/` so a person can still open it. Only the file name is logged, never the address or body.
 */
export class Mailer {
  private readonly transport: Transporter;
  readonly outboxDir: string | null;

  constructor(
    options: { smtpUrl?: string; from: string; outboxDir: string },
    private readonly log: Logger,
  ) {
    this.from = options.from;
    if (options.smtpUrl) {
      this.transport = nodemailer.createTransport(options.smtpUrl);
      this.outboxDir = null;
    } else {
      this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      this.outboxDir = path.resolve(options.outboxDir);
    }
  }

  private readonly from: string;

  async send(message: MailMessage): Promise<void> {
    const info = await this.transport.sendMail({ from: this.from, ...message });
    if (this.outboxDir) {
      mkdirSync(this.outboxDir, { recursive: true });
      const file = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomToken(6)}.eml`;
      writeFileSync(path.join(this.outboxDir, file), (info as unknown as { message: Buffer }).message);
      this.log.info({ file }, 'mail written to outbox (no SMTP_URL configured)');
    } else {
      this.log.info({ messageId: info.messageId }, 'mail sent');
    }
  }
}
