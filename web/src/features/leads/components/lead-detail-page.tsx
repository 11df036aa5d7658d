import {
  ActionIcon,
  Alert,
  Anchor,
  Avatar,
  Badge,
  Box,
  Breadcrumbs,
  Button,
  Card,
  EmptyState,
  Grid,
  Group,
  Menu,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  IconAlertTriangle,
  IconArrowBackUp,
  IconDots,
  IconGitMerge,
  IconTrash,
  IconUserQuestion,
} from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { errorMessage } from '../../../components/error-alert';
import { QueryError } from '../../../components/query-state';
import { AnchorLink, ButtonLink } from '../../../components/router-link';
import { isApiError } from '../../../lib/api';
import { formatDateTime, formatRelative, initials } from '../../../lib/format';
import { COUNTRIES } from '../../../lib/reference-data';
import type { Contact } from '../../contacts/api/contacts-api';
import { DuplicatesPanel } from '../../contacts/components/duplicates-panel';
import { NotesPanel } from '../../contacts/components/notes-panel';
import { useUndoMerge, useUpdateContact } from '../../contacts/hooks/use-contacts';
import type { FieldDefinition } from '../../fields/api/fields-api';
import { FieldInput, FieldValue } from '../../fields/components/field-value';
import { useFields } from '../../fields/hooks/use-fields';
import { useMembers } from '../../members/hooks/use-members';
import { usePipelineLookup } from '../../pipelines/hooks/use-pipelines';
import { LeadTasksPanel } from '../../tasks/components/lead-tasks-panel';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import type { LeadDetail, LeadPatch } from '../api/leads-api';
import { useDeleteLead, useLead, useTags, useUpdateLead } from '../hooks/use-leads';
import { InlineEditor } from './inline-editor';
import { OwnerSelect, StageSelect, ValueCell } from './lead-cells';
import { isOrganicMetaLead, platformLabel, sourceLabel } from './lead-fields';
import { LeadTimeline } from './lead-timeline';

const countryName = (code: string | null) => (code ? (COUNTRIES.find((c) => c.value === code)?.label ?? code) : null);

function Plain({ value, testId }: { value: string | null | undefined; testId?: string }) {
  return value ? (
    <Text size="sm" style={{ wordBreak: 'break-word' }} data-testid={testId}>
      {value}
    </Text>
  ) : (
    <Text size="sm" c="dimmed" data-testid={testId}>
      —
    </Text>
  );
}

export function LeadDetailPage({ leadId }: { leadId: string }) {
  const { workspace } = useCurrentWorkspace();
  const lead = useLead(workspace.id, leadId);

  if (lead.isPending) return <DetailSkeleton />;
  if (lead.isError) {
    if (isApiError(lead.error, 'not_found')) {
      return (
        <Card withBorder radius="md" py={56} data-testid="lead-not-found">
          <EmptyState
            icon={<IconUserQuestion size={28} />}
            variant="light"
            title="Lead not found"
            description="This lead was deleted, merged away, or is assigned to someone else."
          >
            <ButtonLink to="/w/$workspaceId/leads" params={{ workspaceId: workspace.id }} variant="light" size="xs">
              Back to leads
            </ButtonLink>
          </EmptyState>
        </Card>
      );
    }
    return <QueryError error={lead.error} title="Couldn't load this lead" />;
  }
  return <LeadDetailView lead={lead.data} />;
}

