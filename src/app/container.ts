import path from 'node:path';
import type { Database } from '../db/client';
import { ActivityRepository } from '../domains/activity/activity.repository';
import { ActivityService } from '../domains/activity/activity.service';
import { sendTaskReminder, TaskReminders, taskRemindersSweep } from '../domains/activity/task-reminders';
import { AuditRepository } from '../domains/audit/audit.repository';
import { AuditService } from '../domains/audit/audit.service';
import { registerAuthEmailJobs } from '../domains/auth/auth.emails';
import { AuthRepository } from '../domains/auth/auth.repository';
import { AuthService } from '../domains/auth/auth.service';
import { LoginThrottle } from '../domains/auth/login-throttle';
import { MfaService } from '../domains/auth/mfa.service';
import { ContactsRepository } from '../domains/contacts/contacts.repository';
import { ContactsService } from '../domains/contacts/contacts.service';
import { DemoService } from '../domains/demo/demo.service';
import { FieldsRepository } from '../domains/fields/fields.repository';
import { FieldsService } from '../domains/fields/fields.service';
import { runImportJob } from '../domains/imports/import.jobs';
import { ImportsRepository } from '../domains/imports/imports.repository';
import { ImportsService } from '../domains/imports/imports.service';
import { runBulkLeadAction } from '../domains/leads/leads.jobs';
import { LeadsRepository } from '../domains/leads/leads.repository';
import { LeadsService } from '../domains/leads/leads.service';
import { MetaCaptureService } from '../domains/meta/capture.service';
import { MetaConnectionService } from '../domains/meta/connection.service';
import { MetaCredentials } from '../domains/meta/credentials';
import { MetaDeletionService } from '../domains/meta/deletion.service';
import { MetaErasure } from '../domains/meta/erasure';
import { MetaFormsService } from '../domains/meta/forms.service';
import { GraphClient } from '../domains/meta/graph-client';
import { MetaIngestService } from '../domains/meta/ingest.service';
import {
  metaCaptureBatch,
  metaCapture as metaCaptureJob,
  metaDataDeletion,
  metaInbound,
  metaReconcile,
  metaReconcileAll,
  metaReconnectEmail,
  metaTokenCheck,
} from '../domains/meta/meta.jobs';
import { MetaRepository } from '../domains/meta/meta.repository';
import { MetaPagesService } from '../domains/meta/pages.service';
import { OperationsRepository } from '../domains/operations/operations.repository';
import { OperationsService } from '../domains/operations/operations.service';
import { PipelinesRepository } from '../domains/pipelines/pipelines.repository';
import { PipelinesService } from '../domains/pipelines/pipelines.service';
import { PolicyAcknowledgementsRepository } from '../domains/privacy/policy.repository';
import { PrivacyPolicyService } from '../domains/privacy/policy.service';
import { RoutingRepository } from '../domains/routing/routing.repository';
import { RoutingService } from '../domains/routing/routing.service';
import { ViewsRepository } from '../domains/views/views.repository';
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
  const privacyPolicy = new PrivacyPolicyService({ db, config, repo: new PolicyAcknowledgementsRepository(db), audit });
  const auth = new AuthService({
    db,
    config,
    repo: authRepo,
    workspaces: workspacesRepo,
    audit,
    queue,
    keyring,
    tokens,
    throttle,
    policy: privacyPolicy,
  });
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
  const fields = new FieldsService({ db, repo: new FieldsRepository(db), audit, workspaces });
  const pipelines = new PipelinesService({ db, repo: new PipelinesRepository(db), audit, workspaces, fields });
  const routing = new RoutingService({ db, repo: new RoutingRepository(db), audit, workspaces, fields });
  const operations = new OperationsService({ db, repo: new OperationsRepository(db), workspaces });
  const leadsRepo = new LeadsRepository(db);
  const contactsRepo = new ContactsRepository(db);
  const activityRepo = new ActivityRepository(db);
  const activity = new ActivityService({ db, workspaces, workspacesRepo, repo: activityRepo, leadsRepo, contactsRepo });
  const contacts = new ContactsService({
    db,
    audit,
    workspaces,
    workspacesRepo,
    fields,
    activity,
    repo: contactsRepo,
    leadsRepo,
    activityRepo,
  });
  const leads = new LeadsService({
    db,
    audit,
    workspaces,
    pipelines,
    fields,
    routing,
    activity,
    contacts,
    queue,
    repo: leadsRepo,
    contactsRepo,
    activityRepo,
  });
  const views = new ViewsService({ db, repo: new ViewsRepository(db), audit, workspaces, fields });
  const imports = new ImportsService({
    db,
    repo: new ImportsRepository(db),
    workspaces,
    audit,
    queue,
    dataDir: config.DATA_DIR,
    log,
  });

  // Meta's deletion callbacks and Page erasure (P12, P33).
  const metaErasure = new MetaErasure({ leadsRepo, contactsRepo, activityRepo });
  const metaDeletion = new MetaDeletionService({ db, config, queue, audit });
  queue.handle(metaDataDeletion, ({ requestId }) => metaDeletion.runDataDeletion(requestId));

  // Meta Lead Ads capture (issue 5): webhook ingest, capture, reconciliation, connection health.
  const metaRepo = new MetaRepository(db);
  const metaGraph = new GraphClient({
    graphUrl: config.META_GRAPH_URL,
    version: config.META_GRAPH_VERSION,
    appId: config.META_APP_ID,
    appSecret: config.META_APP_SECRET,
    maxPauseMs: config.META_RETRY_MAX_SECONDS * 1000,
  });
  const metaCredentials = new MetaCredentials(keyring);
  const metaIngest = new MetaIngestService({ db, repo: metaRepo, queue, log });
  const metaForms = new MetaFormsService({ db, repo: metaRepo, graph: metaGraph, fields, workspaces, audit });
  const metaConnections = new MetaConnectionService({
    db,
    config,
    repo: metaRepo,
    graph: metaGraph,
    credentials: metaCredentials,
    tokens,
    queue,
    audit,
    workspaces,
    workspacesRepo,
    erasure: metaErasure,
    mailer,
    log,
  });
  const metaPages = new MetaPagesService({
    db,
    config,
    repo: metaRepo,
    graph: metaGraph,
    credentials: metaCredentials,
    queue,
    audit,
    workspaces,
    connections: metaConnections,
    forms: metaForms,
    erasure: metaErasure,
  });
  const demo = new DemoService({
    db,
    auth,
    workspaces,
    workspacesRepo,
    routing,
    metaConnections,
    metaPages,
    audit,
    log,
    leadEveryMs: config.DEMO_LEAD_EVERY_SECONDS * 1000,
  });
  const metaCapture = new MetaCaptureService({
    db,
    config,
    repo: metaRepo,
    graph: metaGraph,
    credentials: metaCredentials,
    queue,
    leads,
    leadsRepo,
    fields,
    contacts,
    forms: metaForms,
    connections: metaConnections,
    workspaces,
    log,
  });
  queue.handle(metaInbound, () => metaIngest.drain());
  queue.handle(metaCaptureJob, ({ workspaceId, leadgenId }) => metaCapture.capture(workspaceId, leadgenId));
  queue.handle(metaCaptureBatch, ({ captures }) => metaCapture.captureAll(captures));
  queue.handle(metaReconcile, (payload) => metaCapture.reconcile(payload));
  queue.handle(metaReconcileAll, () => metaCapture.reconcileAll());
  queue.handle(metaTokenCheck, () => metaConnections.checkAll());
  queue.handle(metaReconnectEmail, ({ workspaceId }) => metaConnections.sendReconnectEmail(workspaceId));

  registerAuthEmailJobs(queue, { auth, repo: authRepo, mailer, config });
  queue.handle(sendInviteEmail, ({ workspaceId, inviteId }) => invites.sendEmail(workspaceId, inviteId, mailer));
  queue.handle(runImportJob, (payload, { jobId }) => imports.runJob(payload, jobId));
  queue.handle(runBulkLeadAction, ({ workspaceId, operationId }) => leads.runBulk(workspaceId, operationId));
  const reminders = new TaskReminders({ db, repo: activityRepo, activity, queue, mailer, config, log });
  queue.handle(taskRemindersSweep, async () => {
    await reminders.sweep();
  });
  queue.handle(sendTaskReminder, (payload) => reminders.send(payload));

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
    privacyPolicy,
    mfa,
    workspaces,
    invites,
    apiKeys,
    pipelines,
    fields,
    routing,
    operations,
    activity,
    reminders,
    contacts,
    leads,
    views,
    imports,
    metaErasure,
    metaDeletion,
    demo,
    metaGraph,
    metaIngest,
    metaForms,
    metaConnections,
    metaPages,
    metaCapture,
  };
}

export type Container = ReturnType<typeof buildContainer>;
