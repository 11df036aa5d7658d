/**
 * Route tree (code-based TanStack Router).
 *
 * Public:   /login?redirect=  /signup  /forgot-password  /reset-password?token=  /verify-email?token=  /invite/:token
 * Signed in (AppShell): /  → last used workspace
 *           /w/:workspaceId → /w/:workspaceId/leads
 *           /w/:workspaceId/leads, /w/:workspaceId/leads/:leadId (lead page), /w/:workspaceId/board,
 *           /w/:workspaceId/tasks, /w/:workspaceId/import
 *           /w/:workspaceId/settings/{workspace,members,api-keys,audit-log,jobs,fields,pipelines,routing}
 *           /w/:workspaceId/settings/integrations/facebook?connected=1|error=… (Meta's OAuth comes back here;
 *           /settings/integrations/facebook without a workspace forwards to the last used one)
 *           /account → /account/profile, /account/security
 * Anything else: 404 page.
 *
 * Stable data-testid attributes for browser tests:
 *   Shell:      workspace-switcher, current-workspace-name, workspace-option (data-workspace-id), create-workspace,
 *               create-workspace-name, create-workspace-submit, user-menu, menu-profile, menu-security, sign-out,
 *               nav-burger, navbar, nav-leads, nav-workspace, nav-members, nav-api-keys, nav-audit-log, nav-jobs,
 *               nav-board, nav-tasks, nav-import, nav-fields, nav-pipelines, nav-routing,
 *               nav-profile, nav-security, nav-integrations, verify-email-banner, resend-verification,
 *               meta-reconnect-banner, meta-reconnect-banner-button, policy-update (modal: policy-update-title,
 *               policy-update-date, policy-update-link, policy-acknowledge, policy-sign-out)
 *   States:     empty-state, forbidden, mfa-required, not-found, page-loader, table-skeleton, error-alert,
 *               page-error, no-workspace, confirm-modal, confirm-button
 *   Auth:       login-email, login-password, login-submit, mfa-login-code, mfa-login-submit,
 *               signup-form, signup-name, signup-email, signup-phone, signup-password, signup-company,
 *               signup-submit, privacy-policy-link, forgot-email, forgot-submit, forgot-password-sent,
 *               reset-password, reset-password-confirm, reset-submit, verify-email-state, verify-email-success
 *   Invite:     invite-summary, invite-workspace, invite-role-badge, invite-inviter, invite-accept, invite-sign-in,
 *               invite-sign-in-link, invite-wrong-account, invite-invalid, invite-register-form,
 *               invite-register-name, invite-register-phone, invite-register-password, invite-register-submit
 *   Workspace:  workspace-name, workspace-country, workspace-timezone, workspace-save, require-mfa-switch,
 *               require-mfa-locked (tooltip wrapper shown to non-owners)
 *   Members:    members-table, member-row (data-email), member-role-select, member-role, member-mfa, member-remove,
 *               invite-button, invite-email, invite-role, invite-submit, invites-table, invite-row (data-email),
 *               invite-revoke, invites-empty
 *   API keys:   api-key-create, api-key-name, api-key-scopes, scope-<scope>, api-key-expiry, api-key-submit,
 *               api-key-secret, api-key-copy, api-key-secret-done, api-keys-table, api-key-row, api-key-revoke
 *   Audit log:  audit-filters, audit-action-filter, audit-from, audit-to, audit-table, audit-row (data-action),
 *               audit-row-toggle, audit-row-details, audit-metadata, audit-load-more
 *   Jobs:       jobs-table, job-row, job-retry
 *   Leads:      leads-search, filter-add (popover: filter-field, filter-op, filter-value, filter-apply), filter-chip,
 *               column-chooser (column-<field>), views-menu (view-item data-view-id, view-delete, view-save →
 *               modal: view-name, view-shared, view-save-submit), leads-count (data-exact), count-exact,
 *               leads-table, leads-scroll, select-all, lead-row (data-lead-id), lead-select, lead-name-cell,
 *               lead-stage-select, lead-owner-select, lead-value-edit, lead-value-input, sort-<field> (data-sort),
 *               leads-no-match, leads-loading-more, bulk-bar (bulk-count, bulk-clear, bulk-assign, bulk-assign-option,
 *               bulk-tag, bulk-tag-add, bulk-tag-remove, bulk-tag-apply, bulk-move, bulk-move-option, bulk-export,
 *               bulk-delete → confirm-modal), bulk-select-all-matching, all-matching-selected,
 *               operation-progress (data-status pending|running|succeeded|failed),
 *               add-lead (modal: add-lead-name, add-lead-email, add-lead-phone, add-lead-stage, add-lead-owner,
 *               add-lead-value, add-lead-submit)
 *   Lead page:  lead-detail (data-lead-id), lead-not-found, back-to-leads, lead-name, lead-name-input, lead-stage,
 *               lead-owner, lead-value, lead-actions, lead-delete, contact-card, lead-email, lead-phone, lead-city,
 *               lead-country (inline-edit, inline-save inside each), lead-email-input, lead-phone-input,
 *               phone-invalid, custom-fields, custom-field-<key>, lead-tags, attribution, form-answers,
 *               timeline, timeline-item (data-type), timeline-load-more, notes, note-input, note-format, note-submit,
 *               note-item, note-body, note-delete, task-title, task-due, task-assignee, task-add, task-item
 *               (data-task-id, data-done), task-complete, duplicates-panel, duplicate-item (data-contact-id),
 *               merge-button → confirm-modal, merge-done, undo-merge
 *   Board:      board (data-pipeline-id), board-pipeline, board-column (data-stage-id), board-column-count,
 *               board-column-value, board-card (data-lead-id), board-card-open, card-move-menu,
 *               card-move-option (data-stage-id), board-load-more
 *   Tasks:      tasks-page, tasks-tab-{today,overdue,upcoming,done}, task-row (data-task-id, data-done),
 *               task-complete, task-lead-link, tasks-empty
 *   Import:     import-dropzone, import-file-input, import-file-name, import-upload, import-upload-progress,
 *               import-mapping, mapping-row (data-column), mapping-target, meta-detected, import-upsert-key,
 *               import-default-pipeline, import-default-stage, import-default-owner, import-default-tags,
 *               import-preview-button, preview-counts, preview-create, preview-update, preview-reject, preview-rows,
 *               preview-row, preview-rejects, preview-reject-row, import-start, import-progress (data-status),
 *               import-created, import-updated, import-rejected, import-done, import-view-leads, download-rejects
 *   Fields:     field-entity, fields-table, field-row (data-field-key), field-type-badge, field-edit, field-archive,
 *               field-create (modal: field-label, field-type, field-currency, field-option, field-option-add,
 *               field-required, field-submit)
 *   Pipelines:  pipeline-create (pipeline-create-name, pipeline-create-submit), pipeline-card (data-pipeline-id),
 *               pipeline-name, stage-row (data-stage-id), stage-color, stage-name, stage-kind, stage-up, stage-down,
 *               stage-delete (modal: stage-move-to, confirm-button), stage-name-new, stage-add
 *   Facebook:   meta-page, meta-disabled, meta-connect-card, meta-feature-ad-attribution, meta-scope (data-scope),
 *               meta-continue, meta-connected-notice, meta-oauth-error, meta-not-connected, meta-page-picker,
 *               meta-available-page (data-page-id), meta-page-checkbox, meta-no-pages, meta-connecting,
 *               meta-connect-pages, meta-connection (data-status), meta-fb-user, meta-connection-status,
 *               meta-reconnect-alert, meta-reconnect, meta-token-expiry, meta-scopes, meta-scope-badge (data-scope,
 *               data-state granted|missing|extra), meta-sync-all, meta-add-pages, meta-disconnect-all,
 *               meta-page-card (data-page-id), meta-page-name, meta-page-instagram, meta-page-subscription,
 *               meta-page-error, meta-stat-{last-lead,today,pending,failed,last-sync}, meta-test-lead,
 *               meta-test-lead-form, meta-test-lead-status (data-state waiting|arrived|failed|late),
 *               meta-test-lead-link, meta-sync-page, meta-disconnect-page (→ confirm-modal, meta-disconnect-warning),
 *               meta-forms-table, meta-form-row (data-form-id), meta-edit-mapping, meta-no-forms, meta-leads-chart,
 *               meta-failed-table, meta-failed-row (data-leadgen-id), meta-retry-capture, meta-no-failed,
 *               meta-mapping-modal, meta-mapping-row (data-question-key), meta-mapping-target,
 *               meta-mapping-default, meta-mapping-reset, meta-mapping-save
 *   Routing:    rule-create, routing-rule (data-rule-id), rule-enabled, rule-up, rule-down, rule-edit, rule-delete,
 *               rule modal: rule-name, rule-condition, rule-condition-field, rule-condition-op, rule-condition-value,
 *               rule-condition-add, rule-assign-type, rule-assign-user, rule-assign-users, rule-submit;
 *               routing-members, routing-member (data-user-id), member-availability, member-capacity
 *   Account:    profile-name, profile-phone, profile-email, email-verified-badge, email-unverified-badge, profile-save,
 *               current-password, new-password, confirm-password, change-password-submit,
 *               mfa-section, mfa-status, mfa-setup-start, mfa-qr, mfa-secret, mfa-code-input, mfa-enable-submit,
 *               recovery-codes, recovery-code, recovery-codes-copy, recovery-codes-download, recovery-codes-done,
 *               mfa-regenerate-codes, mfa-disable, password-prompt, password-prompt-submit,
 *               sessions-table, session-row (data-current), this-device-badge, session-revoke
 */