function DetailSkeleton() {
  return (
    <Stack gap="lg" data-testid="page-loader">
      <Skeleton height={20} width={200} />
      <Skeleton height={90} />
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Skeleton height={320} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Skeleton height={320} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function LeadDetailView({ lead }: { lead: LeadDetail }) {
  const { workspace, can } = useCurrentWorkspace();
  const navigate = useNavigate();
  const lookup = usePipelineLookup(workspace.id);
  const members = useMembers(workspace.id);
  const leadFields = useFields(workspace.id, 'lead');
  const contactFields = useFields(workspace.id, 'contact');
  const update = useUpdateLead(workspace.id);
  const updateContact = useUpdateContact(workspace.id, lead.id);
  const remove = useDeleteLead(workspace.id);
  const undo = useUndoMerge(workspace.id);
  const tags = useTags(workspace.id);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [lastMerge, setLastMerge] = useState<{ mergeId: string; survivor: Contact; merged: Contact } | null>(null);
  const canWrite = can('leads.write');
  const contact = lead.contact;

  const save = (patch: LeadPatch, what: string) =>
    update.mutate(
      { leadId: lead.id, patch },
      {
        onError: (error) =>
          notifications.show({ color: 'red', title: `${what} not saved`, message: errorMessage(error) }),
      },
    );
  const saveContact = (patch: Partial<Contact>, what: string) =>
    updateContact.mutate(
      { contactId: contact.id, patch },
      {
        onError: (error) =>
          notifications.show({ color: 'red', title: `${what} not saved`, message: errorMessage(error) }),
      },
    );

  const organic = isOrganicMetaLead(lead);
  const paid = (name: string | null, id: string | null) => name ?? id ?? (organic ? 'Organic (no ad)' : null);
  const attribution: [string, string | null, string][] = [
    ['Source', sourceLabel(lead.source), 'attribution-source'],
    ['Platform', platformLabel(lead.platform), 'attribution-platform'],
    ['Form', lead.formName ?? lead.formId, 'attribution-form'],
    ['Campaign', paid(lead.campaignName, lead.campaignId), 'attribution-campaign'],
    ['Ad set', paid(lead.adsetName, lead.adsetId), 'attribution-adset'],
    ['Ad', paid(lead.adName, lead.adId), 'attribution-ad'],
    ['External ID', lead.externalId, 'attribution-external-id'],
  ];

  return (
    <Stack gap="lg" data-testid="lead-detail" data-lead-id={lead.id}>
      <Breadcrumbs separator="›" fz="sm">
        <AnchorLink
          to="/w/$workspaceId/leads"
          params={{ workspaceId: workspace.id }}
          size="sm"
          data-testid="back-to-leads"
        >
          Leads
        </AnchorLink>
        <Text size="sm" c="dimmed" truncate="end" maw={260}>
          {lead.name || 'Unnamed lead'}
        </Text>
      </Breadcrumbs>

      {lastMerge && (
        <Alert
          color="grape"
          variant="light"
          icon={<IconGitMerge size={18} />}
          withCloseButton
          onClose={() => setLastMerge(null)}
          title="Contacts merged"
          data-testid="merge-done"
        >
          <Group justify="space-between" gap="sm">
            <Text size="sm">
              {lastMerge.merged.name || 'The contact'} was merged into {lastMerge.survivor.name || 'the other contact'}.
            </Text>
            <Button
              size="xs"
              variant="white"
              color="grape"
              leftSection={<IconArrowBackUp size={14} />}
              loading={undo.isPending}
              onClick={() =>
                undo.mutate(lastMerge.mergeId, {
                  onSuccess: () => {
                    notifications.show({ color: 'teal', message: 'The merge was undone.' });
                    setLastMerge(null);
                  },
                  onError: (error) =>
                    notifications.show({
                      color: 'red',
                      title: 'Could not undo the merge',
                      message: errorMessage(error),
                    }),
                })
              }
              data-testid="undo-merge"
            >
              Undo merge
            </Button>
          </Group>
        </Alert>
      )}

      <Card withBorder radius="md" padding="lg">
        <Group justify="space-between" align="flex-start" gap="md" wrap="nowrap">
          <Group gap="md" wrap="nowrap" style={{ minWidth: 0, flex: 1 }}>
            <Avatar size={52} radius="xl" color="indigo">
              {initials(lead.name || '?')}
            </Avatar>
            <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
              <InlineEditor
                label="Name"
                hideLabel
                value={lead.name}
                canEdit={canWrite}
                display={
                  <Title order={1} fz={22} style={{ wordBreak: 'break-word' }} data-testid="lead-name">
                    {lead.name || 'Unnamed lead'}
                  </Title>
                }
                editor={(draft, setDraft, keys) => (
                  <TextInput
                    autoFocus
                    aria-label="Name"
                    value={draft}
                    onChange={(e) => setDraft(e.currentTarget.value)}
                    onKeyDown={keys}
                    maxLength={200}
                    data-testid="lead-name-input"
                  />
                )}
                onSave={(name) => name.trim() && save({ name: name.trim() }, 'Name')}
              />
              <Group gap={6}>
                <Badge variant="light" color="indigo" tt="none">
                  {sourceLabel(lead.source)}
                </Badge>
                <Tooltip label={formatDateTime(lead.createdAt)}>
                  <Text size="xs" c="dimmed">
                    Added {formatRelative(lead.createdAt)}
                  </Text>
                </Tooltip>
                {lookup.pipelines.length > 1 && (
                  <Text size="xs" c="dimmed">
                    · {lookup.pipeline(lead.pipelineId)?.name}
                  </Text>
                )}
              </Group>
            </Stack>
          </Group>
          {can('leads.delete') && (
            <Menu position="bottom-end" shadow="md">
              <Menu.Target>
                <ActionIcon variant="subtle" color="gray" aria-label="More actions" data-testid="lead-actions">
                  <IconDots size={18} />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item
                  color="red"
                  leftSection={<IconTrash size={14} />}
                  onClick={() => setConfirmDelete(true)}
                  data-testid="lead-delete"
                >
                  Delete lead
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          )}
        </Group>
        <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="md" mt="lg">
          <Stack gap={2}>
            <Text size="xs" c="dimmed" fw={500}>
              Stage
            </Text>
            <StageSelect
              size="sm"
              placeholder={lookup.isPending ? 'Loading…' : undefined}
              lead={lead}
              lookup={lookup}
              disabled={!canWrite}
              onChange={(stageId) => save({ stageId }, 'Stage')}
              testId="lead-stage"
            />
          </Stack>
          <Stack gap={2}>
            <Text size="xs" c="dimmed" fw={500}>
              Owner
            </Text>
            <OwnerSelect
              size="sm"
              ownerId={lead.ownerId}
              members={members.data?.items ?? []}
              label="Owner"
              disabled={!canWrite}
              onChange={(ownerId) => save({ ownerId }, 'Owner')}
              testId="lead-owner"
            />
          </Stack>
          <Stack gap={2}>
            <Text size="xs" c="dimmed" fw={500}>
              Value
            </Text>
            <Box data-testid="lead-value" pt={4}>
              <ValueCell lead={lead} editable={canWrite} onChange={(value) => save({ value }, 'Value')} />
            </Box>
          </Stack>
        </SimpleGrid>
      </Card>

      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 5 }} order={{ base: 1, md: 2 }}>
          <Stack gap="lg">
            <DuplicatesPanel contact={contact} onMerged={setLastMerge} />
            <Card withBorder radius="md" padding="lg" data-testid="contact-card">
              <Title order={2} fz="md" mb="md">
                Contact
              </Title>
              <Stack gap="sm">
                <InlineEditor
                  label="Email"
                  value={contact.email ?? ''}
                  canEdit={canWrite}
                  display={
                    contact.email ? (
                      <Anchor href={`mailto:${contact.email}`} size="sm" style={{ wordBreak: 'break-all' }}>
                        {contact.email}
                      </Anchor>
                    ) : (
                      <Plain value={null} />
                    )
                  }
                  editor={(draft, setDraft, keys) => (
                    <TextInput
                      autoFocus
                      type="email"
                      aria-label="Email"
                      value={draft}
                      onChange={(e) => setDraft(e.currentTarget.value)}
                      onKeyDown={keys}
                      data-testid="lead-email-input"
                    />
                  )}
                  onSave={(email) => save({ email: email.trim() || null }, 'Email')}
                  testId="lead-email"
                />
                <InlineEditor
                  label="Phone"
                  value={contact.phone ?? ''}
                  canEdit={canWrite}
                  display={
                    <Group gap={6}>
                      {contact.phone ? (
                        <Anchor href={`tel:${contact.phone}`} size="sm">
                          {contact.phone}
                        </Anchor>
                      ) : (
                        <Plain value={null} />
                      )}
                      {contact.phoneInvalid && (
                        <Tooltip label="This number could not be read as a valid phone number for its country.">
                          <Badge
                            size="sm"
                            color="red"
                            variant="light"
                            leftSection={<IconAlertTriangle size={11} />}
                            data-testid="phone-invalid"
                          >
                            Invalid number
                          </Badge>
                        </Tooltip>
                      )}
                    </Group>
                  }
                  editor={(draft, setDraft, keys) => (
                    <TextInput
                      autoFocus
                      type="tel"
                      aria-label="Phone"
                      value={draft}
                      onChange={(e) => setDraft(e.currentTarget.value)}
                      onKeyDown={keys}
                      data-testid="lead-phone-input"
                    />
                  )}
                  onSave={(phone) => save({ phone: phone.trim() || null }, 'Phone')}
                  testId="lead-phone"
                />
                <SimpleGrid cols={2} spacing="sm">
                  <InlineEditor
                    label="City"
                    value={contact.city ?? ''}
                    canEdit={canWrite}
                    display={<Plain value={contact.city} />}
                    editor={(draft, setDraft, keys) => (
                      <TextInput
                        autoFocus
                        aria-label="City"
                        value={draft}
                        onChange={(e) => setDraft(e.currentTarget.value)}
                        onKeyDown={keys}
                      />
                    )}
                    onSave={(city) => saveContact({ city: city.trim() || null }, 'City')}
                    testId="lead-city"
                  />
                  <InlineEditor
                    label="Country"
                    value={contact.country ?? ''}
                    canEdit={canWrite}
                    display={<Plain value={countryName(contact.country)} />}
                    editor={(draft, setDraft, keys) => (
                      <Select
                        autoFocus
                        aria-label="Country"
                        data={COUNTRIES}
                        value={draft || null}
                        onChange={(v) => setDraft(v ?? '')}
                        onKeyDown={keys}
                        searchable
                        clearable
                      />
                    )}
                    onSave={(country) => saveContact({ country: country || null }, 'Country')}
                    testId="lead-country"
                  />
                </SimpleGrid>
                {(contactFields.data ?? []).map((field) => (
                  <CustomFieldEditor
                    key={field.id}
                    field={field}
                    value={contact.custom?.[field.key]}
                    canEdit={canWrite}
                    onSave={(value) => saveContact({ custom: { ...contact.custom, [field.key]: value } }, field.label)}
                  />
                ))}
              </Stack>
            </Card>

            {(leadFields.data?.length ?? 0) > 0 && (
              <Card withBorder radius="md" padding="lg" data-testid="custom-fields">
                <Title order={2} fz="md" mb="md">
                  Details
                </Title>
                <Stack gap="sm">
                  {leadFields.data?.map((field) => (
                    <CustomFieldEditor
                      key={field.id}
                      field={field}
                      value={lead.custom?.[field.key]}
                      canEdit={canWrite}
                      onSave={(value) => save({ custom: { [field.key]: value } }, field.label)}
                    />
                  ))}
                </Stack>
              </Card>
            )}

            <Card withBorder radius="md" padding="lg">
              <Title order={2} fz="md" mb="sm">
                Tags
              </Title>
              <TagsInput
                aria-label="Tags"
                placeholder={canWrite ? 'Add a tag and press Enter' : undefined}
                data={tags.data ?? []}
                value={lead.tags}
                onChange={(next) => save({ tags: next }, 'Tags')}
                disabled={!canWrite}
                clearable
                maxTags={50}
                data-testid="lead-tags"
              />
            </Card>

            <Card withBorder radius="md" padding="lg" data-testid="attribution">
              <Title order={2} fz="md" mb="md">
                Attribution
              </Title>
              <SimpleGrid cols={2} spacing="sm" verticalSpacing="sm">
                {attribution.map(([label, value, testId]) => (
                  <Stack key={label} gap={2} style={{ minWidth: 0 }}>
                    <Text size="xs" c="dimmed" fw={500}>
                      {label}
                    </Text>
                    <Plain value={value} testId={testId} />
                  </Stack>
                ))}
              </SimpleGrid>
              {lead.answers.length > 0 && (
                <>
                  <Title order={3} fz="sm" mt="lg" mb="sm">
                    Form answers
                  </Title>
                  <Stack gap="sm" data-testid="form-answers">
                    {lead.answers.map((answer) => (
                      <Stack key={answer.key} gap={2}>
                        <Text size="xs" c="dimmed" fw={500} style={{ wordBreak: 'break-word' }}>
                          {answer.question || answer.key}
                        </Text>
                        <Plain
                          value={
                            Array.isArray(answer.value)
                              ? answer.value.join(', ')
                              : answer.value === null || answer.value === undefined
                                ? null
                                : String(answer.value)
                          }
                        />
                      </Stack>
                    ))}
                  </Stack>
                </>
              )}
            </Card>
          </Stack>
        </Grid.Col>

        <Grid.Col span={{ base: 12, md: 7 }} order={{ base: 2, md: 1 }}>
          <Stack gap="lg">
            <NotesPanel contactId={contact.id} leadId={lead.id} />
            <LeadTasksPanel leadId={lead.id} contactId={contact.id} />
            <LeadTimeline workspaceId={workspace.id} leadId={lead.id} />
          </Stack>
        </Grid.Col>
      </Grid>

      <ConfirmModal
        opened={confirmDelete}
        title="Delete lead"
        message={
          <Text size="sm">
            Delete <b>{lead.name || 'this lead'}</b>? Its tasks and timeline are removed too. This cannot be undone.
          </Text>
        }
        confirmLabel="Delete lead"
        loading={remove.isPending}
        error={remove.error}
        onClose={() => {
          setConfirmDelete(false);
          remove.reset();
        }}
        onConfirm={() =>
          remove.mutate(lead.id, {
            onSuccess: () => {
              notifications.show({ color: 'teal', message: `${lead.name || 'The lead'} was deleted.` });
              void navigate({ to: '/w/$workspaceId/leads', params: { workspaceId: workspace.id } });
            },
          })
        }
      />
    </Stack>
  );
}

function CustomFieldEditor({
  field,
  value,
  canEdit,
  onSave,
}: {
  field: FieldDefinition;
  value: unknown;
  canEdit: boolean;
  onSave: (value: unknown) => void;
}) {
  return (
    <InlineEditor<unknown>
      label={field.required ? `${field.label} *` : field.label}
      value={value ?? null}
      canEdit={canEdit}
      display={<FieldValue field={field} value={value} />}
      editor={(draft, setDraft, keys) => (
        <FieldInput field={field} value={draft} onChange={setDraft} autoFocus onKeyDown={keys} />
      )}
      onSave={onSave}
      testId={`custom-field-${field.key}`}
    />
  );
}
