import pino, { type Logger } from 'pino';

/** Paths never written to logs: passwords, tokens, cookies, keys and emails (P19, quality.md canary check). */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  'token',
  '*.token',
  '*.mfaToken',
  '*.code',
  '*.secret',
  '*.accessToken',
  'email',
  '*.email',
  '*.phone',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

/** Paths whose last segment is a secret (invitation links) and secret query parameters: logged without them. */
export const redactUrl = (url: string): string =>
  url.replace(/^(\/api\/v1\/invites\/)[^/?]+/, '$1[redacted]').replace(/([?&](token|code)=)[^&]+/gi, '$1[redacted]');

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      serializers: {
        req: (req: { id: string; method: string; url: string; ip?: string; headers?: Record<string, string> }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          ip: req.ip,
          userAgent: req.headers?.['user-agent'],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'leadsboost' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
