import path from 'node:path';
import type { Database } from '../db/client';
import { AuditRepository } from '../domains/audit/audit.repository';
import { ActivityService } from '../domains/activity/activity.service';
import { AuditService } from '../domains/audit/audit.service';
import { registerAuthEmailJobs } from '../domains/auth/auth.emails';
import { AuthRepository } from '../domains/auth/auth.repository';
import { AuthService } from '../domains/auth/auth.service';
import { LoginThrottle } from '../domains/auth/login-throttle';
import { MfaService } from '../domains/auth/mfa.service';
import { ContactsService } from '../domains/contacts/contacts.service';
import { FieldsService } from '../domains/fields/fields.service';
import { ImportsService } from '../domains/imports/imports.service';
import { LeadsService } from '../domains/leads/leads.service';
import { OperationsService } from '../domains/operations/operations.service';
import { PipelinesService } from '../domains/pipelines/pipelines.service';
import { RoutingService } from '../domains/routing/routing.service';
import { ViewsService } from '../domains/views/views.service';
import { ApiKeysRepository } from '../domains/workspaces/api-keys.repository';
import { ApiKeysService } from '../domains/workspaces/api-keys.service';
import { InvitesRepository } from '../domains/workspaces/invites.repository';
import { InvitesService, sendInviteEmail } from '../domains/workspaces/invites.service';
import { WorkspacesRepository } from '../domains/workspaces/workspaces.repository';
import { WorkspacesService } from '../domains/workspaces/workspaces.service';
import { JobQueue } from '../jobs/queue';
import type { Keyring } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import { Mailer } from '../lib/mailer';
import { SignedTokens } from '../lib/signed-token';
import type { Config } from './config';

/** Builds every service once, wiring each to exactly the repositories it uses. */
export function buildContainer(config: Config, database: Database, keyring: Keyring, log: Logger) {
  const db = database.db;
  const queue = new JobQueue(database, log, config.JOB_POLL_SECONDS);
  const mailer = new Mailer(
    { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, outboxDir: path.join(config.DATA_DIR, 'outbox') },
    log,
  );
  const tokens = new SignedTokens(keyring);

  const auditRepo = new AuditRepository(db);
  const audit = new AuditService(db, auditRepo);

  const authRepo = new AuthRepository(db);
  const workspacesRepo = new WorkspacesRepository(db);
  const throttle = new LoginThrottle(authRepo);
  const auth = new AuthService({ db, config, repo: authRepo, workspaces: workspacesRepo, audit, queue, keyring, tokens, throttle });
  const mfa = new MfaService({ repo: authRepo, keyring, audit });

  const workspaces = new WorkspacesService({ db, repo: workspacesRepo, audit });
  const invites = new InvitesService({
    db,
    config,
    repo: new InvitesRepository(db),
    workspacesRepo,
    workspaces,
    authRepo,
    auth,
    audit,
    queue,
  });
  const apiKeys = new ApiKeysService({ db, repo: new ApiKeysRepository(db), workspaces, audit });

  // Leads and contacts (issue 4). One line per service, so each can be changed on its own.
  const pipelines = new PipelinesService({ db, audit, workspaces });
  const fields = new FieldsService({ db, audit, workspaces });
  const routing = new RoutingService({ db, audit, workspaces });
  const operations = new OperationsService({ db });
  const activity = new ActivityService({ db });
  const contacts = new ContactsService({ db });
  const leads = new LeadsService({ db });
  const views = new ViewsService({ db });
  const imports = new ImportsService({ db });

  registerAuthEmailJobs(queue, { auth, repo: authRepo, mailer, config });
  queue.handle(sendInviteEmail, ({ workspaceId, inviteId }) => invites.sendEmail(workspaceId, inviteId, mailer));

  return {
    config,
    database,
    db,
    keyring,
    log,
    queue,
    mailer,
    audit,
    auth,
    authRepo,
    mfa,
    workspaces,
    invites,
    apiKeys,
    pipelines,
    fields,
    routing,
    operations,
    activity,
    contacts,
    leads,
    views,
    imports,
  };
}

export type Container = ReturnType<typeof buildContainer>;
