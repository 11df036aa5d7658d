import { Group, Select, type SelectProps, Stack, Text } from '@mantine/core';
import { ROLES, type Role } from '../../../lib/reference-data';

interface RoleSelectProps extends Omit<SelectProps, 'data' | 'value' | 'onChange'> {
  value: Role;
  onChange: (role: Role) => void;
  /** Only an owner may grant the owner role. */
  canGrantOwner: boolean;
}

/** Role picker that shows each role's one-line description. */
export function RoleSelect({ value, onChange, canGrantOwner, ...props }: RoleSelectProps) {
  const data = ROLES.map((role) => ({
    value: role.value,
    label: role.label,
    disabled: role.value === 'owner' && !canGrantOwner,
  }));
  return (
    <Select
      data={data}
      value={value}
      allowDeselect={false}
      comboboxProps={{ width: 320, position: 'bottom-start' }}
      renderOption={({ option }) => {
        const role = ROLES.find((r) => r.value === option.value);
        return (
          <Stack gap={0}>
            <Group gap={6}>
              <Text size="sm" fw={600}>
                {option.label}
              </Text>
            </Group>
            <Text size="xs" c="dimmed">
              {role?.description}
            </Text>
          </Stack>
        );
      }}
      onChange={(next) => {
        if (next) onChange(next as Role);
      }}
      {...props}
    />
  );
}
