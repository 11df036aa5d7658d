import {
  Alert,
  AppShell,
  Avatar,
  Box,
  Burger,
  Button,
  Center,
  Group,
  Loader,
  Menu,
  ScrollArea,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import {
  IconAlertTriangle,
  IconApi,
  IconBrandFacebook,
  IconBuildingStore,
  IconChecklist,
  IconChevronDown,
  IconColumns,
  IconFileImport,
  IconForms,
  IconHistory,
  IconLayoutKanban,
  IconLogout,
  IconMailExclamation,
  IconRoute,
  IconShieldLock,
  IconUser,
  IconUsers,
  IconUsersGroup,
} from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Outlet, useLocation, useNavigate, useParams } from '@tanstack/react-router';
import { type ReactNode, useEffect, useRef } from 'react';
import { Brand } from '../components/brand';
import { errorMessage } from '../components/error-alert';
import { RouterNavLink } from '../components/router-link';
import { Forbidden, FullPageError, MfaRequired } from '../components/status-pages';
import { authApi, type Session } from '../features/auth/api/auth-api';
import { useSession } from '../features/auth/hooks/use-session';
import { DemoBanner } from '../features/demo/components/demo-banner';
import { MetaReconnectBanner } from '../features/meta/components/reconnect-banner';
import { PolicyUpdateModal } from '../features/privacy/components/policy-update-modal';
import type { Permission, WorkspaceSummary } from '../features/workspaces/api/workspaces-api';
import { WorkspaceSwitcher } from '../features/workspaces/components/workspace-switcher';
import { CurrentWorkspaceProvider, toCurrentWorkspace } from '../features/workspaces/hooks/use-current-workspace';
import { setCsrfToken } from '../lib/api';
import { initials } from '../lib/format';
import { useMfaEnrolmentBlocked } from '../lib/mfa-gate';
import { lastWorkspaceId, rememberWorkspace } from '../lib/navigation';

export function FullPageLoader() {
  return (
    <Center h="100vh" data-testid="page-loader">
      <Loader />
    </Center>
  );
}

/** Signed-in area: waits for the session, sends signed-out visitors to /login, then draws the shell. */
export function AppLayout() {
  const session = useSession();
  const navigate = useNavigate();
  const href = useLocation({ select: (location) => location.href });
  const signedOut = session.isSuccess && !session.data;
  const redirected = useRef(false);

  // The route's beforeLoad redirects signed-out visitors; this covers a session that ends while the page is open
  // (any call answered 401 `unauthenticated` clears the session).
  useEffect(() => {
    if (!signedOut || redirected.current) return;
    redirected.current = true;
    void navigate({ to: '/login', search: { redirect: href }, replace: true });
  }, [signedOut, navigate, href]);

  if (session.isPending) return <FullPageLoader />;
  if (session.isError) return <FullPageError message={errorMessage(session.error)} onRetry={() => session.refetch()} />;
  if (!session.data) return <FullPageLoader />;
  return <Shell session={session.data} />;
}

export function pickWorkspace(session: Session, workspaceId?: string): WorkspaceSummary | undefined {
  const { workspaces } = session;
  if (workspaceId) return workspaces.find((w) => w.id === workspaceId);
  const remembered = lastWorkspaceId();
  return workspaces.find((w) => w.id === remembered) ?? workspaces[0];
}

interface NavItem {
  label: string;
  to:
    | '/w/$workspaceId/leads'
    | '/w/$workspaceId/board'
    | '/w/$workspaceId/tasks'
    | '/w/$workspaceId/import'
    | '/w/$workspaceId/settings/fields'
    | '/w/$workspaceId/settings/pipelines'
    | '/w/$workspaceId/settings/routing'
    | '/w/$workspaceId/settings/workspace'
    | '/w/$workspaceId/settings/members'
    | '/w/$workspaceId/settings/api-keys'
    | '/w/$workspaceId/settings/integrations/facebook'
    | '/w/$workspaceId/settings/audit-log'
    | '/w/$workspaceId/settings/jobs';
  permission: Permission;
  icon: ReactNode;
  testId: string;
}

const MAIN_NAV: NavItem[] = [
  {
    label: 'Leads',
    to: '/w/$workspaceId/leads',
    permission: 'leads.read',
    icon: <IconUsers size={18} />,
    testId: 'nav-leads',
  },
  {
    label: 'Board',
    to: '/w/$workspaceId/board',
    permission: 'leads.read',
    icon: <IconLayoutKanban size={18} />,
    testId: 'nav-board',
  },
  {
    label: 'Tasks',
    to: '/w/$workspaceId/tasks',
    permission: 'leads.read',
    icon: <IconChecklist size={18} />,
    testId: 'nav-tasks',
  },
  {
    label: 'Import',
    to: '/w/$workspaceId/import',
    permission: 'leads.import',
    icon: <IconFileImport size={18} />,
    testId: 'nav-import',
  },
];

