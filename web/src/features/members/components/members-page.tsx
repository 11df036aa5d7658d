import { ActionIcon, Avatar, Badge, Button, Card, Group, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconMailForward, IconShieldCheck, IconShieldOff, IconTrash, IconUserPlus, IconX } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { errorMessage } from '../../../components/error-alert';
import { PageHeader } from '../../../components/page-header';
import { QueryError, TableSkeleton } from '../../../components/query-state';
import { formatDate, formatRelative, initials } from '../../../lib/format';
import { ROLE_COLORS, type Role, roleLabel } from '../../../lib/reference-data';
import { sessionKey, useSession } from '../../auth/hooks/use-session';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import type { Invite, Member } from '../api/members-api';
import { useInvites, useMembers, useRemoveMember, useRevokeInvite, useUpdateMemberRole } from '../hooks/use-members';
import { InviteMemberModal } from './invite-member-modal';
import { RoleSelect } from './role-select';

export function MembersPage() {
  const { workspace, can } = useCurrentWorkspace();
  const [inviteOpened, inviteModal] = useDisclosure(false);
  const canInvite = can('members.invite');

  return (
    <>
      <PageHeader
        title="Members"
        description="Who can open this workspace, and what each person may do."
        actions={
          canInvite && (
            <Button leftSection={<IconUserPlus size={16} />} onClick={inviteModal.open} data-testid="invite-button">
              Invite member
            </Button>
          )
        }
      />
      <Stack gap="lg">
        <MembersCard />
        {canInvite && <InvitesCard />}
      </Stack>
      {canInvite && (
        <InviteMemberModal
          workspaceId={workspace.id}
          opened={inviteOpened}
          onClose={inviteModal.close}
          canGrantOwner={workspace.role === 'owner'}
        />
      )}
    </>
  );
}

