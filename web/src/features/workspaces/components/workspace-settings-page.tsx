import {
  Alert,
  Button,
  Card,
  Group,
  Select,
  Skeleton,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconInfoCircle, IconShieldLock } from '@tabler/icons-react';
import { useEffect, useMemo } from 'react';
import { ErrorAlert } from '../../../components/error-alert';
import { PageHeader } from '../../../components/page-header';
import { QueryError } from '../../../components/query-state';
import { COUNTRIES, listTimezones } from '../../../lib/reference-data';
import type { Workspace } from '../api/workspaces-api';
import { useCurrentWorkspace } from '../hooks/use-current-workspace';
import { useUpdateWorkspace, useWorkspace } from '../hooks/use-workspaces';

export function WorkspaceSettingsPage() {
  const { workspace: summary } = useCurrentWorkspace();
  const query = useWorkspace(summary.id);

  return (
    <>
      <PageHeader title="Workspace" description="The name, country and timezone used across this workspace." />
      {query.isPending && <Skeleton height={320} radius="md" />}
      {query.isError && <QueryError error={query.error} title="Couldn't load the workspace" />}
      {query.data && (
        <Stack gap="lg" maw={720}>
          <GeneralSettings workspace={query.data} />
          <SecuritySettings workspace={query.data} />
        </Stack>
      )}
    </>
  );
}

function GeneralSettings({ workspace }: { workspace: Workspace }) {
  const { can } = useCurrentWorkspace();
  const canEdit = can('workspace.update');
  const update = useUpdateWorkspace(workspace.id);
  const timezones = useMemo(() => listTimezones(workspace.timezone), [workspace.timezone]);
  const countries = useMemo(
    () =>
      COUNTRIES.some((c) => c.value === workspace.defaultCountry)
        ? COUNTRIES
        : [{ value: workspace.defaultCountry, label: workspace.defaultCountry }, ...COUNTRIES],
    [workspace.defaultCountry],
  );
  const form = useForm({
    initialValues: { name: workspace.name, defaultCountry: workspace.defaultCountry, timezone: workspace.timezone },
    validate: {
      name: (v) => (v.trim().length >= 2 ? null : 'The name needs 2 characters or more'),
      defaultCountry: (v) => (v ? null : 'Choose a country'),
      timezone: (v) => (v ? null : 'Choose a timezone'),
    },
  });

  const { setValues, resetDirty } = form;
  useEffect(() => {
    const values = { name: workspace.name, defaultCountry: workspace.defaultCountry, timezone: workspace.timezone };
    setValues(values);
    resetDirty(values);
  }, [workspace.name, workspace.defaultCountry, workspace.timezone, setValues, resetDirty]);

  return (
    <Card withBorder radius="md" padding="lg">
      <form
        noValidate
        onSubmit={form.onSubmit((values) =>
          update.mutate(
            { name: values.name.trim(), defaultCountry: values.defaultCountry, timezone: values.timezone },
            { onSuccess: () => notifications.show({ color: 'teal', message: 'Workspace settings saved.' }) },
          ),
        )}
      >
        <Stack gap="md">
          <Title order={2} fz="lg">
            General
          </Title>
          {update.error && <ErrorAlert error={update.error} title="Could not save" />}
          <TextInput
            label="Workspace name"
            disabled={!canEdit}
            data-testid="workspace-name"
            {...form.getInputProps('name')}
          />
          <Select
            label="Default country"
            description="Phone numbers without a country code are read as numbers of this country."
            data={countries}
            searchable
            allowDeselect={false}
            disabled={!canEdit}
            data-testid="workspace-country"
            {...form.getInputProps('defaultCountry')}
          />
          <Select
            label="Timezone"
            description="Used for reports, schedules and working hours."
            data={timezones}
            searchable
            allowDeselect={false}
            limit={200}
            disabled={!canEdit}
            data-testid="workspace-timezone"
            {...form.getInputProps('timezone')}
          />
          {canEdit && (
            <Group justify="flex-end">
              <Button type="submit" loading={update.isPending} disabled={!form.isDirty()} data-testid="workspace-save">
                Save changes
              </Button>
            </Group>
          )}
        </Stack>
      </form>
    </Card>
  );
}

function SecuritySettings({ workspace }: { workspace: Workspace }) {
  const { workspace: summary, can } = useCurrentWorkspace();
  const update = useUpdateWorkspace(workspace.id);
  const isOwner = summary.role === 'owner' && can('workspace.security');

  const toggle = (requireMfa: boolean) =>
    update.mutate(
      { requireMfa },
      {
        onSuccess: () =>
          notifications.show({
            color: 'teal',
            message: requireMfa
              ? 'Two-factor is now required for every member.'
              : 'Two-factor is no longer required for members.',
          }),
      },
    );

  const control = (
    <Switch
      checked={workspace.requireMfa}
      onChange={(event) => toggle(event.currentTarget.checked)}
      disabled={!isOwner || update.isPending}
      label="Require two-factor for all members"
      description="Members without two-factor authentication must set it up before they can open this workspace."
      data-testid="require-mfa-switch"
    />
  );

  return (
    <Card withBorder radius="md" padding="lg">
      <Stack gap="md">
        <Group gap="xs">
          <IconShieldLock size={20} color="var(--mantine-color-indigo-6)" />
          <Title order={2} fz="lg">
            Security
          </Title>
        </Group>
        {update.error && <ErrorAlert error={update.error} title="Could not change the setting" />}
        {isOwner ? (
          control
        ) : (
          <Tooltip label="Only the workspace owner can change this" withArrow position="top-start">
            <div style={{ alignSelf: 'flex-start' }} data-testid="require-mfa-locked">
              {control}
            </div>
          </Tooltip>
        )}
        {isOwner && !workspace.requireMfa && (
          <Alert variant="light" color="gray" icon={<IconInfoCircle size={16} />}>
            <Text size="sm">
              Tip: turn on two-factor for your own account first, so you are not asked to set it up right away.
            </Text>
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