const SETTINGS_NAV: NavItem[] = [
  {
    label: 'Workspace',
    to: '/w/$workspaceId/settings/workspace',
    permission: 'workspace.update',
    icon: <IconBuildingStore size={18} />,
    testId: 'nav-workspace',
  },
  {
    label: 'Members',
    to: '/w/$workspaceId/settings/members',
    permission: 'members.read',
    icon: <IconUsersGroup size={18} />,
    testId: 'nav-members',
  },
  {
    label: 'Fields',
    to: '/w/$workspaceId/settings/fields',
    permission: 'settings.manage',
    icon: <IconForms size={18} />,
    testId: 'nav-fields',
  },
  {
    label: 'Pipelines',
    to: '/w/$workspaceId/settings/pipelines',
    permission: 'settings.manage',
    icon: <IconColumns size={18} />,
    testId: 'nav-pipelines',
  },
  {
    label: 'Routing',
    to: '/w/$workspaceId/settings/routing',
    permission: 'settings.manage',
    icon: <IconRoute size={18} />,
    testId: 'nav-routing',
  },
  {
    label: 'Integrations',
    to: '/w/$workspaceId/settings/integrations/facebook',
    permission: 'integrations.manage',
    icon: <IconBrandFacebook size={18} />,
    testId: 'nav-integrations',
  },
  {
    label: 'API keys',
    to: '/w/$workspaceId/settings/api-keys',
    permission: 'api_keys.manage',
    icon: <IconApi size={18} />,
    testId: 'nav-api-keys',
  },
  {
    label: 'Audit log',
    to: '/w/$workspaceId/settings/audit-log',
    permission: 'audit.read',
    icon: <IconHistory size={18} />,
    testId: 'nav-audit-log',
  },
  {
    label: 'Failed jobs',
    to: '/w/$workspaceId/settings/jobs',
    permission: 'jobs.read',
    icon: <IconAlertTriangle size={18} />,
    testId: 'nav-jobs',
  },
];

function Shell({ session }: { session: Session }) {
  const [navOpened, nav] = useDisclosure(false);
  const params = useParams({ strict: false });
  const location = useLocation();
  const current = pickWorkspace(session, params.workspaceId);
  const can = (permission: Permission) => current?.permissions.includes(permission) ?? false;
  const settings = SETTINGS_NAV.filter((item) => can(item.permission));
  const mainNav = MAIN_NAV.filter((item) => can(item.permission));
  const signOut = useSignOut();

  // Close the phone drawer after navigating.
  const { close } = nav;
  const pathname = location.pathname;
  const previousPath = useRef(pathname);
  useEffect(() => {
    if (previousPath.current === pathname) return;
    previousPath.current = pathname;
    close();
  }, [pathname, close]);

  const navLink = (item: NavItem) =>
    current && (
      <RouterNavLink
        key={item.testId}
        to={item.to}
        params={{ workspaceId: current.id }}
        label={item.label}
        leftSection={item.icon}
        active={
          location.pathname === item.to.replace('$workspaceId', current.id) ||
          location.pathname.startsWith(`${item.to.replace('$workspaceId', current.id)}/`)
        }
        data-testid={item.testId}
        style={{ borderRadius: 'var(--mantine-radius-md)' }}
      />
    );

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 248, breakpoint: 'sm', collapsed: { mobile: !navOpened } }}
      padding={{ base: 'md', sm: 'xl' }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Burger
              opened={navOpened}
              onClick={nav.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
              data-testid="nav-burger"
            />
            <Brand hideTextOnPhone />
            <Box ml={{ base: 0, sm: 'lg' }} style={{ minWidth: 0 }}>
              <WorkspaceSwitcher workspaces={session.workspaces} current={current} />
            </Box>
          </Group>
          <UserMenu session={session} onSignOut={() => signOut.mutate()} />
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" data-testid="navbar">
        <AppShell.Section grow component={ScrollArea}>
          <Stack gap={2}>
            {mainNav.map(navLink)}
            {settings.length > 0 && (
              <>
                <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="lg" pb={4}>
                  Settings
                </Text>
                {settings.map(navLink)}
              </>
            )}
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="lg" pb={4}>
              Account
            </Text>
            <RouterNavLink
              to="/account/profile"
              label="Profile"
              leftSection={<IconUser size={18} />}
              active={location.pathname === '/account/profile'}
              data-testid="nav-profile"
              style={{ borderRadius: 'var(--mantine-radius-md)' }}
            />
            <RouterNavLink
              to="/account/security"
              label="Security"
              leftSection={<IconShieldLock size={18} />}
              active={location.pathname === '/account/security'}
              data-testid="nav-security"
              style={{ borderRadius: 'var(--mantine-radius-md)' }}
            />
          </Stack>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main bg="var(--mantine-color-gray-0)">
        <Box maw={1200} mx="auto">
          {current && (
            <DemoBanner
              key={current.id}
              workspaceId={current.id}
              isDemo={current.isDemo}
              canRemove={can('workspace.update')}
            />
          )}
          {!session.user.emailVerified && <VerifyEmailBanner email={session.user.email} />}
          {/* The Facebook settings page shows the same warning in its connection card. */}
          {current && can('leads.read') && !location.pathname.endsWith('/settings/integrations/facebook') && (
            <MetaReconnectBanner key={current.id} workspaceId={current.id} canManage={can('integrations.manage')} />
          )}
          <Outlet />
        </Box>
      </AppShell.Main>
      <PolicyUpdateModal
        policy={session.privacyPolicy}
        onSignOut={() => signOut.mutate()}
        signingOut={signOut.isPending}
      />
    </AppShell>
  );
}