import { createRootRoute, createRoute, createRouter, Outlet, redirect } from '@tanstack/react-router';
import { errorMessage } from '../components/error-alert';
import { FullPageError, NotFoundPage } from '../components/status-pages';
import { ProfilePage } from '../features/account/components/profile-page';
import { SecurityPage } from '../features/account/components/security-page';
import { ApiKeysPage } from '../features/api-keys/components/api-keys-page';
import { AuditLogPage } from '../features/audit/components/audit-log-page';
import { AuthLayout } from '../features/auth/components/auth-layout';
import { ForgotPasswordPage, ResetPasswordPage } from '../features/auth/components/password-recovery-pages';
import { SignInPage } from '../features/auth/components/sign-in-page';
import { SignUpPage } from '../features/auth/components/sign-up-page';
import { VerifyEmailPage } from '../features/auth/components/verify-email-page';
import { fetchSession, sessionKey, useSession } from '../features/auth/hooks/use-session';
import { BoardPage } from '../features/board/components/board-page';
import { FieldsPage } from '../features/fields/components/fields-page';
import { ImportWizard } from '../features/imports/components/import-wizard';
import { FailedJobsPage } from '../features/jobs/components/failed-jobs-page';
import { LeadDetailPage } from '../features/leads/components/lead-detail-page';
import { LeadsPage } from '../features/leads/components/leads-page';
import { AcceptInvitePage } from '../features/members/components/accept-invite-page';
import { MembersPage } from '../features/members/components/members-page';
import {
  FacebookIntegrationPage,
  type FacebookPageSearch,
} from '../features/meta/components/facebook-integration-page';
import { PipelinesPage } from '../features/pipelines/components/pipelines-page';
import { RoutingPage } from '../features/routing/components/routing-page';
import { TasksPage } from '../features/tasks/components/tasks-page';
import { WorkspaceSettingsPage } from '../features/workspaces/components/workspace-settings-page';
import { RequirePermission } from '../features/workspaces/hooks/use-current-workspace';
import { queryClient } from '../lib/query-client';
import { AppLayout, NoWorkspace, pickWorkspace, WorkspaceLayout } from './app-layout';

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

