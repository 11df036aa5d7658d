import {
  Button,
  CloseButton,
  ColorSwatch,
  Group,
  Menu,
  Modal,
  Paper,
  ScrollArea,
  Stack,
  TagsInput,
  Text,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowsExchange, IconDownload, IconTag, IconTrash, IconUserCheck, IconUserOff } from '@tabler/icons-react';
import { useState } from 'react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { errorMessage } from '../../../components/error-alert';
import { formatNumber } from '../../../lib/format-money';
import type { Member } from '../../members/api/members-api';
import { stageColor } from '../../pipelines/api/pipelines-api';
import type { PipelineLookup } from '../../pipelines/hooks/use-pipelines';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import { type BulkAction, type BulkSelection, type LeadQuery, leadsApi } from '../api/leads-api';
import { useBulkAction, useTags } from '../hooks/use-leads';

interface BulkBarProps {
  selection: BulkSelection;
  /** How many leads the selection covers (a lower bound when the count is not exact). */
  count: number;
  countLabel: string;
  query: LeadQuery;
  columns: string[];
  members: Member[];
  lookup: PipelineLookup;
  onClear: () => void;
  /** Small selections finish at once; large ones come back as a job to follow. */
  onFinished: (updated: number, verb: string) => void;
  onOperation: (operationId: string, title: string) => void;
}

