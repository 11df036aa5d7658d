import {
  ActionIcon,
  Badge,
  Button,
  Card,
  EmptyState,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowDown, IconArrowUp, IconPencil, IconPlus, IconRoute, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { ErrorAlert, errorMessage } from '../../../components/error-alert';
import { PageHeader } from '../../../components/page-header';
import { QueryError, TableSkeleton } from '../../../components/query-state';
import { roleLabel } from '../../../lib/reference-data';
import { useSession } from '../../auth/hooks/use-session';
import { useFields } from '../../fields/hooks/use-fields';
import { useMembers } from '../../members/hooks/use-members';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import {
  ROUTING_FIELDS,
  type RoutingRule,
  RULE_OPS,
  type RuleAssign,
  type RuleCondition,
  type RuleOp,
} from '../api/routing-api';
import {
  useDeleteRule,
  useReorderRules,
  useRoutingMembers,
  useRoutingRules,
  useSaveRule,
  useToggleRule,
  useUpdateRoutingMember,
} from '../hooks/use-routing';

const notifyError = (title: string) => (error: unknown) =>
  notifications.show({ color: 'red', title, message: errorMessage(error) });

export function RoutingPage() {
  const { can } = useCurrentWorkspace();
  const [editing, setEditing] = useState<RoutingRule | 'new' | null>(null);
  return (
    <>
      <PageHeader
        title="Routing"
        description="Who gets each new lead. Rules run top to bottom; the first that matches assigns the lead."
        actions={
          can('settings.manage') && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="rule-create">
              New rule
            </Button>
          )
        }
      />
      <Stack gap="lg">
        <RulesCard onEdit={setEditing} />
        <MembersCard />
      </Stack>
      {editing && <RuleModal rule={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </>
  );
}

function useFieldLabels() {
  const { workspace } = useCurrentWorkspace();
  const custom = useFields(workspace.id, 'lead');
  const options = [
    ...ROUTING_FIELDS,
    ...(custom.data ?? []).map((f) => ({ value: `custom.${f.key}`, label: f.label })),
  ];
  return { options, label: (field: string) => options.find((o) => o.value === field)?.label ?? field };
}

function valueText(value: unknown) {
  return Array.isArray(value) ? value.join(', ') : String(value ?? '');
}

function RulesCard({ onEdit }: { onEdit: (rule: RoutingRule) => void }) {
  const { workspace, can } = useCurrentWorkspace();
  const rules = useRoutingRules(workspace.id);
  const members = useMembers(workspace.id);
  const toggle = useToggleRule(workspace.id);
  const reorder = useReorderRules(workspace.id);
  const remove = useDeleteRule(workspace.id);
  const [toDelete, setToDelete] = useState<RoutingRule | null>(null);
  const fields = useFieldLabels();
  const canManage = can('settings.manage');
  const items = rules.data ?? [];
  const memberName = (id: string) => members.data?.items.find((m) => m.userId === id)?.name ?? 'Former member';

  const move = (index: number, by: -1 | 1) => {
    const ids = items.map((r) => r.id);
    const [id] = ids.splice(index, 1);
    ids.splice(index + by, 0, id!);
    reorder.mutate(ids, { onError: notifyError('Rules not reordered') });
  };

  const assignText = (assign: RuleAssign) =>
    assign.type === 'user'
      ? `Assign to ${memberName(assign.userId)}`
      : `Round robin among ${assign.userIds.map(memberName).join(', ') || 'nobody'}`;

  return (
    <Card withBorder radius="md" padding={0}>
      <Group px="lg" py="md" gap="xs">
        <IconRoute size={18} color="var(--mantine-color-indigo-6)" />
        <Title order={2} fz="lg">
          Rules
        </Title>
      </Group>
      {rules.isPending && (
        <Stack p="lg" pt={0}>
          <TableSkeleton rows={3} />
        </Stack>
      )}
      {rules.isError && (
        <Stack p="lg" pt={0}>
          <QueryError error={rules.error} title="Couldn't load routing rules" />
        </Stack>
      )}
      {rules.isSuccess && items.length === 0 && (
        <EmptyState
          py={40}
          icon={<IconRoute size={26} />}
          variant="light"
          title="No routing rules"
          description="Without rules, new leads without an owner stay unassigned. Add a rule to share them out automatically."
        />
      )}
      <Stack gap={0}>
        {items.map((rule, index) => (
          <Group
            key={rule.id}
            px="lg"
            py="sm"
            gap="md"
            wrap="nowrap"
            align="flex-start"
            style={{ borderTop: '1px solid var(--mantine-color-gray-2)', opacity: rule.enabled ? 1 : 0.6 }}
            data-testid="routing-rule"
            data-rule-id={rule.id}
          >
            <Badge variant="light" color="gray" circle mt={2}>
              {index + 1}
            </Badge>
            <Stack gap={4} style={{ flex: 1, minWidth: 0 }}>
              <Text size="sm" fw={600}>
                {rule.name}
              </Text>
              <Text size="xs" c="dimmed" style={{ wordBreak: 'break-word' }}>
                {rule.conditions.length === 0
                  ? 'Every lead'
                  : `When ${rule.conditions
                      .map(
                        (c) =>
                          `${fields.label(c.field)} ${RULE_OPS.find((o) => o.value === c.op)?.label ?? c.op} “${valueText(c.value)}”`,
                      )
                      .join(' and ')}`}
              </Text>
              <Text size="xs" c="indigo.7" fw={500}>
                {assignText(rule.assign)}
              </Text>
            </Stack>
            <Group gap={4} wrap="nowrap">
              <Switch
                checked={rule.enabled}
                disabled={!canManage}
                onChange={(e) =>
                  toggle.mutate(
                    { ruleId: rule.id, enabled: e.currentTarget.checked },
                    { onError: notifyError('Rule not changed') },
                  )
                }
                aria-label={`Enable ${rule.name}`}
                data-testid="rule-enabled"
              />
              {canManage && (
                <>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    disabled={index === 0 || reorder.isPending}
                    onClick={() => move(index, -1)}
                    aria-label={`Move ${rule.name} up`}
                    data-testid="rule-up"
                  >
                    <IconArrowUp size={16} />
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    disabled={index === items.length - 1 || reorder.isPending}
                    onClick={() => move(index, 1)}
                    aria-label={`Move ${rule.name} down`}
                    data-testid="rule-down"
                  >
                    <IconArrowDown size={16} />
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    onClick={() => onEdit(rule)}
                    aria-label={`Edit ${rule.name}`}
                    data-testid="rule-edit"
                  >
                    <IconPencil size={16} />
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    onClick={() => setToDelete(rule)}
                    aria-label={`Delete ${rule.name}`}
                    data-testid="rule-delete"
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </>
              )}
            </Group>
          </Group>
        ))}
      </Stack>
      <ConfirmModal
        opened={toDelete !== null}
        title="Delete rule"
        message={toDelete ? `Delete the rule “${toDelete.name}”? Leads already assigned keep their owner.` : ''}
        confirmLabel="Delete rule"
        loading={remove.isPending}
        error={remove.error}
        onClose={() => {
          setToDelete(null);
          remove.reset();
        }}
        onConfirm={() => toDelete && remove.mutate(toDelete.id, { onSuccess: () => setToDelete(null) })}
      />
    </Card>
  );
}

function RuleModal({ rule, onClose }: { rule: RoutingRule | null; onClose: () => void }) {
  const { workspace } = useCurrentWorkspace();
  const members = useMembers(workspace.id);
  const save = useSaveRule(workspace.id);
  const fields = useFieldLabels();
  const [name, setName] = useState(rule?.name ?? '');
  const [conditions, setConditions] = useState<RuleCondition[]>(
    rule?.conditions ?? [{ field: 'source', op: 'eq', value: '' }],
  );
  const [assignType, setAssignType] = useState<RuleAssign['type']>(rule?.assign.type ?? 'round_robin');
  const [userId, setUserId] = useState<string | null>(rule?.assign.type === 'user' ? rule.assign.userId : null);
  const [userIds, setUserIds] = useState<string[]>(rule?.assign.type === 'round_robin' ? rule.assign.userIds : []);
  const [submitted, setSubmitted] = useState(false);
  const memberOptions = (members.data?.items ?? []).map((m) => ({ value: m.userId, label: m.name }));

  const assignError =
    submitted && (assignType === 'user' ? !userId : userIds.length === 0) ? 'Choose who gets the leads' : undefined;

  const setCondition = (index: number, change: Partial<RuleCondition>) =>
    setConditions(conditions.map((c, i) => (i === index ? { ...c, ...change } : c)));

  const submit = () => {
    setSubmitted(true);
    if (!name.trim() || (assignType === 'user' ? !userId : userIds.length === 0)) return;
    const clean = conditions
      .filter((c) => valueText(c.value).trim())
      .map((c) => ({
        ...c,
        value:
          c.op === 'in'
            ? valueText(c.value)
                .split(',')
                .map((v) => v.trim())
                .filter(Boolean)
            : valueText(c.value).trim(),
      }));
    save.mutate(
      {
        ruleId: rule?.id,
        input: {
          name: name.trim(),
          conditions: clean,
          assign: assignType === 'user' ? { type: 'user', userId: userId! } : { type: 'round_robin', userIds },
          ...(rule ? {} : { enabled: true }),
        },
      },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: `Rule “${name.trim()}” saved.` });
          onClose();
        },
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={rule ? 'Edit rule' : 'New routing rule'} centered size="xl">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Stack gap="md">
          {save.error && <ErrorAlert error={save.error} title="Rule not saved" />}
          <TextInput
            label="Name"
            placeholder="Facebook leads from Johor"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={submitted && !name.trim() ? 'Name the rule' : undefined}
            data-autofocus
            maxLength={100}
            data-testid="rule-name"
          />
          <Stack gap={6}>
            <Text size="sm" fw={500}>
              When a new lead matches all of these
            </Text>
            {conditions.length === 0 && (
              <Text size="xs" c="dimmed">
                No conditions: the rule matches every lead.
              </Text>
            )}
            {conditions.map((condition, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: condition rows are edited in place.
              <Group key={index} gap="xs" wrap="wrap" data-testid="rule-condition">
                <Select
                  aria-label="Field"
                  data={fields.options}
                  value={condition.field}
                  onChange={(v) => v && setCondition(index, { field: v })}
                  allowDeselect={false}
                  searchable
                  w={{ base: '100%', sm: 190 }}
                  data-testid="rule-condition-field"
                />
                <Select
                  aria-label="Condition"
                  data={RULE_OPS}
                  value={condition.op}
                  onChange={(v) => v && setCondition(index, { op: v as RuleOp })}
                  allowDeselect={false}
                  w={{ base: '100%', sm: 130 }}
                  data-testid="rule-condition-op"
                />
                <TextInput
                  aria-label="Value"
                  placeholder={condition.op === 'in' ? 'facebook, instagram' : 'facebook'}
                  value={valueText(condition.value)}
                  onChange={(e) => setCondition(index, { value: e.currentTarget.value })}
                  style={{ flex: '1 1 160px' }}
                  data-testid="rule-condition-value"
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label="Remove condition"
                  onClick={() => setConditions(conditions.filter((_, i) => i !== index))}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            ))}
            <div>
              <Button
                size="xs"
                variant="light"
                leftSection={<IconPlus size={14} />}
                onClick={() => setConditions([...conditions, { field: 'source', op: 'eq', value: '' }])}
                data-testid="rule-condition-add"
              >
                Add condition
              </Button>
            </div>
          </Stack>
          <Stack gap={6}>
            <Text size="sm" fw={500}>
              Assign the lead
            </Text>
            <SegmentedControl
              value={assignType}
              onChange={(v) => setAssignType(v as RuleAssign['type'])}
              data={[
                { value: 'round_robin', label: 'Round robin' },
                { value: 'user', label: 'One person' },
              ]}
              data-testid="rule-assign-type"
            />
            {assignType === 'user' ? (
              <Select
                aria-label="Member"
                placeholder="Choose a member"
                data={memberOptions}
                value={userId}
                onChange={setUserId}
                searchable
                error={assignError}
                data-testid="rule-assign-user"
              />
            ) : (
              <MultiSelect
                aria-label="Members"
                placeholder="Choose members"
                description="Leads go to each in turn, skipping anyone unavailable or at capacity."
                data={memberOptions}
                value={userIds}
                onChange={setUserIds}
                searchable
                error={assignError}
                data-testid="rule-assign-users"
              />
            )}
          </Stack>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="rule-submit">
              {rule ? 'Save rule' : 'Create rule'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function MembersCard() {
  const { workspace, can } = useCurrentWorkspace();
  const session = useSession();
  const members = useRoutingMembers(workspace.id);
  const update = useUpdateRoutingMember(workspace.id);
  const canManage = can('settings.manage');
  const myId = session.data?.user.id;

  return (
    <Card withBorder radius="md" padding={0}>
      <Group px="lg" py="md" justify="space-between">
        <Title order={2} fz="lg">
          Availability and capacity
        </Title>
        <Text size="xs" c="dimmed">
          Capacity = most open leads at once; empty for no limit.
        </Text>
      </Group>
      {members.isPending && (
        <Stack p="lg" pt={0}>
          <TableSkeleton rows={3} />
        </Stack>
      )}
      {members.isError && (
        <Stack p="lg" pt={0}>
          <QueryError error={members.error} title="Couldn't load members" />
        </Stack>
      )}
      {members.data && (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="sm" horizontalSpacing="lg" data-testid="routing-members">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Member</Table.Th>
                <Table.Th>Open leads</Table.Th>
                <Table.Th>Available</Table.Th>
                <Table.Th w={150}>Capacity</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {members.data.items.map((member) => {
                const atCapacity = member.capacity !== null && member.openLeads >= member.capacity;
                return (
                  <Table.Tr key={member.userId} data-testid="routing-member" data-user-id={member.userId}>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {member.name}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {roleLabel(member.role)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={6}>
                        <Text size="sm">{member.openLeads}</Text>
                        {atCapacity && (
                          <Badge size="xs" color="orange" variant="light">
                            At capacity
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Switch
                        checked={member.available}
                        disabled={!canManage && member.userId !== myId}
                        onChange={(e) =>
                          update.mutate(
                            { userId: member.userId, patch: { available: e.currentTarget.checked } },
                            { onError: notifyError('Availability not changed') },
                          )
                        }
                        aria-label={`${member.name} is available`}
                        data-testid="member-availability"
                      />
                    </Table.Td>
                    <Table.Td>
                      <CapacityInput
                        value={member.capacity}
                        disabled={!canManage}
                        label={`Capacity of ${member.name}`}
                        onSave={(capacity) =>
                          update.mutate(
                            { userId: member.userId, patch: { capacity } },
                            { onError: notifyError('Capacity not changed') },
                          )
                        }
                      />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}

function CapacityInput({
  value,
  disabled,
  label,
  onSave,
}: {
  value: number | null;
  disabled: boolean;
  label: string;
  onSave: (capacity: number | null) => void;
}) {
  const [draft, setDraft] = useState<number | string>(value ?? '');
  const commit = () => {
    const next = typeof draft === 'number' ? draft : null;
    if (next !== value) onSave(next);
  };
  return (
    <Tooltip label="Press Enter or leave the field to save" openDelay={600} disabled={disabled}>
      <NumberInput
        size="xs"
        aria-label={label}
        placeholder="No limit"
        min={0}
        max={100000}
        allowDecimal={false}
        value={draft}
        onChange={setDraft}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
        disabled={disabled}
        data-testid="member-capacity"
      />
    </Tooltip>
  );
}
