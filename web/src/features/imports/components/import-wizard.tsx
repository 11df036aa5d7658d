import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Card,
  Group,
  Paper,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Stepper,
  Table,
  TagsInput,
  Text,
  ThemeIcon,
  Title,
  Tooltip,
} from '@mantine/core';
import {
  IconAlertTriangle,
  IconBrandMeta,
  IconCircleCheck,
  IconDownload,
  IconFileSpreadsheet,
  IconUpload,
} from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { type DragEvent, useEffect, useMemo, useRef, useState } from 'react';
import { ErrorAlert } from '../../../components/error-alert';
import { PageHeader } from '../../../components/page-header';
import { ButtonLink } from '../../../components/router-link';
import { formatNumber } from '../../../lib/format-money';
import { useFields } from '../../fields/hooks/use-fields';
import { leadKeys } from '../../leads/hooks/use-leads';
import { useMembers } from '../../members/hooks/use-members';
import { detailNumber, isOperationFinished } from '../../operations/api/operations-api';
import { OperationProgressBar } from '../../operations/components/operation-progress';
import { useOperation } from '../../operations/hooks/use-operation';
import { usePipelineLookup } from '../../pipelines/hooks/use-pipelines';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import {
  type ImportDefaults,
  type ImportPreview,
  type ImportSettings,
  importsApi,
  type UploadResult,
  type UpsertKey,
} from '../api/imports-api';
import { fetchLastMapping, usePreviewImport, useStartImport, useUploadImport } from '../hooks/use-imports';

const TARGET_GROUPS: { group: string; items: { value: string; label: string }[] }[] = [
  {
    group: 'Contact',
    items: [
      { value: 'name', label: 'Full name' },
      { value: 'first_name', label: 'First name' },
      { value: 'last_name', label: 'Last name' },
      { value: 'email', label: 'Email' },
      { value: 'phone', label: 'Phone' },
      { value: 'city', label: 'City' },
      { value: 'country', label: 'Country' },
    ],
  },
  {
    group: 'Lead',
    items: [
      { value: 'stage', label: 'Stage (by name)' },
      { value: 'owner_email', label: 'Owner (email)' },
      { value: 'value', label: 'Value' },
      { value: 'currency', label: 'Currency' },
      { value: 'tags', label: 'Tags' },
      { value: 'source', label: 'Source' },
      { value: 'external_id', label: 'External ID' },
      { value: 'created_at', label: 'Created at' },
    ],
  },
  {
    group: 'Ad attribution',
    items: [
      { value: 'platform', label: 'Platform' },
      { value: 'form_id', label: 'Form ID' },
      { value: 'form_name', label: 'Form name' },
      { value: 'campaign_id', label: 'Campaign ID' },
      { value: 'campaign_name', label: 'Campaign name' },
      { value: 'adset_id', label: 'Ad set ID' },
      { value: 'adset_name', label: 'Ad set name' },
      { value: 'ad_id', label: 'Ad ID' },
      { value: 'ad_name', label: 'Ad name' },
    ],
  },
];

const UPSERT_KEYS: { value: UpsertKey; label: string }[] = [
  { value: 'email', label: 'Email address' },
  { value: 'phone', label: 'Phone number' },
  { value: 'external_id', label: 'External ID' },
  { value: 'none', label: 'Always create new leads' },
];

const formatBytes = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function ImportWizard() {
  const { workspace } = useCurrentWorkspace();
  const [step, setStep] = useState(0);
  const [upload, setUpload] = useState<UploadResult | null>(null);
  const [settings, setSettings] = useState<ImportSettings>({ mapping: {}, upsertKey: 'email', defaults: {} });
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [operationId, setOperationId] = useState<string | null>(null);

  const restart = () => {
    setStep(0);
    setUpload(null);
    setPreview(null);
    setOperationId(null);
    setSettings({ mapping: {}, upsertKey: 'email', defaults: {} });
  };

  return (
    <>
      <PageHeader
        title="Import leads"
        description="Bring leads from a CSV file — a spreadsheet export or Meta's own Lead Ads download."
      />
      <Card withBorder radius="md" padding="lg">
        <Stepper active={step} size="sm" mb="xl" allowNextStepsSelect={false}>
          <Stepper.Step label="Upload" description="Choose a CSV" />
          <Stepper.Step label="Map columns" description="Match your columns" />
          <Stepper.Step label="Preview" description="Check before importing" />
          <Stepper.Step label="Import" description="Create and update leads" />
        </Stepper>
        {step === 0 && (
          <UploadStep
            onUploaded={async (result) => {
              const last = await fetchLastMapping(workspace.id);
              const mapping: Record<string, string> = {};
              result.headers.forEach((header, index) => {
                mapping[String(index)] = last.mapping?.[header] ?? result.suggestedMapping[String(index)] ?? 'ignore';
              });
              setUpload(result);
              setSettings((s) => ({ ...s, mapping }));
              setStep(1);
            }}
          />
        )}
        {step === 1 && upload && (
          <MappingStep
            upload={upload}
            settings={settings}
            onChange={setSettings}
            onBack={restart}
            onPreview={(result) => {
              setPreview(result);
              setStep(2);
            }}
          />
        )}
        {step === 2 && upload && preview && (
          <PreviewStep
            operationId={upload.operationId}
            settings={settings}
            preview={preview}
            onBack={() => setStep(1)}
            onStarted={(id) => {
              setOperationId(id);
              setStep(3);
            }}
          />
        )}
        {step === 3 && operationId && <RunStep operationId={operationId} onRestart={restart} />}
      </Card>
    </>
  );
}

