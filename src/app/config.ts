import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every setting LeadsBoost reads from the environment, parsed once. The README lists each one. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('LeadsBoost <no-reply@leadsboost.local>'),
  PRIVACY_CONTACT_EMAIL: z.email().default('it@tektician.com'),
  DATA_REGION: z.string().default('Self-hosted (the operator\u2019s own server)'),
  /**
   * The privacy policy text served at /privacy-policy (default: the one shipped in src/domains/privacy). Its "Last
   * Updated:" date is the policy's version: a new date asks every signed-in user to acknowledge it (P34).
   */
  PRIVACY_POLICY_FILE: z.string().optional(),
  ENCRYPTION_KEYS: z.string().optional(),
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(12 * 60),
  SESSION_ABSOLUTE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .default(7 * 24),
  TRUST_PROXY: bool.default(false),
  AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
  // Meta (Facebook/Instagram Lead Ads). Capture is available when app id and secret are set.
  META_APP_ID: z.string().default(''),
  META_APP_SECRET: z.string().default(''),
  META_VERIFY_TOKEN: z.string().default(''),
  /** Graph API base (no version); tests, benchmarks and the demo point it at the simulator. */
  META_GRAPH_URL: z.url().default('https://graph.facebook.com'),
  /** Where the Facebook Login dialog lives (`{url}/{version}/dialog/oauth`). */
  META_DIALOG_URL: z.url().default('https://www.facebook.com'),
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v25.0')
    .default('v25.0'),
  /** How often every subscribed form is reconciled against the Graph API (cron, UTC). */
  META_RECONCILE_CRON: z.string().default('*/5 * * * *'),
  /**
   * Run the Meta simulator inside the server so Facebook can be tried without a Meta app: `auto` does so when no
   * Meta app is configured and NODE_ENV is not production (the integrations page says it is simulated).
   */
  META_SANDBOX: z.enum(['auto', 'true', 'false']).default('auto'),
  /** Demo: one simulated lead every this many seconds. */
  DEMO_LEAD_EVERY_SECONDS: z.coerce.number().min(0.2).default(5),
  /** How often tokens are checked with debug_token (cron, UTC). */
  META_TOKEN_CHECK_CRON: z.string().default('17 * * * *'),
  /** The longest a capture waits before trying Meta again after a throttle or a transient error (seconds). */
  META_RETRY_MAX_SECONDS: z.coerce.number().min(0.1).max(86_400).default(3600),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config extends RawConfig {
  publicUrl: string;
  /** True when sessions must use `Secure` cookies with the `__Host-` prefix. */
  secureCookies: boolean;
  tls: { cert: string; key: string } | null;
  /** True when META_APP_ID and META_APP_SECRET are set (Facebook connection and Lead Ads capture work). */
  metaEnabled: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  const raw = parsed.data;
  if (Boolean(raw.TLS_CERT_FILE) !== Boolean(raw.TLS_KEY_FILE)) {
    throw new Error('Invalid configuration:\n  TLS_CERT_FILE and TLS_KEY_FILE must be given together');
  }
  const tls = raw.TLS_CERT_FILE && raw.TLS_KEY_FILE ? { cert: raw.TLS_CERT_FILE, key: raw.TLS_KEY_FILE } : null;
  const displayHost = raw.HOST === '0.0.0.0' || raw.HOST === '::' ? 'localhost' : raw.HOST;
  const publicUrl = (raw.PUBLIC_URL ?? `${tls ? 'https' : 'http'}://${displayHost}:${raw.PORT}`).replace(/\/$/, '');
  return {
    ...raw,
    publicUrl,
    secureCookies: publicUrl.startsWith('https://') || tls !== null,
    tls,
    metaEnabled: Boolean(raw.META_APP_ID && raw.META_APP_SECRET),
  };
}

/** The configuration as it may be printed: secrets masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  const mask = (v?: string) => (v ? '***' : undefined);
  return {
    ...config,
    DATABASE_URL: config.DATABASE_URL?.replace(/\/\/([^:@/]+):([^@]+)@/, '//$1:***@'),
    SMTP_URL: config.SMTP_URL?.replace(/\/\/([^:@/]+):([^@]+)@/, '//$1:***@'),
    ENCRYPTION_KEYS: mask(config.ENCRYPTION_KEYS),
    META_APP_SECRET: mask(config.META_APP_SECRET),
    META_VERIFY_TOKEN: mask(config.META_VERIFY_TOKEN),
  };
}
