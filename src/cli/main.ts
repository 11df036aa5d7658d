import { Command, Option } from 'commander';
import { startApp } from '../app/app';
import { loadConfig } from '../app/config';
import { rotateKeys } from '../app/keys';
import { connectSandbox, startSandbox, wantsSandbox } from '../app/sandbox';
import { openDatabase } from '../db/client';
import { createLogger } from '../lib/logger';

/** `leadsboost`: the operator's command. Each subcommand calls the same services as the HTTP API. */
const program = new Command('leadsboost').description('LeadsBoost lead platform').showHelpAfterError();

program
  .command('start')
  .description('Start the api and/or the worker (PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL)')
  .addOption(new Option('--role <role>', 'what this process runs').choices(['api', 'worker', 'all']).default('all'))
  .option(
    '--demo',
    'run the Meta simulator in-process with a demo workspace whose ads produce a lead every few seconds',
  )
  .action(async (opts: { role: 'api' | 'worker' | 'all'; demo?: boolean }) => {
    let config = loadConfig();
    const sandbox = wantsSandbox(config, { demo: Boolean(opts.demo), role: opts.role })
      ? await startSandbox(process.env)
      : null;
    if (sandbox) config = sandbox.config;
    const app = await startApp(config, { role: opts.role });
    const db = config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.DATA_DIR}`;
    app.container.log.info({ role: opts.role, database: db, sandbox: Boolean(sandbox) }, 'LeadsBoost started');
    let demoLine = '';
    if (sandbox && app.url) {
      connectSandbox(sandbox, app.url);
      const demo = app.container.demo;
      demo.attach(sandbox.sim);
      demoLine = `\n  Facebook: simulated in this process (${sandbox.sim.url}); no Meta app is needed.`;
      if (opts.demo || (await demo.exists())) {
        const made = await demo.ensure();
        demo.startAutopilot();
        demoLine += `\n  Demo workspace: a lead arrives every ${config.DEMO_LEAD_EVERY_SECONDS} s. Open the app and choose "Try the demo"`;
        if (made.password)
          demoLine += `,\n  or sign in as owner@demo.leadsboost.invalid with the password ${made.password}`;
        demoLine += '.';
      }
    }
    if (app.url) console.log(`\n  LeadsBoost is running: open ${config.publicUrl}\n  Database: ${db}${demoLine}\n`);
    const shutdown = (signal: string) => {
      app.container.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 30_000);
      force.unref();
      app.container.demo.stopAutopilot();
      app
        .stop()
        .then(() => sandbox?.sim.close())
        .then(
          () => process.exit(0),
          () => process.exit(1),
        );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });

program
  .command('migrate')
  .description('Apply database migrations and exit')
  .action(async () => {
    const config = loadConfig();
    const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
    await database.migrate();
    await database.close();
    console.log('Migrations applied.');
  });

program
  .command('create-admin')
  .description('Create a user who owns a new workspace (for a first start without the sign-up page)')
  .requiredOption('--email <email>')
  .requiredOption('--name <name>')
  .requiredOption('--phone <phone>', 'with country code, e.g. +60123456789')
  .requiredOption('--company <company>', 'the workspace name')
  .option('--password <password>', 'or set LEADSBOOST_ADMIN_PASSWORD')
  .action(async (opts: { email: string; name: string; phone: string; company: string; password?: string }) => {
    const config = loadConfig();
    const password = opts.password ?? process.env.LEADSBOOST_ADMIN_PASSWORD;
    if (!password || password.length < 10) throw new Error('Give a password of at least 10 characters.');
    const app = await startApp(config, { role: 'worker', log: createLogger('warn') });
    try {
      const started = await app.container.auth.signup(
        { email: opts.email, name: opts.name, phone: opts.phone, password, companyName: opts.company },
        { ip: null, userAgent: 'leadsboost create-admin' },
      );
      await app.container.authRepo.updateUser(started.user.id, { emailVerifiedAt: new Date() });
      await app.container.auth.logout(started.user.id, started.session.id, {
        ip: null,
        userAgent: 'leadsboost create-admin',
      });
      console.log(`Created ${started.user.email}, owner of workspace ${started.workspaceId}.`);
    } finally {
      await app.stop();
    }
  });

const audit = program.command('audit').description('Audit log tools');
audit
  .command('verify')
  .description('Recompute every hash chain of the audit log; exits 1 if any row was changed, removed or reordered')
  .action(async () => {
    const config = loadConfig();
    const app = await startApp(config, { role: 'worker', log: createLogger('warn') });
    try {
      const reports = await app.container.audit.verify();
      let broken = 0;
      for (const r of reports) {
        if (r.ok) console.log(`ok      ${r.chain}  (${r.rows} rows)`);
        else {
          broken++;
          console.log(`BROKEN  ${r.chain}  at row ${r.brokenAtSeq}: ${r.reason}`);
        }
      }
      console.log(broken ? `${broken} chain(s) broken.` : `All ${reports.length} chain(s) intact.`);
      process.exitCode = broken ? 1 : 0;
    } finally {
      await app.stop();
    }
  });

const keys = program.command('keys').description('Encryption keys');
keys
  .command('rotate')
  .description('Make a new data key active and re-encrypt every stored secret with it')
  .action(async () => {
    const config = loadConfig();
    const log = createLogger('warn');
    const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
    await database.migrate();
    try {
      const result = await rotateKeys(config, database.db, log);
      console.log(`Active key is now ${result.keyId}; ${result.rewritten} secret(s) re-encrypted.`);
      if (config.ENCRYPTION_KEYS)
        console.log('Keep the older keys in ENCRYPTION_KEYS until backups made with them have expired.');
    } finally {
      await database.close();
    }
  });

program
  .command('sim')
  .description('Start the Meta simulator alone (Graph API, Login dialog, webhooks) for a manual walk-through')
  .option('--port <port>', 'port to listen on', '4100')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--webhook-url <url>', 'where leadgen webhooks go (default: the app at PUBLIC_URL, or localhost:PORT)')
  .option('--fast', 'retry failed webhooks within seconds instead of over 36 hours')
  .option('--log', 'log every request the simulator receives')
  .action(async (opts: { port: string; host: string; webhookUrl?: string; fast?: boolean; log?: boolean }) => {
    const { startSimulator } = await import('../../sim/index');
    let appId = process.env.META_APP_ID ?? '';
    let appSecret = process.env.META_APP_SECRET ?? '';
    if (!appId || !appSecret) {
      appId ||= '900000000000001';
      appSecret ||= 'leadsboost-fake-app-secret-0001';
      console.warn(
        'META_APP_ID / META_APP_SECRET are not set: using the fake app 900000000000001 and its secret; give the app the same values.',
      );
    }
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Not a port: ${opts.port}`);
    const appUrl = (process.env.PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
    const webhookUrl = opts.webhookUrl ?? `${appUrl}/webhooks/meta`;
    const sim = await startSimulator({ appId, appSecret, port, host: opts.host, fast: opts.fast, log: opts.log });
    sim.configure({
      webhookUrl,
      deauthorizeUrl: `${webhookUrl}/deauthorize`,
      dataDeletionUrl: `${webhookUrl}/data-deletion`,
    });
    // Fixed ids, so an app database kept between runs still knows the demo Page.
    const page = sim.createPage({ name: 'Demo Realty', id: '100000000000001', instagram: true });
    const form = sim.createForm({ pageId: page.id, name: 'Spring 2026 - quote request', id: '200000000000001' });
    const campaignName = 'Leads - Spring 2026';
    const ads = [
      { id: '120200000000000101', name: 'Spring promo - video A' },
      { id: '120200000000000102', name: 'Spring promo - carousel B' },
    ].map((ad) => sim.createAd({ ...ad, pageId: page.id, formId: form.id, campaignName, adsetName: 'Lisbon 25-45' }));
    console.log(`
  Meta simulator running at ${sim.url}

  Give the app these variables:
    META_GRAPH_URL=${sim.url}
    META_DIALOG_URL=${sim.url}
    META_APP_ID=${appId}
    META_APP_SECRET=${appSecret}

  Seeded: Page "${page.name}" (${page.id}), form "${form.name}" (${form.id}),
          ads ${ads.map((a) => `"${a.name}" (${a.id})`).join(', ')}
  Test user: Test User (${sim.testUserId}); the Login dialog approves it at once.
  Webhooks go to ${webhookUrl}${opts.fast ? ' (fast retries)' : ''}

  Create a lead (its webhook follows once the app has subscribed the Page):
    curl -s -X POST ${sim.url}/_sim/leads -H 'content-type: application/json' -d '{"formId":"${form.id}","adId":"${ads[0]?.id}"}'
  Deliveries: ${sim.url}/_sim/deliveries   State: ${sim.url}/_sim/state
`);
    const shutdown = () => {
      sim.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