function UploadStep({ onUploaded }: { onUploaded: (result: UploadResult) => Promise<void> }) {
  const { workspace } = useCurrentWorkspace();
  const upload = useUploadImport(workspace.id);
  const inputRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [over, setOver] = useState(false);
  const [finishing, setFinishing] = useState(false);

  const choose = (next: File | undefined | null) => {
    if (!next) return;
    setFile(next);
    upload.reset();
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    choose(event.dataTransfer.files[0]);
  };

  return (
    <Stack gap="md">
      <Paper
        withBorder
        radius="md"
        p="xl"
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        style={{
          borderStyle: 'dashed',
          borderWidth: 2,
          borderColor: over ? 'var(--mantine-color-indigo-5)' : 'var(--mantine-color-gray-4)',
          background: over ? 'var(--mantine-color-indigo-0)' : 'var(--mantine-color-gray-0)',
          transition: 'background 120ms, border-color 120ms',
        }}
        data-testid="import-dropzone"
      >
        <Stack align="center" gap="sm" ta="center">
          <ThemeIcon size={52} radius="xl" variant="light">
            <IconFileSpreadsheet size={28} />
          </ThemeIcon>
          <Text fw={600}>Drop a CSV file here</Text>
          <Text size="sm" c="dimmed" maw={460}>
            Any delimiter, UTF-8 with or without BOM, up to 2 GB. Meta Lead Ads exports are recognised automatically.
          </Text>
          <input
            ref={inputRef}
            type="file"
            accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
            hidden
            onChange={(event) => choose(event.currentTarget.files?.[0])}
            data-testid="import-file-input"
          />
          <Button variant="default" onClick={() => inputRef.current?.click()} disabled={upload.isPending}>
            Choose file
          </Button>
        </Stack>
      </Paper>
      {file && (
        <Paper withBorder radius="md" p="md">
          <Group justify="space-between" gap="sm">
            <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
              <IconFileSpreadsheet size={22} color="var(--mantine-color-teal-6)" />
              <div style={{ minWidth: 0 }}>
                <Text size="sm" fw={600} truncate="end" data-testid="import-file-name">
                  {file.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {formatBytes(file.size)}
                </Text>
              </div>
            </Group>
            <Button
              leftSection={<IconUpload size={16} />}
              loading={upload.isPending || finishing}
              onClick={() =>
                upload.mutate(file, {
                  onSuccess: async (result) => {
                    setFinishing(true);
                    await onUploaded(result);
                  },
                })
              }
              data-testid="import-upload"
            >
              Upload
            </Button>
          </Group>
          {(upload.isPending || finishing) && (
            <Stack gap={4} mt="sm">
              <Progress value={upload.progress * 100} animated striped size="md" data-testid="import-upload-progress" />
              <Text size="xs" c="dimmed">
                {upload.progress < 1 ? `Uploading… ${Math.round(upload.progress * 100)}%` : 'Reading the columns…'}
              </Text>
            </Stack>
          )}
        </Paper>
      )}
      {upload.error && <ErrorAlert error={upload.error} title="Upload failed" />}
    </Stack>
  );
}

function MappingStep({
  upload,
  settings,
  onChange,
  onBack,
  onPreview,
}: {
  upload: UploadResult;
  settings: ImportSettings;
  onChange: (settings: ImportSettings) => void;
  onBack: () => void;
  onPreview: (preview: ImportPreview) => void;
}) {
  const { workspace } = useCurrentWorkspace();
  const customFields = useFields(workspace.id, 'lead');
  const members = useMembers(workspace.id);
  const lookup = usePipelineLookup(workspace.id);
  const preview = usePreviewImport(workspace.id);
  const { mapping, defaults } = settings;

  const targets = useMemo(() => {
    const custom = (customFields.data ?? []).map((f) => ({ value: `custom.${f.key}`, label: f.label }));
    return [...TARGET_GROUPS, ...(custom.length ? [{ group: 'Custom fields', items: custom }] : [])];
  }, [customFields.data]);

  const used = Object.values(mapping).filter((t) => t !== 'ignore' && !t.startsWith('answer:'));
  const duplicated = new Set(used.filter((t, i) => used.indexOf(t) !== i));
  const hasIdentity = used.some((t) => ['name', 'first_name', 'last_name', 'email', 'phone'].includes(t));
  const defaultPipeline = lookup.pipeline(defaults.pipelineId) ?? lookup.defaultPipeline;

  const setTarget = (index: number, target: string | null) =>
    onChange({ ...settings, mapping: { ...mapping, [String(index)]: target ?? 'ignore' } });
  const setDefaults = (change: Partial<ImportDefaults>) =>
    onChange({ ...settings, defaults: { ...defaults, ...change } });

  const options = (header: string) => [
    ...targets,
    {
      group: 'Other',
      items: [
        { value: `answer:${header}`, label: 'Keep as form answer' },
        { value: 'ignore', label: 'Ignore this column' },
      ],
    },
  ];

  return (
    <Stack gap="lg">
      <Group justify="space-between" gap="sm">
        <Text size="sm" c="dimmed">
          {upload.headers.length} columns found. Choose where each one goes.
        </Text>
        {upload.detectedFormat === 'meta_lead_ads' && (
          <Badge
            size="lg"
            variant="light"
            color="blue"
            leftSection={<IconBrandMeta size={14} />}
            data-testid="meta-detected"
          >
            Meta Lead Ads export recognised
          </Badge>
        )}
      </Group>
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="xs" data-testid="import-mapping">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="28%">Column</Table.Th>
              <Table.Th>Sample values</Table.Th>
              <Table.Th w={260}>Import as</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {upload.headers.map((header, index) => {
              const target = mapping[String(index)] ?? 'ignore';
              const samples = upload.sample
                .map((row) => row[index] ?? '')
                .filter(Boolean)
                .slice(0, 3);
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: CSV headers may repeat; the column index is the identity.
                <Table.Tr key={index} data-testid="mapping-row" data-column={index}>
                  <Table.Td>
                    <Text size="sm" fw={600} style={{ wordBreak: 'break-word' }}>
                      {header || `Column ${index + 1}`}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={0}>
                      {samples.length === 0 && (
                        <Text size="xs" c="dimmed">
                          (empty)
                        </Text>
                      )}
                      {samples.map((value, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: sample values repeat.
                        <Text key={i} size="xs" c="dimmed" truncate="end" maw={280}>
                          {value}
                        </Text>
                      ))}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Select
                      size="xs"
                      aria-label={`Import ${header} as`}
                      data={options(header)}
                      value={target}
                      onChange={(v) => setTarget(index, v)}
                      allowDeselect={false}
                      searchable
                      error={duplicated.has(target) ? 'Used by another column' : undefined}
                      styles={{ input: { color: target === 'ignore' ? 'var(--mantine-color-dimmed)' : undefined } }}
                      data-testid="mapping-target"
                    />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>

      {!hasIdentity && (
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />}>
          Map at least one of name, email or phone — rows without any of them are rejected.
        </Alert>
      )}

      <Paper withBorder radius="md" p="md" bg="var(--mantine-color-gray-0)">
        <Title order={3} fz="sm" mb="sm">
          Import settings
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md">
          <Select
            label="Match existing leads by"
            description="Matching rows update the lead instead of creating one"
            data={UPSERT_KEYS}
            value={settings.upsertKey}
            onChange={(v) => v && onChange({ ...settings, upsertKey: v as UpsertKey })}
            allowDeselect={false}
            data-testid="import-upsert-key"
          />
          <Select
            label="Pipeline"
            description="For rows without a stage column"
            data={lookup.pipelines.map((p) => ({ value: p.id, label: p.name }))}
            value={defaultPipeline?.id ?? null}
            onChange={(v) => setDefaults({ pipelineId: v ?? undefined, stageId: undefined })}
            allowDeselect={false}
            data-testid="import-default-pipeline"
          />
          <Select
            label="Stage"
            description="Where new leads start"
            placeholder={defaultPipeline?.stages[0]?.name}
            data={(defaultPipeline?.stages ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={defaults.stageId ?? null}
            onChange={(v) => setDefaults({ stageId: v ?? undefined })}
            clearable
            data-testid="import-default-stage"
          />
          <Select
            label="Owner"
            description="Empty: routing rules decide"
            placeholder="Routing rules"
            data={(members.data?.items ?? []).map((m) => ({ value: m.userId, label: m.name }))}
            value={defaults.ownerId ?? null}
            onChange={(v) => setDefaults({ ownerId: v ?? undefined })}
            clearable
            searchable
            data-testid="import-default-owner"
          />
          <TagsInput
            label="Tags"
            description="Added to every imported lead"
            placeholder="e.g. expo-2026"
            value={defaults.tags ?? []}
            onChange={(tags) => setDefaults({ tags })}
            data-testid="import-default-tags"
          />
        </SimpleGrid>
      </Paper>

      {preview.error && <ErrorAlert error={preview.error} title="Preview failed" />}
      <Group justify="space-between">
        <Button variant="default" onClick={onBack}>
          Choose another file
        </Button>
        <Button
          loading={preview.isPending}
          disabled={duplicated.size > 0}
          onClick={() =>
            preview.mutate(
              {
                operationId: upload.operationId,
                settings: {
                  ...settings,
                  defaults: { ...defaults, pipelineId: defaults.pipelineId ?? defaultPipeline?.id },
                },
              },
              { onSuccess: onPreview },
            )
          }
          data-testid="import-preview-button"
        >
          Preview import
        </Button>
      </Group>
    </Stack>
  );
}

const ACTION_COLOR = { create: 'teal', update: 'blue', reject: 'red' } as const;
const ACTION_LABEL = { create: 'New', update: 'Update', reject: 'Rejected' } as const;

function PreviewStep({
  operationId,
  settings,
  preview,
  onBack,
  onStarted,
}: {
  operationId: string;
  settings: ImportSettings;
  preview: ImportPreview;
  onBack: () => void;
  onStarted: (operationId: string) => void;
}) {
  const { workspace } = useCurrentWorkspace();
  const start = useStartImport(workspace.id);
  const total = preview.create + preview.update + preview.reject;
  const pct = (n: number) => (total ? (n / total) * 100 : 0);

  return (
    <Stack gap="lg">
      <Stack gap="sm" data-testid="preview-counts">
        <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
          <Stat label="New leads" value={preview.create} color="teal" testId="preview-create" />
          <Stat label="Updated leads" value={preview.update} color="blue" testId="preview-update" />
          <Stat label="Rejected rows" value={preview.reject} color="red" testId="preview-reject" />
        </SimpleGrid>
        <Progress.Root size={14} radius="xl" aria-label="Rows by outcome">
          <Tooltip label={`${formatNumber(preview.create)} new`}>
            <Progress.Section value={pct(preview.create)} color="teal" />
          </Tooltip>
          <Tooltip label={`${formatNumber(preview.update)} updated`}>
            <Progress.Section value={pct(preview.update)} color="blue" />
          </Tooltip>
          <Tooltip label={`${formatNumber(preview.reject)} rejected`}>
            <Progress.Section value={pct(preview.reject)} color="red" />
          </Tooltip>
        </Progress.Root>
      </Stack>

      {preview.rows.length > 0 && (
        <div>
          <Title order={3} fz="sm" mb="xs">
            First rows
          </Title>
          <Table.ScrollContainer minWidth={620}>
            <Table verticalSpacing={6} striped data-testid="preview-rows">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={60}>Row</Table.Th>
                  <Table.Th w={100}>Result</Table.Th>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Phone</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {preview.rows.map((row) => (
                  <Table.Tr key={row.row} data-testid="preview-row">
                    <Table.Td>
                      <Text size="xs" c="dimmed">
                        {row.row}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={row.reason} disabled={!row.reason}>
                        <Badge size="sm" variant="light" color={ACTION_COLOR[row.action]}>
                          {ACTION_LABEL[row.action]}
                        </Badge>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" truncate="end">
                        {row.name ?? '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" truncate="end">
                        {row.email ?? '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{row.phone ?? '—'}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </div>
      )}

      {preview.rejects.length > 0 && (
        <div>
          <Title order={3} fz="sm" mb="xs">
            Rows that will be rejected
            {preview.reject > preview.rejects.length ? ` (first ${preview.rejects.length})` : ''}
          </Title>
          <Table verticalSpacing={6} data-testid="preview-rejects">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={60}>Row</Table.Th>
                <Table.Th>Reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {preview.rejects.map((reject) => (
                <Table.Tr key={reject.row} data-testid="preview-reject-row">
                  <Table.Td>
                    <Text size="xs" c="dimmed">
                      {reject.row}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="red.8" style={{ wordBreak: 'break-word' }}>
                      {reject.reason}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}

      {start.error && <ErrorAlert error={start.error} title="The import did not start" />}
      <Group justify="space-between">
        <Button variant="default" onClick={onBack}>
          Back to mapping
        </Button>
        <Button
          loading={start.isPending}
          disabled={preview.create + preview.update === 0}
          onClick={() =>
            start.mutate({ operationId, settings }, { onSuccess: (op) => onStarted(op.id ?? operationId) })
          }
          data-testid="import-start"
        >
          Import {formatNumber(preview.create + preview.update)}{' '}
          {preview.create + preview.update === 1 ? 'lead' : 'leads'}
        </Button>
      </Group>
    </Stack>
  );
}

function Stat({ label, value, color, testId }: { label: string; value: number; color: string; testId?: string }) {
  return (
    <Paper withBorder radius="md" p="sm" style={{ borderLeft: `4px solid var(--mantine-color-${color}-6)` }}>
      <Text size="xs" c="dimmed" fw={500}>
        {label}
      </Text>
      <Text fz={24} fw={700} data-testid={testId}>
        {formatNumber(value)}
      </Text>
    </Paper>
  );
}

function RunStep({ operationId, onRestart }: { operationId: string; onRestart: () => void }) {
  const { workspace } = useCurrentWorkspace();
  const queryClient = useQueryClient();
  const operation = useOperation(workspace.id, operationId);
  const op = operation.data;
  const finished = isOperationFinished(op);

  useEffect(() => {
    if (finished) {
      void queryClient.invalidateQueries({ queryKey: leadKeys.all(workspace.id) });
      void queryClient.invalidateQueries({ queryKey: ['workspaces', workspace.id, 'board'] });
      void queryClient.invalidateQueries({ queryKey: leadKeys.tags(workspace.id) });
    }
  }, [finished, queryClient, workspace.id]);

  const rejected = detailNumber(op, 'rejected');

  return (
    <Stack gap="lg">
      <Box data-testid="import-progress" data-status={op?.status ?? 'pending'}>
        <OperationProgressBar operation={op} />
      </Box>
      {operation.isError && <ErrorAlert error={operation.error} title="Couldn't follow the import" />}
      <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
        <Stat label="Created" value={detailNumber(op, 'created')} color="teal" testId="import-created" />
        <Stat label="Updated" value={detailNumber(op, 'updated')} color="blue" testId="import-updated" />
        <Stat label="Rejected" value={rejected} color="red" testId="import-rejected" />
      </SimpleGrid>
      {op?.status === 'failed' && (
        <Alert color="red" variant="light" title="The import stopped">
          {op.error ?? 'Something went wrong. Rows imported so far are kept.'}
        </Alert>
      )}
      {op?.status === 'succeeded' && (
        <Alert
          color="teal"
          variant="light"
          icon={<IconCircleCheck size={18} />}
          title="Import finished"
          data-testid="import-done"
        >
          <Stack gap="sm">
            <Text size="sm">
              {formatNumber(detailNumber(op, 'created'))} created, {formatNumber(detailNumber(op, 'updated'))} updated
              {rejected ? `, ${formatNumber(rejected)} rejected` : ''}.
            </Text>
            <Group gap="sm">
              <ButtonLink
                to="/w/$workspaceId/leads"
                params={{ workspaceId: workspace.id }}
                size="xs"
                data-testid="import-view-leads"
              >
                View leads
              </ButtonLink>
              <Anchor
                href={importsApi.rejectsUrl(workspace.id, operationId)}
                download
                size="sm"
                data-testid="download-rejects"
                style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}
              >
                <IconDownload size={14} /> Download rejected rows{rejected ? ` (${formatNumber(rejected)})` : ''}
              </Anchor>
              <Button size="xs" variant="subtle" onClick={onRestart}>
                Import another file
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      {!finished && (
        <Text size="sm" c="dimmed">
          You can leave this page — the import keeps running and the leads appear as they are created.
        </Text>
      )}
    </Stack>
  );
}
