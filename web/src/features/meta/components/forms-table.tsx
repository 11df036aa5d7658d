import { Badge, Button, Table, Text, Tooltip } from '@mantine/core';
import { IconArrowsExchange } from '@tabler/icons-react';
import { formatDateTime, formatRelative } from '../../../lib/format';
import type { MetaFormHealth } from '../api/meta-api';

const STATUS_COLORS: Record<string, string> = { ACTIVE: 'teal', ARCHIVED: 'gray', DELETED: 'red', DRAFT: 'yellow' };

function formStatus(status: string) {
  const label = status ? status.charAt(0) + status.slice(1).toLowerCase() : 'Unknown';
  return (
    <Badge variant="light" color={STATUS_COLORS[status] ?? 'gray'} tt="none">
      {label}
    </Badge>
  );
}

/** One row per Lead Ads form of a Page, with the button that opens its answer mapping. */
export function FormsTable({
  forms,
  canManage,
  onEditMapping,
}: {
  forms: MetaFormHealth[];
  canManage: boolean;
  onEditMapping: (form: MetaFormHealth) => void;
}) {
  if (forms.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="meta-no-forms">
        This Page has no Lead Ads forms yet. Forms you create in Meta’s Ads Manager appear here at the next sync.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="xs" horizontalSpacing="md" data-testid="meta-forms-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Form</Table.Th>
            <Table.Th w={130}>Status</Table.Th>
            <Table.Th w={140}>Last lead</Table.Th>
            <Table.Th w={70} ta="right">
              Today
            </Table.Th>
            <Table.Th w={140}>Last sync</Table.Th>
            {canManage && <Table.Th w={150} aria-label="Actions" />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {forms.map((form) => (
            <Table.Tr key={form.id} data-testid="meta-form-row" data-form-id={form.formId}>
              <Table.Td maw={260}>
                <Text size="sm" fw={600} style={{ wordBreak: 'break-word' }}>
                  {form.name || 'Untitled form'}
                </Text>
                <Text size="xs" c="dimmed">
                  {form.formId}
                </Text>
              </Table.Td>
              <Table.Td>{formStatus(form.status)}</Table.Td>
              <Table.Td>
                <Tooltip label={formatDateTime(form.lastLeadAt)} disabled={!form.lastLeadAt}>
                  <Text size="sm">{formatRelative(form.lastLeadAt)}</Text>
                </Tooltip>
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm" fw={form.leadsToday > 0 ? 600 : undefined}>
                  {form.leadsToday}
                </Text>
              </Table.Td>
              <Table.Td>
                <Tooltip label={formatDateTime(form.lastSyncedAt)} disabled={!form.lastSyncedAt}>
                  <Text size="sm" c="dimmed">
                    {formatRelative(form.lastSyncedAt)}
                  </Text>
                </Tooltip>
              </Table.Td>
              {canManage && (
                <Table.Td ta="right">
                  <Button
                    size="xs"
                    variant="light"
                    leftSection={<IconArrowsExchange size={14} />}
                    onClick={() => onEditMapping(form)}
                    data-testid="meta-edit-mapping"
                  >
                    Edit mapping
                  </Button>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
