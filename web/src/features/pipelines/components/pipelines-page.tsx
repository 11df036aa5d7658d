import {
  ActionIcon,
  Badge,
  Button,
  Card,
  ColorSwatch,
  Group,
  Menu,
  Modal,
  Popover,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowDown, IconArrowUp, IconDots, IconPlus, IconStar, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { ErrorAlert, errorMessage } from '../../../components/error-alert';
import { PageHeader } from '../../../components/page-header';
import { QueryError, TableSkeleton } from '../../../components/query-state';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import {
  type Pipeline,
  pipelinesApi,
  STAGE_KIND_LABEL,
  type Stage,
  type StageInput,
  type StageKind,
  stageColor,
} from '../api/pipelines-api';
import { usePipelineLookup, usePipelineMutation } from '../hooks/use-pipelines';

const SWATCHES = [
  '#4c6ef5',
  '#228be6',
  '#15aabf',
  '#12b886',
  '#40c057',
  '#82c91e',
  '#fab005',
  '#fd7e14',
  '#fa5252',
  '#e64980',
  '#be4bdb',
  '#868e96',
];

const KIND_OPTIONS = (Object.keys(STAGE_KIND_LABEL) as StageKind[]).map((k) => ({
  value: k,
  label: STAGE_KIND_LABEL[k],
}));

const notifyError = (title: string) => (error: unknown) =>
  notifications.show({ color: 'red', title, message: errorMessage(error) });

export function PipelinesPage() {
  const { workspace, can } = useCurrentWorkspace();
  const lookup = usePipelineLookup(workspace.id);
  const [creating, setCreating] = useState(false);
  const canManage = can('settings.manage');

  return (
    <>
      <PageHeader
        title="Pipelines"
        description="The stages a lead moves through, from first contact to won or lost."
        actions={
          canManage && (
            <Button
              leftSection={<IconPlus size={16} />}
              onClick={() => setCreating(true)}
              data-testid="pipeline-create"
            >
              New pipeline
            </Button>
          )
        }
      />
      {lookup.isPending && <TableSkeleton rows={5} />}
      {lookup.error ? <QueryError error={lookup.error} title="Couldn't load pipelines" /> : null}
      <Stack gap="lg">
        {lookup.pipelines.map((pipeline) => (
          <PipelineCard key={pipeline.id} pipeline={pipeline} canManage={canManage} />
        ))}
      </Stack>
      {creating && <CreatePipelineModal onClose={() => setCreating(false)} />}
    </>
  );
}

function PipelineCard({ pipeline, canManage }: { pipeline: Pipeline; canManage: boolean }) {
  const { workspace } = useCurrentWorkspace();
  const ws = workspace.id;
  const rename = usePipelineMutation(ws, (name: string) => pipelinesApi.update(ws, pipeline.id, { name }));
  const makeDefault = usePipelineMutation(ws, () => pipelinesApi.update(ws, pipeline.id, { isDefault: true }));
  const removePipeline = usePipelineMutation(ws, () => pipelinesApi.remove(ws, pipeline.id));
  const addStage = usePipelineMutation(ws, (input: StageInput) => pipelinesApi.addStage(ws, pipeline.id, input));
  const reorder = usePipelineMutation(ws, (ids: string[]) => pipelinesApi.reorderStages(ws, pipeline.id, ids));
  const [name, setName] = useState(pipeline.name);
  const [newStage, setNewStage] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [toDelete, setToDelete] = useState<Stage | null>(null);

  const move = (index: number, by: -1 | 1) => {
    const ids = pipeline.stages.map((s) => s.id);
    const [id] = ids.splice(index, 1);
    ids.splice(index + by, 0, id!);
    reorder.mutate(ids, { onError: notifyError('Stages not reordered') });
  };

  const saveName = () => {
    const next = name.trim();
    if (!next) return setName(pipeline.name);
    if (next !== pipeline.name) rename.mutate(next, { onError: notifyError('Pipeline not renamed') });
  };

  return (
    <Card withBorder radius="md" padding="lg" data-testid="pipeline-card" data-pipeline-id={pipeline.id}>
      <Group justify="space-between" mb="md" gap="sm">
        <Group gap="sm" style={{ flex: '1 1 260px' }}>
          {canManage ? (
            <TextInput
              aria-label="Pipeline name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              onBlur={saveName}
              onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
              variant="unstyled"
              fw={700}
              styles={{ input: { fontSize: 18, fontWeight: 700 } }}
              w={260}
              data-testid="pipeline-name"
            />
          ) : (
            <Title order={2} fz="lg">
              {pipeline.name}
            </Title>
          )}
          {pipeline.isDefault && (
            <Badge variant="light" color="indigo" leftSection={<IconStar size={11} />}>
              Default
            </Badge>
          )}
        </Group>
        {canManage && (
          <Menu position="bottom-end" shadow="md">
            <Menu.Target>
              <ActionIcon variant="subtle" color="gray" aria-label={`More actions for ${pipeline.name}`}>
                <IconDots size={18} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item
                leftSection={<IconStar size={14} />}
                disabled={pipeline.isDefault}
                onClick={() => makeDefault.mutate(undefined, { onError: notifyError('Default not changed') })}
              >
                Make default
              </Menu.Item>
              <Menu.Item
                color="red"
                leftSection={<IconTrash size={14} />}
                disabled={pipeline.isDefault}
                onClick={() => setConfirmDelete(true)}
              >
                Delete pipeline
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        )}
      </Group>

      <Stack gap={6}>
        {pipeline.stages.map((stage, index) => (
          <StageRow
            key={stage.id}
            stage={stage}
            canManage={canManage}
            first={index === 0}
            last={index === pipeline.stages.length - 1}
            onUp={() => move(index, -1)}
            onDown={() => move(index, 1)}
            onDelete={() => setToDelete(stage)}
            reordering={reorder.isPending}
          />
        ))}
      </Stack>

      {canManage && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (!newStage.trim()) return;
            addStage.mutate(
              { name: newStage.trim(), kind: 'open' },
              { onSuccess: () => setNewStage(''), onError: notifyError('Stage not added') },
            );
          }}
        >
          <Group gap="xs" mt="md">
            <TextInput
              placeholder="New stage name"
              aria-label="New stage name"
              value={newStage}
              onChange={(e) => setNewStage(e.currentTarget.value)}
              style={{ flex: '1 1 200px' }}
              maxLength={60}
              data-testid="stage-name-new"
            />
            <Button
              type="submit"
              variant="light"
              leftSection={<IconPlus size={14} />}
              loading={addStage.isPending}
              disabled={!newStage.trim()}
              data-testid="stage-add"
            >
              Add stage
            </Button>
          </Group>
        </form>
      )}

      <ConfirmModal
        opened={confirmDelete}
        title="Delete pipeline"
        message={`Delete “${pipeline.name}” and its stages? A pipeline that still has leads cannot be deleted.`}
        confirmLabel="Delete pipeline"
        loading={removePipeline.isPending}
        error={removePipeline.error}
        onClose={() => {
          setConfirmDelete(false);
          removePipeline.reset();
        }}
        onConfirm={() => removePipeline.mutate(undefined, { onSuccess: () => setConfirmDelete(false) })}
      />
      {toDelete && <DeleteStageModal stage={toDelete} pipeline={pipeline} onClose={() => setToDelete(null)} />}
    </Card>
  );
}