function MembersCard() {
  const { workspace, can } = useCurrentWorkspace();
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const members = useMembers(workspace.id);
  const updateRole = useUpdateMemberRole(workspace.id);
  const remove = useRemoveMember(workspace.id);
  const [toRemove, setToRemove] = useState<Member | null>(null);
  const myId = session.data?.user.id;
  const canChangeRoles = can('members.update_role');
  const canRemove = can('members.remove');
  const isOwner = workspace.role === 'owner';

  const changeRole = (member: Member, role: Role) => {
    if (role === member.role) return;
    updateRole.mutate(
      { userId: member.userId, role },
      {
        onSuccess: () =>
          notifications.show({ color: 'teal', message: `${member.name} is now ${roleLabel(role).toLowerCase()}.` }),
        onError: (error) =>
          notifications.show({ color: 'red', title: 'Role not changed', message: errorMessage(error) }),
      },
    );
  };

  return (
    <Card withBorder radius="md" padding={0}>
      <Group px="lg" py="md" justify="space-between">
        <Title order={2} fz="lg">
          Team
        </Title>
        {members.data && (
          <Text size="sm" c="dimmed">
            {members.data.items.length} {members.data.items.length === 1 ? 'member' : 'members'}
          </Text>
        )}
      </Group>
      {members.isPending && (
        <Stack p="lg" pt={0}>
          <TableSkeleton />
        </Stack>
      )}
      {members.isError && (
        <Stack p="lg" pt={0}>
          <QueryError error={members.error} title="Couldn't load members" />
        </Stack>
      )}
      {members.data && (
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="sm" horizontalSpacing="lg" highlightOnHover data-testid="members-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Email</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>2FA</Table.Th>
                <Table.Th>Joined</Table.Th>
                <Table.Th w={60} aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {members.data.items.map((member) => {
                const isMe = member.userId === myId;
                // Only an owner may change or remove another owner.
                const editable = canChangeRoles && (isOwner || member.role !== 'owner');
                return (
                  <Table.Tr key={member.userId} data-testid="member-row" data-email={member.email}>
                    <Table.Td>
                      <Group gap="sm" wrap="nowrap">
                        <Avatar size={32} radius="xl" color="indigo">
                          {initials(member.name)}
                        </Avatar>
                        <Text size="sm" fw={600} style={{ whiteSpace: 'nowrap' }}>
                          {member.name}
                        </Text>
                        {isMe && (
                          <Badge size="xs" variant="light" color="gray">
                            You
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{member.email}</Text>
                    </Table.Td>
                    <Table.Td>
                      {editable ? (
                        <RoleSelect
                          aria-label={`Role of ${member.name}`}
                          size="xs"
                          w={140}
                          value={member.role}
                          canGrantOwner={isOwner}
                          disabled={updateRole.isPending && updateRole.variables?.userId === member.userId}
                          onChange={(role) => changeRole(member, role)}
                          data-testid="member-role-select"
                        />
                      ) : (
                        <Badge variant="light" color={ROLE_COLORS[member.role] ?? 'gray'} data-testid="member-role">
                          {roleLabel(member.role)}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {member.mfaEnabled ? (
                        <Badge
                          color="teal"
                          variant="light"
                          leftSection={<IconShieldCheck size={12} />}
                          data-testid="member-mfa"
                        >
                          On
                        </Badge>
                      ) : (
                        <Badge
                          color="gray"
                          variant="light"
                          leftSection={<IconShieldOff size={12} />}
                          data-testid="member-mfa"
                        >
                          Off
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={formatDate(member.joinedAt)}>
                        <Text size="sm" c="dimmed">
                          {formatRelative(member.joinedAt)}
                        </Text>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      {((canRemove && (isOwner || member.role !== 'owner')) || isMe) && (
                        <Tooltip label={isMe ? 'Leave workspace' : 'Remove member'}>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={isMe ? 'Leave workspace' : `Remove ${member.name}`}
                            onClick={() => setToRemove(member)}
                            data-testid="member-remove"
                          >
                            <IconTrash size={16} />
                          </ActionIcon>
                        </Tooltip>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ConfirmModal
        opened={toRemove !== null}
        title={toRemove?.userId === myId ? 'Leave workspace' : 'Remove member'}
        message={
          toRemove?.userId === myId ? (
            <Text size="sm">
              Leave <b>{workspace.name}</b>? You lose access right away and need a new invitation to come back.
            </Text>
          ) : (
            toRemove && (
              <Text size="sm">
                Remove <b>{toRemove.name}</b> ({toRemove.email}) from this workspace? They lose access right away. Leads
                assigned to them stay in the workspace.
              </Text>
            )
          )
        }
        confirmLabel={toRemove?.userId === myId ? 'Leave workspace' : 'Remove member'}
        loading={remove.isPending}
        error={remove.error}
        onClose={() => {
          setToRemove(null);
          remove.reset();
        }}
        onConfirm={() =>
          toRemove &&
          remove.mutate(toRemove.userId, {
            onSuccess: async () => {
              setToRemove(null);
              if (toRemove.userId === myId) {
                // Leaving a workspace: refresh the workspace list and go to another one.
                notifications.show({ color: 'teal', message: `You left ${workspace.name}.` });
                await queryClient.invalidateQueries({ queryKey: sessionKey });
                await navigate({ to: '/' });
                return;
              }
              notifications.show({ color: 'teal', message: `${toRemove.name} was removed.` });
            },
          })
        }
      />
    </Card>
  );
}

function InvitesCard() {
  const { workspace } = useCurrentWorkspace();
  const invites = useInvites(workspace.id, true);
  const revoke = useRevokeInvite(workspace.id);
  const [toRevoke, setToRevoke] = useState<Invite | null>(null);
  const pending = invites.data?.items.filter((invite) => invite.status === 'pending') ?? [];

  return (
    <Card withBorder radius="md" padding={0}>
      <Group px="lg" py="md" gap="xs">
        <IconMailForward size={18} color="var(--mantine-color-indigo-6)" />
        <Title order={2} fz="lg">
          Pending invitations
        </Title>
      </Group>
      {invites.isPending && (
        <Stack p="lg" pt={0}>
          <TableSkeleton rows={2} />
        </Stack>
      )}
      {invites.isError && (
        <Stack p="lg" pt={0}>
          <QueryError error={invites.error} title="Couldn't load invitations" />
        </Stack>
      )}
      {invites.data && pending.length === 0 && (
        <Text size="sm" c="dimmed" px="lg" pb="lg" data-testid="invites-empty">
          No pending invitations. Use “Invite member” to add teammates.
        </Text>
      )}
      {pending.length > 0 && (
        <Table.ScrollContainer minWidth={700}>
          <Table verticalSpacing="sm" horizontalSpacing="lg" data-testid="invites-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Email</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Invited by</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th w={60} aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {pending.map((invite) => (
                <Table.Tr key={invite.id} data-testid="invite-row" data-email={invite.email}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {invite.email}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={ROLE_COLORS[invite.role] ?? 'gray'}>
                      {roleLabel(invite.role)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{invite.invitedBy.name}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {formatDate(invite.expiresAt)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label="Revoke invitation">
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Revoke invitation for ${invite.email}`}
                        onClick={() => setToRevoke(invite)}
                        data-testid="invite-revoke"
                      >
                        <IconX size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ConfirmModal
        opened={toRevoke !== null}
        title="Revoke invitation"
        message={toRevoke ? `The link sent to ${toRevoke.email} will stop working.` : ''}
        confirmLabel="Revoke invitation"
        loading={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          setToRevoke(null);
          revoke.reset();
        }}
        onConfirm={() =>
          toRevoke &&
          revoke.mutate(toRevoke.id, {
            onSuccess: () => {
              notifications.show({ color: 'teal', message: 'Invitation revoked.' });
              setToRevoke(null);
            },
          })
        }
      />
    </Card>
  );
}