// Unknown paths under a layout render the 404 inside that layout (the router's default "fuzzy" mode).
const rootRoute = createRootRoute({ component: Outlet });

// Public screens share the centered card layout.
const authLayoutRoute = createRoute({ getParentRoute: () => rootRoute, id: 'auth', component: AuthLayout });

const loginRoute = createRoute({
  getParentRoute: () => authLayoutRoute,
  path: '/login',
  validateSearch: (search: Record<string, unknown>): { redirect?: string } => ({
    redirect: optionalString(search.redirect),
  }),
  component: function LoginRoute() {
    const { redirect: target } = loginRoute.useSearch();
    return <SignInPage redirect={target} />;
  },
});

const signupRoute = createRoute({ getParentRoute: () => authLayoutRoute, path: '/signup', component: SignUpPage });

const forgotPasswordRoute = createRoute({
  getParentRoute: () => authLayoutRoute,
  path: '/forgot-password',
  component: ForgotPasswordPage,
});

const resetPasswordRoute = createRoute({
  getParentRoute: () => authLayoutRoute,
  path: '/reset-password',
  validateSearch: (search: Record<string, unknown>): { token?: string } => ({ token: optionalString(search.token) }),
  component: function ResetPasswordRoute() {
    const { token } = resetPasswordRoute.useSearch();
    return <ResetPasswordPage token={token} />;
  },
});

