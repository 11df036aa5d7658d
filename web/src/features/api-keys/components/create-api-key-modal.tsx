import { Button, Checkbox, Group, Modal, ScrollArea, Skeleton, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { ErrorAlert } from '../../../components/error-alert';
import { QueryError } from '../../../components/query-state';
import { endOfDayIso, todayInput } from '../../../lib/format';
import { useApiKeyScopes, useCreateApiKey } from '../hooks/use-api-keys';

interface CreateApiKeyModalProps {
  workspaceId: string;
  opened: boolean;
  onClose: () => void;
  onCreated: (result: { name: string; secret: string }) => void;
}

export function CreateApiKeyModal({ workspaceId, opened, onClose, onCreated }: CreateApiKeyModalProps) {
  const scopes = useApiKeyScopes(workspaceId, opened);
  const create = useCreateApiKey(workspaceId);
  const form = useForm({
    initialValues: { name: '', scopes: [] as string[], expiresOn: '' },
    validate: {
      name: (v) => (v.trim() ? null : 'Name the key after what uses it, e.g. “Zapier”'),
      scopes: (v) => (v.length > 0 ? null : 'Choose at least one scope'),
      expiresOn: (v) => (!v || v >= todayInput() ? null : 'Choose a date in the future'),
    },
  });

  const close = () => {
    form.reset();
    create.reset();
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title="Create API key" centered size="lg">
      <form
        noValidate
        onSubmit={form.onSubmit((values) =>
          create.mutate(
            {
              name: values.name.trim(),
              scopes: values.scopes,
              expiresAt: values.expiresOn ? endOfDayIso(values.expiresOn) : null,
            },
            {
              onSuccess: (result) => {
                onCreated({ name: result.apiKey.name, secret: result.secret });
                close();
              },
            },
          ),
        )}
      >
        <Stack gap="md">
          {create.error && <ErrorAlert error={create.error} title="Could not create the key" />}
          <TextInput
            label="Name"
            placeholder="Zapier integration"
            data-autofocus
            data-testid="api-key-name"
            {...form.getInputProps('name')}
          />
          <Checkbox.Group
            label="Scopes"
            description="Give the key only what it needs."
            {...form.getInputProps('scopes')}
            data-testid="api-key-scopes"
          >
            {scopes.isPending && (
              <Stack gap="xs" mt="xs">
                <Skeleton height={18} />
                <Skeleton height={18} />
                <Skeleton height={18} />
              </Stack>
            )}
            {scopes.isError && <QueryError error={scopes.error} title="Couldn't load scopes" />}
            {scopes.data && (
              <ScrollArea.Autosize mah={260} mt="xs" type="auto">
                <Stack gap="sm" pr="sm">
                  {scopes.data.items.map((item) => (
                    <Checkbox
                      key={item.scope}
                      value={item.scope}
                      label={item.scope}
                      description={item.description}
                      data-testid={`scope-${item.scope}`}
                    />
                  ))}
                </Stack>
              </ScrollArea.Autosize>
            )}
          </Checkbox.Group>
          <TextInput
            type="date"
            label="Expires on (optional)"
            description="Leave empty for a key that does not expire."
            min={todayInput()}
            data-testid="api-key-expiry"
            {...form.getInputProps('expiresOn')}
          />
          <Text size="xs" c="dimmed">
            The secret is shown only once, right after creation.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} data-testid="api-key-submit">
              Create key
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
