import { Button, Checkbox, Divider, Group, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { IconColumns3 } from '@tabler/icons-react';
import { DEFAULT_COLUMNS, type LeadFieldMeta } from './lead-fields';

/** Shows or hides table columns; the name column always stays. */
export function ColumnChooser({
  fields,
  columns,
  onChange,
}: {
  fields: LeadFieldMeta[];
  columns: string[];
  onChange: (columns: string[]) => void;
}) {
  const toggle = (key: string, on: boolean) => {
    // Keep the table's field order, whatever order the boxes were ticked in.
    const next = new Set(columns);
    if (on) next.add(key);
    else next.delete(key);
    onChange(fields.map((f) => f.key).filter((k) => next.has(k)));
  };
  const builtIn = fields.filter((f) => !f.custom);
  const custom = fields.filter((f) => f.custom);

  const box = (field: LeadFieldMeta) => (
    <Checkbox
      key={field.key}
      size="sm"
      label={field.label}
      checked={field.key === 'name' || columns.includes(field.key)}
      disabled={field.key === 'name'}
      onChange={(event) => toggle(field.key, event.currentTarget.checked)}
      data-testid={`column-${field.key}`}
    />
  );

  return (
    <Popover width={260} position="bottom-end" shadow="md">
      <Popover.Target>
        <Button variant="default" leftSection={<IconColumns3 size={16} />} data-testid="column-chooser">
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown p={0}>
        <Group justify="space-between" px="sm" py="xs">
          <Text size="sm" fw={600}>
            Columns
          </Text>
          <Button size="compact-xs" variant="subtle" onClick={() => onChange(DEFAULT_COLUMNS)}>
            Reset
          </Button>
        </Group>
        <Divider />
        <ScrollArea.Autosize mah={360} type="auto">
          <Stack gap={8} p="sm">
            {builtIn.map(box)}
            {custom.length > 0 && (
              <>
                <Text size="xs" fw={700} c="dimmed" tt="uppercase" mt={4}>
                  Custom fields
                </Text>
                {custom.map(box)}
              </>
            )}
          </Stack>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  );
}
