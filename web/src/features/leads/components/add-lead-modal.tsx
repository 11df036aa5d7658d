import { Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useEffect } from 'react';
import { ErrorAlert } from '../../../components/error-alert';
import { useSession } from '../../auth/hooks/use-session';
import { useMembers } from '../../members/hooks/use-members';
import { usePipelineLookup } from '../../pipelines/hooks/use-pipelines';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import type { Lead } from '../api/leads-api';
import { useCreateLead } from '../hooks/use-leads';
import { stageOptions } from './filter-builder';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function AddLeadModal({
  opened,
  onClose,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated?: (lead: Lead) => void;
}) {
  const { workspace, can } = useCurrentWorkspace();
  const session = useSession();
  const members = useMembers(workspace.id);
  const lookup = usePipelineLookup(workspace.id);
  const create = useCreateLead(workspace.id);
  // Agents only see leads they own, so their new leads are theirs by default.
  const defaultOwner = can('leads.read_all') ? '' : (session.data?.user.id ?? '');
  const form = useForm({
    initialValues: { name: '', email: '', phone: '', stageId: '', ownerId: defaultOwner, value: '' as number | string },
    validate: {
      name: (v, values) =>
        v.trim() || values.email.trim() || values.phone.trim() ? null : 'Enter a name, an email or a phone number',
      email: (v) => (!v.trim() || EMAIL.test(v.trim()) ? null : 'Enter a valid email address'),
    },
  });
  const firstStage = lookup.defaultPipeline?.stages[0]?.id ?? '';
  const { setFieldValue } = form;

  useEffect(() => {
    if (opened && firstStage && !form.values.stageId) setFieldValue('stageId', firstStage);
  }, [opened, firstStage, form.values.stageId, setFieldValue]);

  const close = () => {
    form.reset();
    create.reset();
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title="Add lead" centered size="lg">
      <form
        noValidate
        onSubmit={form.onSubmit((values) => {
          const stage = lookup.stage(values.stageId);
          create.mutate(
            {
              contact: {
                name: values.name.trim() || undefined,
                email: values.email.trim() || undefined,
                phone: values.phone.trim() || undefined,
              },
              source: 'manual',
              pipelineId: stage?.pipelineId,
              stageId: stage?.id,
              ownerId: values.ownerId || undefined,
              value: typeof values.value === 'number' ? values.value : undefined,
            },
            {
              onSuccess: (lead) => {
                notifications.show({ color: 'teal', message: `${lead.name || 'The lead'} was added.` });
                onCreated?.(lead);
                close();
              },
            },
          );
        })}
      >
        <Stack gap="md">
          {create.error && <ErrorAlert error={create.error} title="Could not add the lead" />}
          <TextInput
            label="Name"
            placeholder="Aisyah Rahman"
            data-autofocus
            maxLength={200}
            data-testid="add-lead-name"
            {...form.getInputProps('name')}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Email"
              type="email"
              placeholder="aisyah@example.com"
              data-testid="add-lead-email"
              {...form.getInputProps('email')}
            />
            <TextInput
              label="Phone"
              type="tel"
              placeholder="+60 12-345 6789"
              description="Any format; stored in international form"
              data-testid="add-lead-phone"
              {...form.getInputProps('phone')}
            />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select
              label="Stage"
              data={stageOptions(lookup)}
              allowDeselect={false}
              data-testid="add-lead-stage"
              {...form.getInputProps('stageId')}
            />
            <Select
              label="Owner"
              placeholder={can('leads.read_all') ? 'Routing rules decide' : undefined}
              data={(members.data?.items ?? []).map((m) => ({ value: m.userId, label: m.name }))}
              clearable={can('leads.read_all')}
              searchable
              data-testid="add-lead-owner"
              {...form.getInputProps('ownerId')}
            />
            <NumberInput
              label="Value"
              placeholder="0.00"
              min={0}
              decimalScale={2}
              thousandSeparator=","
              data-testid="add-lead-value"
              {...form.getInputProps('value')}
            />
          </SimpleGrid>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} data-testid="add-lead-submit">
              Add lead
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