function StageRow({
  stage,
  canManage,
  first,
  last,
  onUp,
  onDown,
  onDelete,
  reordering,
}: {
  stage: Stage;
  canManage: boolean;
  first: boolean;
  last: boolean;
  onUp: () => void;
  onDown: () => void;
  onDelete: () => void;
  reordering: boolean;
}) {
  const { workspace } = useCurrentWorkspace();
  const ws = workspace.id;
  const update = usePipelineMutation(ws, (patch: Partial<StageInput>) => pipelinesApi.updateStage(ws, stage.id, patch));
  const [name, setName] = useState(stage.name);
  const save = (patch: Partial<StageInput>) => update.mutate(patch, { onError: notifyError('Stage not saved') });

  return (
    <Group
      gap="xs"
      wrap="nowrap"
      p={6}
      style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 'var(--mantine-radius-md)' }}
      data-testid="stage-row"
      data-stage-id={stage.id}
    >
      <Popover position="bottom-start" shadow="md" disabled={!canManage}>
        <Popover.Target>
          <UnstyledButton aria-label={`Colour of ${stage.name}`} p={6} data-testid="stage-color">
            <ColorSwatch color={stageColor(stage)} size={16} />
          </UnstyledButton>
        </Popover.Target>
        <Popover.Dropdown>
          <SimpleGrid cols={6} spacing={6}>
            {SWATCHES.map((color) => (
              <UnstyledButton key={color} aria-label={color} onClick={() => save({ color })}>
                <ColorSwatch color={color} size={22}>
                  {stage.color === color && (
                    <Text c="white" size="xs">
                      ✓
                    </Text>
                  )}
                </ColorSwatch>
              </UnstyledButton>
            ))}
          </SimpleGrid>
        </Popover.Dropdown>
      </Popover>
      {canManage ? (
        <TextInput
          aria-label="Stage name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          onBlur={() => {
            const next = name.trim();
            if (!next) setName(stage.name);
            else if (next !== stage.name) save({ name: next });
          }}
          onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
          size="sm"
          style={{ flex: 1, minWidth: 0 }}
          maxLength={60}
          data-testid="stage-name"
        />
      ) : (
        <Text size="sm" fw={500} style={{ flex: 1 }}>
          {stage.name}
        </Text>
      )}
      <Select
        aria-label={`Kind of ${stage.name}`}
        data={KIND_OPTIONS}
        value={stage.kind}
        onChange={(kind) => kind && kind !== stage.kind && save({ kind: kind as StageKind })}
        allowDeselect={false}
        disabled={!canManage}
        size="sm"
        w={100}
        data-testid="stage-kind"
      />
      {canManage && (
        <Group gap={2} wrap="nowrap">
          <Tooltip label="Move up">
            <ActionIcon
              variant="subtle"
              color="gray"
              disabled={first || reordering}
              onClick={onUp}
              aria-label={`Move ${stage.name} up`}
              data-testid="stage-up"
            >
              <IconArrowUp size={16} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Move down">
            <ActionIcon
              variant="subtle"
              color="gray"
              disabled={last || reordering}
              onClick={onDown}
              aria-label={`Move ${stage.name} down`}
              data-testid="stage-down"
            >
              <IconArrowDown size={16} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Delete stage">
            <ActionIcon
              variant="subtle"
              color="red"
              onClick={onDelete}
              aria-label={`Delete ${stage.name}`}
              data-testid="stage-delete"
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      )}
    </Group>
  );
}

