import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { leadKeys } from '../../leads/hooks/use-leads';
import { type ContactPatch, contactsApi, type NoteFormat, notesApi } from '../api/contacts-api';

export const contactKeys = {
  duplicates: (workspaceId: string, contactId: string) =>
    ['workspaces', workspaceId, 'contacts', contactId, 'duplicates'] as const,
  notes: (workspaceId: string, contactId: string) =>
    ['workspaces', workspaceId, 'contacts', contactId, 'notes'] as const,
};

export function useUpdateContact(workspaceId: string, leadId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ contactId, patch }: { contactId: string; patch: ContactPatch }) =>
      contactsApi.update(workspaceId, contactId, patch),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: leadKeys.detail(workspaceId, leadId) });
      void queryClient.invalidateQueries({ queryKey: leadKeys.timeline(workspaceId, leadId) });
      void queryClient.invalidateQueries({ queryKey: leadKeys.lists(workspaceId) });
    },
  });
}

export function useDuplicates(workspaceId: string, contactId: string) {
  return useQuery({
    queryKey: contactKeys.duplicates(workspaceId, contactId),
    queryFn: () => contactsApi.duplicates(workspaceId, contactId),
  });
}

/** Merges and un-merges touch the lead, its contact, notes, tasks and timeline: refresh them all. */
function useRefreshAfterMerge(workspaceId: string) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: leadKeys.all(workspaceId) });
    void queryClient.invalidateQueries({ queryKey: ['workspaces', workspaceId, 'contacts'] });
    void queryClient.invalidateQueries({ queryKey: ['workspaces', workspaceId, 'tasks'] });
  };
}

export function useMergeContacts(workspaceId: string) {
  const refresh = useRefreshAfterMerge(workspaceId);
  return useMutation({
    mutationFn: ({ survivorId, otherContactId }: { survivorId: string; otherContactId: string }) =>
      contactsApi.merge(workspaceId, survivorId, otherContactId),
    onSuccess: refresh,
  });
}

export function useUndoMerge(workspaceId: string) {
  const refresh = useRefreshAfterMerge(workspaceId);
  return useMutation({
    mutationFn: (mergeId: string) => contactsApi.undoMerge(workspaceId, mergeId),
    onSuccess: refresh,
  });
}

export function useNotes(workspaceId: string, contactId: string) {
  return useQuery({
    queryKey: contactKeys.notes(workspaceId, contactId),
    queryFn: () => notesApi.list(workspaceId, contactId),
    select: (data) => [...data.items].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
  });
}

export function useAddNote(workspaceId: string, contactId: string, leadId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, format }: { body: string; format: NoteFormat }) =>
      notesApi.create(workspaceId, { contactId, leadId, body, format }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: contactKeys.notes(workspaceId, contactId) });
      void queryClient.invalidateQueries({ queryKey: leadKeys.timeline(workspaceId, leadId) });
    },
  });
}

export function useDeleteNote(workspaceId: string, contactId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (noteId: string) => notesApi.remove(workspaceId, noteId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: contactKeys.notes(workspaceId, contactId) }),
  });
}
