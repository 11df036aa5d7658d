import { Badge, Button, Code, Divider, Group, Modal, Paper, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { Fragment, useMemo, useState } from 'react';
import { ErrorAlert } from '../../../components/error-alert';
import { PageLoader, QueryError } from '../../../components/query-state';
import type { FieldDefinition } from '../../fields/api/fields-api';
import { useFields } from '../../fields/hooks/use-fields';
import type { MetaFieldMapping, MetaFormDetail, MetaFormHealth, MetaFormQuestion } from '../api/meta-api';
import { useMetaForm, useSaveMapping } from '../hooks/use-meta';

const CONTACT_TARGETS: [string, string][] = [
  ['contact.name', 'Full name'],
  ['contact.first_name', 'First name'],
  ['contact.last_name', 'Last name'],
  ['contact.email', 'Email'],
  ['contact.phone', 'Phone'],
  ['contact.city', 'City'],
  ['contact.country', 'Country'],
];

/** Targets that hold one value: two questions cannot both write them. */
const isExclusive = (target: string) => target.startsWith('contact.') || target.startsWith('lead.');

interface TargetGroup {
  group: string;
  items: { value: string; label: string }[];
}

/**
 * Contact fields, the workspace's lead fields (from the fields API), and the two ways of keeping or dropping an
 * answer. When the server lists its targets, only those it accepts are offered, and any it knows that this screen
 * does not (or that the mapping already uses, e.g. an archived field) stay selectable.
 */
export function mappingTargets(
  fields: FieldDefinition[],
  serverTargets: { value: string; label: string }[] | undefined,
  used: string[],
): TargetGroup[] {
  const accepted = serverTargets?.length ? new Set(serverTargets.map((t) => t.value)) : null;
  const allowed = (value: string) => !accepted || accepted.has(value) || value.startsWith('lead.');
  const contact = CONTACT_TARGETS.filter(([value]) => allowed(value)).map(([value, label]) => ({
    value,
    label: `Contact · ${label}`,
  }));
  const lead = fields.map((field) => ({ value: `lead.${field.key}`, label: `Lead · ${field.label}` }));
  const other = [
    { value: 'answer', label: 'Keep as a form answer' },
    { value: 'ignore', label: 'Ignore (do not store)' },
  ].filter((t) => allowed(t.value));
  const known = new Set([...contact, ...lead, ...other].map((t) => t.value));
  const extra: { value: string; label: string }[] = [];
  const add = (value: string, label?: string) => {
    if (!value || known.has(value)) return;
    known.add(value);
    extra.push({ value, label: label ?? value });
  };
  for (const t of serverTargets ?? []) add(t.value, t.label);
  for (const value of used) add(value);
  const groups: TargetGroup[] = [
    { group: 'Contact', items: contact },
    { group: 'Lead fields', items: lead },
    { group: 'Other', items: other },
  ];
  if (extra.length > 0) groups.push({ group: 'More', items: extra });
  return groups.filter((g) => g.items.length > 0);
}

function effectiveMapping(form: MetaFormDetail): Record<string, string> {
  const result: Record<string, string> = {};
  for (const q of form.questions) {
    result[q.key] =
      form.mapping.find((m) => m.key === q.key)?.target ??
      form.defaultMapping.find((m) => m.key === q.key)?.target ??
      'answer';
  }
  return result;
}

function targetLabel(groups: TargetGroup[], value: string | undefined): string {
  if (!value) return '—';
  for (const g of groups) {
    const item = g.items.find((i) => i.value === value);
    if (item) return item.label;
  }
  return value;
}

function QuestionInfo({ question }: { question: MetaFormQuestion }) {
  const options = question.options ?? [];
  return (
    <Stack gap={4} style={{ minWidth: 0 }}>
      <Text size="sm" fw={600} style={{ wordBreak: 'break-word' }}>
        {question.label || question.key}
      </Text>
      <Group gap={6}>
        <Code>{question.key}</Code>
        <Badge size="xs" variant="light" color="gray" tt="none">
          {question.type}
        </Badge>
      </Group>
      {options.length > 0 && (
        <Text size="xs" c="dimmed" lineClamp={2} style={{ wordBreak: 'break-word' }}>
          Options: {options.map((o) => o.value).join(', ')}
        </Text>
      )}
    </Stack>
  );
}

/** Where each question of a Lead Ads form goes: a contact field, a lead custom field, a kept answer, or nowhere. */
export function FormMappingModal({
  workspaceId,
  form,
  onClose,
}: {
  workspaceId: string;
  form: MetaFormHealth | null;
  onClose: () => void;
}) {
  const phone = useMediaQuery('(max-width: 36em)');
  return (
    <Modal
      opened={form !== null}
      onClose={onClose}
      title={form ? `Mapping of “${form.name || form.formId}”` : 'Mapping'}
      size="xl"
      fullScreen={phone}
      data-testid="meta-mapping-modal"
    >
      {form && <MappingEditor key={form.id} workspaceId={workspaceId} formRowId={form.id} onClose={onClose} />}
    </Modal>
  );
}

function MappingEditor({
  workspaceId,
  formRowId,
  onClose,
}: {
  workspaceId: string;
  formRowId: string;
  onClose: () => void;
}) {
  const form = useMetaForm(workspaceId, formRowId);
  const fields = useFields(workspaceId, 'lead');
  if (form.isPending || fields.isPending) return <PageLoader />;
  if (form.isError) return <QueryError error={form.error} title="Couldn't load the form" />;
  return <MappingForm workspaceId={workspaceId} form={form.data} fields={fields.data ?? []} onClose={onClose} />;
}

function MappingForm({
  workspaceId,
  form,
  fields,
  onClose,
}: {
  workspaceId: string;
  form: MetaFormDetail;
  fields: FieldDefinition[];
  onClose: () => void;
}) {
  const save = useSaveMapping(workspaceId);
  const [draft, setDraft] = useState<Record<string, string>>(() => effectiveMapping(form));
  const defaults = useMemo(
    () => Object.fromEntries(form.defaultMapping.map((m) => [m.key, m.target])) as Record<string, string>,
    [form.defaultMapping],
  );
  const groups = useMemo(
    () => mappingTargets(fields, form.targets, [...Object.values(draft), ...Object.values(defaults)]),
    [fields, form.targets, draft, defaults],
  );

  const counts = new Map<string, number>();
  for (const target of Object.values(draft)) counts.set(target, (counts.get(target) ?? 0) + 1);
  const clash = (target: string) => isExclusive(target) && (counts.get(target) ?? 0) > 1;
  const hasClash = Object.values(draft).some(clash);
  const isDefault = form.questions.every((q) => draft[q.key] === (defaults[q.key] ?? 'answer'));

  const submit = () => {
    const mapping: MetaFieldMapping[] = form.questions.map((q) => ({ key: q.key, target: draft[q.key] ?? 'answer' }));
    save.mutate(
      { formRowId: form.id, mapping },
      {
        onSuccess: () => {
          notifications.show({
            color: 'teal',
            message: `Mapping of “${form.name}” saved. It applies to leads captured from now on.`,
          });
          onClose();
        },
      },
    );
  };

  if (form.questions.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        This form has no questions LeadsBoost knows of yet. Sync the Page to read them.
      </Text>
    );
  }

  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        Choose where each answer goes. Standard questions are mapped automatically; other answers are kept on the lead
        as they were typed, whatever their language. Changes apply to leads captured from now on.
      </Text>
      <Paper withBorder radius="md" p={0}>
        {form.questions.map((question, index) => {
          const target = draft[question.key] ?? 'answer';
          const fallback = defaults[question.key] ?? 'answer';
          return (
            <Fragment key={question.key}>
              {index > 0 && <Divider />}
              <SimpleGrid
                cols={{ base: 1, sm: 2 }}
                spacing="sm"
                p="sm"
                data-testid="meta-mapping-row"
                data-question-key={question.key}
              >
                <QuestionInfo question={question} />
                <Stack gap={4}>
                  <Select
                    size="sm"
                    aria-label={`Map “${question.label || question.key}” to`}
                    data={groups}
                    value={target}
                    onChange={(value) => value && setDraft((d) => ({ ...d, [question.key]: value }))}
                    allowDeselect={false}
                    searchable
                    error={clash(target) ? 'Another question already goes here' : undefined}
                    comboboxProps={{ withinPortal: true }}
                    data-testid="meta-mapping-target"
                  />
                  <Text size="xs" c={target === fallback ? 'dimmed' : 'indigo.7'} data-testid="meta-mapping-default">
                    {target === fallback ? 'Default mapping' : `Default: ${targetLabel(groups, fallback)}`}
                  </Text>
                </Stack>
              </SimpleGrid>
            </Fragment>
          );
        })}
      </Paper>
      {save.isError && <ErrorAlert error={save.error} title="Mapping not saved" />}
      <Group justify="space-between" gap="sm">
        <Button
          variant="subtle"
          color="gray"
          disabled={isDefault}
          onClick={() => setDraft(Object.fromEntries(form.questions.map((q) => [q.key, defaults[q.key] ?? 'answer'])))}
          data-testid="meta-mapping-reset"
        >
          Reset to default
        </Button>
        <Group gap="sm">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={save.isPending} disabled={hasClash} data-testid="meta-mapping-save">
            Save mapping
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}