export function BulkBar(props: BulkBarProps) {
  const { workspace, can } = useCurrentWorkspace();
  const bulk = useBulkAction(workspace.id);
  const tags = useTags(workspace.id);
  const [tagOpened, setTagOpened] = useState(false);
  const [addTags, setAddTags] = useState<string[]>([]);
  const [removeTags, setRemoveTags] = useState<string[]>([]);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const canWrite = can('leads.write');

  const run = (action: BulkAction, verb: string, title: string, after?: () => void) =>
    bulk.mutate(
      { selection: props.selection, action },
      {
        onSuccess: (result) => {
          after?.();
          if (result.operationId) props.onOperation(result.operationId, title);
          else props.onFinished(result.updated ?? 0, verb);
        },
        onError: (error) =>
          notifications.show({ color: 'red', title: `${title} failed`, message: errorMessage(error) }),
      },
    );

  const busy = (type: BulkAction['type']) => bulk.isPending && bulk.variables?.action.type === type;
  const exportUrl = leadsApi.exportUrl(workspace.id, props.query, 'csv', props.columns);
  const exportsQuery = 'ids' in props.selection;

  return (
    <Paper
      withBorder
      radius="md"
      px="md"
      py="xs"
      bg="var(--mantine-color-indigo-0)"
      style={{ borderColor: 'var(--mantine-color-indigo-2)' }}
      data-testid="bulk-bar"
    >
      <Group justify="space-between" gap="sm">
        <Group gap="xs">
          <CloseButton size="sm" aria-label="Clear selection" onClick={props.onClear} data-testid="bulk-clear" />
          <Text size="sm" fw={600} data-testid="bulk-count">
            {props.countLabel} selected
          </Text>
        </Group>
        <Group gap={6}>
          {canWrite && (
            <Menu position="bottom-end" width={240} shadow="md">
              <Menu.Target>
                <Button
                  size="xs"
                  variant="white"
                  leftSection={<IconUserCheck size={14} />}
                  loading={busy('assign')}
                  data-testid="bulk-assign"
                >
                  Assign
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <ScrollArea.Autosize mah={280} type="auto">
                  {props.members.map((member) => (
                    <Menu.Item
                      key={member.userId}
                      onClick={() =>
                        run({ type: 'assign', ownerId: member.userId }, `assigned to ${member.name}`, 'Assign')
                      }
                      data-testid="bulk-assign-option"
                    >
                      {member.name}
                    </Menu.Item>
                  ))}
                </ScrollArea.Autosize>
                <Menu.Divider />
                <Menu.Item
                  leftSection={<IconUserOff size={14} />}
                  onClick={() => run({ type: 'assign', ownerId: null }, 'unassigned', 'Unassign')}
                >
                  Unassign
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          )}
          {canWrite && (
            <Button
              size="xs"
              variant="white"
              leftSection={<IconTag size={14} />}
              loading={busy('tag')}
              onClick={() => setTagOpened(true)}
              data-testid="bulk-tag"
            >
              Tag
            </Button>
          )}
          {canWrite && (
            <Menu position="bottom-end" width={240} shadow="md">
              <Menu.Target>
                <Button
                  size="xs"
                  variant="white"
                  leftSection={<IconArrowsExchange size={14} />}
                  loading={busy('move_stage')}
                  data-testid="bulk-move"
                >
                  Move stage
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <ScrollArea.Autosize mah={320} type="auto">
                  {props.lookup.pipelines.map((pipeline) => (
                    <div key={pipeline.id}>
                      <Menu.Label>{pipeline.name}</Menu.Label>
                      {pipeline.stages.map((stage) => (
                        <Menu.Item
                          key={stage.id}
                          leftSection={<ColorSwatch color={stageColor(stage)} size={10} withShadow={false} />}
                          onClick={() =>
                            run({ type: 'move_stage', stageId: stage.id }, `moved to ${stage.name}`, 'Moving leads')
                          }
                          data-testid="bulk-move-option"
                        >
                          {stage.name}
                        </Menu.Item>
                      ))}
                    </div>
                  ))}
                </ScrollArea.Autosize>
              </Menu.Dropdown>
            </Menu>
          )}
          {can('leads.export') && (
            <Tooltip
              label={
                exportsQuery
                  ? 'Exports every lead matching the current search and filters'
                  : 'Exports the selected leads as CSV'
              }
            >
              <Button
                size="xs"
                variant="white"
                component="a"
                href={exportUrl}
                download
                leftSection={<IconDownload size={14} />}
                data-testid="bulk-export"
              >
                Export
              </Button>
            </Tooltip>
          )}
          {can('leads.delete') && (
            <Button
              size="xs"
              variant="white"
              color="red"
              leftSection={<IconTrash size={14} />}
              loading={busy('delete')}
              onClick={() => setConfirmDelete(true)}
              data-testid="bulk-delete"
            >
              Delete
            </Button>
          )}
        </Group>
      </Group>
      <Modal opened={tagOpened} onClose={() => setTagOpened(false)} title={`Tag ${props.countLabel}`} centered>
        <Stack gap="md">
          <TagsInput
            label="Add tags"
            placeholder="Type and press Enter"
            data={tags.data ?? []}
            value={addTags}
            onChange={setAddTags}
            comboboxProps={{ position: 'top' }}
            data-autofocus
            data-testid="bulk-tag-add"
          />
          <TagsInput
            label="Remove tags"
            placeholder="Tags to take off"
            data={tags.data ?? []}
            value={removeTags}
            onChange={setRemoveTags}
            comboboxProps={{ position: 'top' }}
            data-testid="bulk-tag-remove"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setTagOpened(false)}>
              Cancel
            </Button>
            <Button
              disabled={addTags.length === 0 && removeTags.length === 0}
              loading={busy('tag')}
              onClick={() =>
                run({ type: 'tag', add: addTags, remove: removeTags }, 'tagged', 'Tagging', () => {
                  setTagOpened(false);
                  setAddTags([]);
                  setRemoveTags([]);
                })
              }
              data-testid="bulk-tag-apply"
            >
              Apply tags
            </Button>
          </Group>
        </Stack>
      </Modal>
      <ConfirmModal
        opened={confirmDelete}
        title="Delete leads"
        message={
          <Text size="sm">
            Delete <b>{props.countLabel}</b>? {props.count === 1 ? 'It' : 'They'} will be removed with{' '}
            {props.count === 1 ? 'its' : 'their'} tasks. This cannot be undone.
          </Text>
        }
        confirmLabel={`Delete ${props.count === 1 ? 'lead' : `${formatNumber(props.count)} leads`}`}
        loading={busy('delete')}
        onClose={() => setConfirmDelete(false)}
        onConfirm={() => run({ type: 'delete' }, 'deleted', 'Delete', () => setConfirmDelete(false))}
      />
    </Paper>
  );
}