function DeleteStageModal({ stage, pipeline, onClose }: { stage: Stage; pipeline: Pipeline; onClose: () => void }) {
  const { workspace } = useCurrentWorkspace();
  const ws = workspace.id;
  const others = pipeline.stages.filter((s) => s.id !== stage.id);
  const [moveTo, setMoveTo] = useState<string | null>(others[0]?.id ?? null);
  const remove = usePipelineMutation(ws, () => pipelinesApi.removeStage(ws, stage.id, moveTo ?? undefined));

  return (
    <Modal opened onClose={onClose} title="Delete stage" centered>
      <Stack gap="md">
        <Text size="sm">
          Delete <b>{stage.name}</b>? Its leads move to the stage you choose.
        </Text>
        <Select
          label="Move its leads to"
          data={others.map((s) => ({ value: s.id, label: s.name }))}
          value={moveTo}
          onChange={setMoveTo}
          allowDeselect={false}
          data-testid="stage-move-to"
        />
        {remove.error && <ErrorAlert error={remove.error} title="Stage not deleted" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            disabled={others.length === 0}
            onClick={() =>
              remove.mutate(undefined, {
                onSuccess: () => {
                  notifications.show({ color: 'teal', message: `“${stage.name}” deleted.` });
                  onClose();
                },
              })
            }
            data-testid="confirm-button"
          >
            Delete stage
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function CreatePipelineModal({ onClose }: { onClose: () => void }) {
  const { workspace } = useCurrentWorkspace();
  const ws = workspace.id;
  const [name, setName] = useState('');
  const create = usePipelineMutation(ws, (input: { name: string; stages: StageInput[] }) =>
    pipelinesApi.create(ws, input),
  );
  return (
    <Modal opened onClose={onClose} title="New pipeline" centered>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!name.trim()) return;
          create.mutate(
            {
              name: name.trim(),
              stages: [
                { name: 'New', kind: 'open' },
                { name: 'In progress', kind: 'open' },
                { name: 'Won', kind: 'won' },
                { name: 'Lost', kind: 'lost' },
              ],
            },
            {
              onSuccess: () => {
                notifications.show({ color: 'teal', message: `Pipeline “${name.trim()}” created.` });
                onClose();
              },
            },
          );
        }}
      >
        <Stack gap="md">
          {create.error && <ErrorAlert error={create.error} title="Pipeline not created" />}
          <TextInput
            label="Name"
            placeholder="Renewals"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            data-autofocus
            maxLength={60}
            data-testid="pipeline-create-name"
          />
          <Text size="xs" c="dimmed">
            It starts with the stages New, In progress, Won and Lost — rename or add stages afterwards.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              loading={create.isPending}
              disabled={!name.trim()}
              data-testid="pipeline-create-submit"
            >
              Create pipeline
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
