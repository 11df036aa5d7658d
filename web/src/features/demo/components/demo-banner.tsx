import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconFlask, IconTrash } from '@tabler/icons-react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { formatNumber } from '../../../lib/format-money';
import { useRemoveDemoData } from '../hooks/use-demo';

const plural = (n: number, one: string, many: string) => `${formatNumber(n)} ${n === 1 ? one : many}`;

/**
 * The slim notice on every page of a demo workspace; owners and admins can empty it in one step. Rendered for every
 * workspace (it draws nothing when `isDemo` is false) so the confirmation stays mounted while the banner goes away.
 */
export function DemoBanner({
  workspaceId,
  isDemo,
  canRemove,
}: {
  workspaceId: string;
  isDemo: boolean;
  canRemove: boolean;
}) {
  const [confirming, confirm] = useDisclosure(false);
  const remove = useRemoveDemoData(workspaceId);

  const onConfirm = () =>
    remove.mutate(undefined, {
      onSuccess: ({ deleted }) => {
        confirm.close();
        notifications.show({
          color: 'teal',
          title: 'Demo data removed',
          message: `Deleted ${plural(deleted.leads, 'lead', 'leads')} and ${plural(deleted.contacts, 'contact', 'contacts')}. This workspace is now yours to use.`,
        });
      },
    });

  return (
    <>
      {isDemo && (
        <Alert
          color="indigo"
          variant="light"
          mb="lg"
          py={8}
          icon={<IconFlask size={18} />}
          styles={{ icon: { marginTop: 4 }, wrapper: { alignItems: 'flex-start' } }}
          data-testid="demo-banner"
        >
          <Group justify="space-between" gap="xs" wrap="wrap" align="center">
            <Text size="sm" style={{ flex: '1 1 260px' }}>
              <b>This is a demo workspace with sample data.</b> New sample leads arrive every few seconds.
            </Text>
            {canRemove && (
              <Button
                size="compact-sm"
                variant="white"
                color="indigo"
                leftSection={<IconTrash size={14} />}
                onClick={() => {
                  remove.reset();
                  confirm.open();
                }}
                data-testid="remove-demo-data"
              >
                Remove demo data
              </Button>
            )}
          </Group>
        </Alert>
      )}
      <ConfirmModal
        opened={confirming}
        title="Remove demo data?"
        message={
          <Stack gap="xs">
            <Text size="sm">
              This deletes every lead, contact and demo team member in this workspace and disconnects the simulated
              Facebook Page “Demo Realty”.
            </Text>
            <Text size="sm" c="dimmed">
              The workspace, its pipelines and fields stay, empty and ready for your own leads. This cannot be undone.
            </Text>
          </Stack>
        }
        confirmLabel="Remove demo data"
        loading={remove.isPending}
        error={remove.error}
        onConfirm={onConfirm}
        onClose={confirm.close}
      />
    </>
  );
}
