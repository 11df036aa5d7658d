import { Group, Text, ThemeIcon } from '@mantine/core';
import { IconBolt } from '@tabler/icons-react';

export function Brand({ size = 'md', hideTextOnPhone = false }: { size?: 'md' | 'lg'; hideTextOnPhone?: boolean }) {
  const large = size === 'lg';
  return (
    <Group gap={8} wrap="nowrap">
      <ThemeIcon
        size={large ? 36 : 30}
        radius="md"
        variant="gradient"
        gradient={{ from: 'indigo.6', to: 'violet.5', deg: 135 }}
      >
        <IconBolt size={large ? 22 : 18} />
      </ThemeIcon>
      <Text
        fw={800}
        fz={large ? 22 : 18}
        style={{ letterSpacing: '-0.02em' }}
        visibleFrom={hideTextOnPhone ? 'xs' : undefined}
      >
        LeadsBoost
      </Text>
    </Group>
  );
}
