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

/**
 * Errors as logged: pino's standard shape, minus the parameters of a failed database query. Drizzle puts them in
 * `params` and in the message ("Failed query: …\nparams: a@b.com,+60…"), and they hold emails, phones and hashes.
 */
export function serializeError(err: Error): unknown {
  const base: unknown = pino.stdSerializers.err(err);
  if (!base || typeof base !== 'object') return base;
  const out = { ...(base as Record<string, unknown>) };
  const scrub = (s: unknown) =>
    typeof s === 'string'
      ? s.replace(/(^|\n)params: [\s\S]*?(?=\n\s+at |\ncaused by: |$)/g, '$1params: [redacted]')
      : s;
  out.message = scrub(out.message);
  out.stack = scrub(out.stack);
  delete out.params;
  return out;
}

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
        err: serializeError,
      },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'leadsboost' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