function VerifyEmailBanner({ email }: { email: string }) {
  const resend = useMutation({
    mutationFn: authApi.resendVerification,
    onSuccess: () => notifications.show({ color: 'teal', message: `We sent a new verification link to ${email}.` }),
    onError: (error) =>
      notifications.show({ color: 'red', title: 'Could not send the email', message: errorMessage(error) }),
  });
  return (
    <Alert
      color="yellow"
      variant="light"
      mb="lg"
      icon={<IconMailExclamation size={18} />}
      data-testid="verify-email-banner"
    >
      <Group justify="space-between" gap="sm">
        <Text size="sm">
          Please verify your email address. We sent a link to <b>{email}</b>.
        </Text>
        <Button
          size="xs"
          variant="white"
          color="yellow.9"
          onClick={() => resend.mutate()}
          loading={resend.isPending}
          data-testid="resend-verification"
        >
          Resend email
        </Button>
      </Group>
    </Alert>
  );
}

function useSignOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: authApi.logout,
    onSettled: async () => {
      // Leave the signed-in area first, so the shell does not react to the cleared session.
      await navigate({ to: '/login' });
      setCsrfToken(null);
      queryClient.setQueryData(['session'], null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== 'session' });
    },
  });
}

function UserMenu({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const navigate = useNavigate();
  const { user } = session;

  return (
    <Menu position="bottom-end" width={240} shadow="md">
      <Menu.Target>
        <UnstyledButton aria-label="Account menu" data-testid="user-menu">
          <Group gap={8} wrap="nowrap">
            <Avatar color="indigo" radius="xl" size={34}>
              {initials(user.name)}
            </Avatar>
            <Box visibleFrom="md" maw={160}>
              <Text size="sm" fw={600} truncate="end">
                {user.name}
              </Text>
            </Box>
            <IconChevronDown size={14} color="var(--mantine-color-gray-6)" />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Box px="sm" py={6}>
          <Text size="sm" fw={600} truncate="end">
            {user.name}
          </Text>
          <Text size="xs" c="dimmed" truncate="end">
            {user.email}
          </Text>
        </Box>
        <Menu.Divider />
        <Menu.Item
          leftSection={<IconUser size={16} />}
          onClick={() => navigate({ to: '/account/profile' })}
          data-testid="menu-profile"
        >
          Profile
        </Menu.Item>
        <Menu.Item
          leftSection={<IconShieldLock size={16} />}
          onClick={() => navigate({ to: '/account/security' })}
          data-testid="menu-security"
        >
          Security
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item color="red" leftSection={<IconLogout size={16} />} onClick={onSignOut} data-testid="sign-out">
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** `/w/:workspaceId/*`: checks membership and the workspace's two-factor rule, then exposes the workspace. */
export function WorkspaceLayout({ workspaceId }: { workspaceId: string }) {
  const session = useSession();
  const blocked = useMfaEnrolmentBlocked(workspaceId);
  const workspace = session.data?.workspaces.find((w) => w.id === workspaceId);

  useEffect(() => {
    if (workspace) rememberWorkspace(workspace.id);
  }, [workspace]);

  if (!session.data) return null;
  if (!workspace) {
    return <Forbidden message="This workspace does not exist, or you are not one of its members." />;
  }
  if ((workspace.requireMfa && !session.data.user.mfaEnabled) || blocked) return <MfaRequired />;
  return (
    <CurrentWorkspaceProvider value={toCurrentWorkspace(workspace)}>
      <Outlet />
    </CurrentWorkspaceProvider>
  );
}

/** `/` when the user belongs to no workspace (otherwise the route redirects to the last used one). */
export function NoWorkspace() {
  return (
    <Center py={64} data-testid="no-workspace">
      <Stack align="center" maw={420} ta="center" gap="sm">
        <Text fw={700} fz="xl">
          You are not in any workspace yet
        </Text>
        <Text c="dimmed" size="sm">
          Ask a teammate to invite you, or create your own workspace with the switcher at the top of the page.
        </Text>
      </Stack>
    </Center>
  );
}