const verifyEmailRoute = createRoute({
  getParentRoute: () => authLayoutRoute,
  path: '/verify-email',
  validateSearch: (search: Record<string, unknown>): { token?: string } => ({ token: optionalString(search.token) }),
  component: function VerifyEmailRoute() {
    const { token } = verifyEmailRoute.useSearch();
    return <VerifyEmailPage token={token} />;
  },
});

const inviteRoute = createRoute({
  getParentRoute: () => authLayoutRoute,
  path: '/invite/$token',
  component: function InviteRoute() {
    const { token } = inviteRoute.useParams();
    return <AcceptInvitePage key={token} token={token} />;
  },
});

// Signed-in screens live inside the AppShell.
const appLayoutRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  beforeLoad: async ({ location }) => {
    const session = await queryClient.ensureQueryData({ queryKey: sessionKey, queryFn: fetchSession });
    if (!session) throw redirect({ to: '/login', search: { redirect: location.href }, replace: true });
    return { session };
  },
  component: AppLayout,
});

const homeRoute = createRoute({
  getParentRoute: () => appLayoutRoute,
  path: '/',
  beforeLoad: ({ context }) => {
    const workspace = pickWorkspace(context.session);
    if (workspace)
      throw redirect({ to: '/w/$workspaceId/leads', params: { workspaceId: workspace.id }, replace: true });
  },
  component: NoWorkspace,
});

const workspaceRoute = createRoute({
  getParentRoute: () => appLayoutRoute,
  path: '/w/$workspaceId',
  component: function WorkspaceRoute() {
    const { workspaceId } = workspaceRoute.useParams();
    return <WorkspaceLayout workspaceId={workspaceId} />;
  },
});

const workspaceIndexRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/',
  beforeLoad: ({ params }) => {
    throw redirect({ to: '/w/$workspaceId/leads', params: { workspaceId: params.workspaceId }, replace: true });
  },
});

const leadsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/leads',
  component: () => (
    <RequirePermission permission="leads.read">
      <LeadsPage />
    </RequirePermission>
  ),
});

const leadDetailRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/leads/$leadId',
  component: function LeadDetailRoute() {
    const { leadId } = leadDetailRoute.useParams();
    return (
      <RequirePermission permission="leads.read">
        <LeadDetailPage key={leadId} leadId={leadId} />
      </RequirePermission>
    );
  },
});

const boardRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/board',
  component: () => (
    <RequirePermission permission="leads.read">
      <BoardPage />
    </RequirePermission>
  ),
});

const tasksRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/tasks',
  component: () => (
    <RequirePermission permission="leads.read">
      <TasksPage />
    </RequirePermission>
  ),
});

const importRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/import',
  component: () => (
    <RequirePermission permission="leads.import">
      <ImportWizard />
    </RequirePermission>
  ),
});

const fieldsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/settings/fields',
  component: () => (
    <RequirePermission permission="settings.manage">
      <FieldsPage />
    </RequirePermission>
  ),
});

const pipelinesRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/settings/pipelines',
  component: () => (
    <RequirePermission permission="settings.manage">
      <PipelinesPage />
    </RequirePermission>
  ),
});

const routingRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/settings/routing',
  component: () => (
    <RequirePermission permission="settings.manage">
      <RoutingPage />
    </RequirePermission>
  ),
});

const workspaceSettingsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/settings/workspace',
  component: () => (
    <RequirePermission permission="workspace.update">
      <WorkspaceSettingsPage />
    </RequirePermission>
  ),
});

const membersRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/settings/members',
  component: () => (
    <RequirePermission permission="members.read">
      <MembersPage />
    </RequirePermission>
  ),
});

const apiKeysRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/settings/api-keys',
  component: () => (
    <RequirePermission permission="api_keys.manage">
      <ApiKeysPage />
    </RequirePermission>
  ),
});

const auditLogRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/settings/audit-log',
  component: () => (
    <RequirePermission permission="audit.read">
      <AuditLogPage />
    </RequirePermission>
  ),
});

const jobsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/settings/jobs',
  component: () => (
    <RequirePermission permission="jobs.read">
      <FailedJobsPage />
    </RequirePermission>
  ),
});

// The router reads `?connected=1` as the number 1 (search values are JSON when they parse as JSON).
const facebookSearch = (search: Record<string, unknown>): FacebookPageSearch => ({
  connected: search.connected === 1 || search.connected === '1' || search.connected === true ? 1 : undefined,
  error:
    typeof search.error === 'number' || typeof search.error === 'boolean'
      ? String(search.error)
      : optionalString(search.error),
});

const facebookRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/settings/integrations/facebook',
  validateSearch: facebookSearch,
  // Members who may read leads see the capture health read-only; actions need `integrations.manage`.
  component: function FacebookRoute() {
    const search = facebookRoute.useSearch();
    return (
      <RequirePermission permission="leads.read">
        <FacebookIntegrationPage search={search} />
      </RequirePermission>
    );
  },
});

const integrationsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/settings/integrations',
  beforeLoad: ({ params }) => {
    throw redirect({
      to: '/w/$workspaceId/settings/integrations/facebook',
      params: { workspaceId: params.workspaceId },
      replace: true,
    });
  },
});

// Meta's OAuth callback may finish on a path without the workspace: forward to the last used one, keeping the notice.
const facebookCallbackRoute = createRoute({
  getParentRoute: () => appLayoutRoute,
  path: '/settings/integrations/facebook',
  validateSearch: facebookSearch,
  beforeLoad: ({ context, search }) => {
    const workspace = pickWorkspace(context.session);
    if (workspace)
      throw redirect({
        to: '/w/$workspaceId/settings/integrations/facebook',
        params: { workspaceId: workspace.id },
        search,
        replace: true,
      });
  },
  component: NoWorkspace,
});

const accountRoute = createRoute({ getParentRoute: () => appLayoutRoute, path: '/account' });

const accountIndexRoute = createRoute({
  getParentRoute: () => accountRoute,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: '/account/profile', replace: true });
  },
});

const profileRoute = createRoute({
  getParentRoute: () => accountRoute,
  path: '/profile',
  component: function ProfileRoute() {
    const { data } = useSession();
    return data ? <ProfilePage user={data.user} /> : null;
  },
});

const securityRoute = createRoute({
  getParentRoute: () => accountRoute,
  path: '/security',
  component: function SecurityRoute() {
    const { data } = useSession();
    return data ? <SecurityPage user={data.user} /> : null;
  },
});

const routeTree = rootRoute.addChildren([
  authLayoutRoute.addChildren([
    loginRoute,
    signupRoute,
    forgotPasswordRoute,
    resetPasswordRoute,
    verifyEmailRoute,
    inviteRoute,
  ]),
  appLayoutRoute.addChildren([
    homeRoute,
    workspaceRoute.addChildren([
      workspaceIndexRoute,
      leadsRoute,
      leadDetailRoute,
      boardRoute,
      tasksRoute,
      importRoute,
      workspaceSettingsRoute,
      membersRoute,
      apiKeysRoute,
      auditLogRoute,
      jobsRoute,
      fieldsRoute,
      pipelinesRoute,
      routingRoute,
      integrationsRoute,
      facebookRoute,
    ]),
    facebookCallbackRoute,
    accountRoute.addChildren([accountIndexRoute, profileRoute, securityRoute]),
  ]),
]);

export const router = createRouter({
  routeTree,
  defaultPreload: 'intent',
  defaultPreloadStaleTime: 0,
  scrollRestoration: true,
  defaultNotFoundComponent: NotFoundPage,
  defaultErrorComponent: ({ error, reset }) => <FullPageError message={errorMessage(error)} onRetry={reset} />,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
