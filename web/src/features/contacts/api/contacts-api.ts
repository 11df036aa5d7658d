import { api, seg } from '../../../lib/api';
import type { Activity, Lead } from '../../leads/api/leads-api';

export interface Contact {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  phoneInvalid: boolean;
  city: string | null;
  country: string | null;
  tags: string[];
  custom: Record<string, unknown>;
  ownerId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ContactDetail extends Contact {
  identities: { kind: string; value: string }[];
  leads: Lead[];
}

export interface ContactPatch {
  name?: string;
  email?: string | null;
  phone?: string | null;
  city?: string | null;
  country?: string | null;
  tags?: string[];
  custom?: Record<string, unknown>;
}

export interface Duplicate {
  contact: Contact;
  reasons: string[];
}

export type NoteFormat = 'text' | 'markdown';

export interface Note {
  id: string;
  contactId: string;
  leadId: string | null;
  body: string;
  format: NoteFormat;
  author: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}`;

export const contactsApi = {
  get: (workspaceId: string, contactId: string) =>
    api.get<ContactDetail>(`${base(workspaceId)}/contacts/${seg(contactId)}`),
  update: (workspaceId: string, contactId: string, patch: ContactPatch) =>
    api.patch<Contact>(`${base(workspaceId)}/contacts/${seg(contactId)}`, patch),
  duplicates: (workspaceId: string, contactId: string) =>
    api.get<{ items: Duplicate[] }>(`${base(workspaceId)}/contacts/${seg(contactId)}/duplicates`),
  /** `contactId` survives; everything of `otherContactId` moves to it. */
  merge: (workspaceId: string, contactId: string, otherContactId: string) =>
    api.post<{ mergeId: string; contact: Contact }>(`${base(workspaceId)}/contacts/${seg(contactId)}/merge`, {
      otherContactId,
    }),
  undoMerge: (workspaceId: string, mergeId: string) =>
    api.post<{ contact: Contact }>(`${base(workspaceId)}/contact-merges/${seg(mergeId)}/undo`),
  timeline: (workspaceId: string, contactId: string, cursor?: string | null) =>
    api.get<{ items: Activity[]; nextCursor: string | null }>(
      `${base(workspaceId)}/contacts/${seg(contactId)}/timeline`,
      { query: { cursor } },
    ),
};

export const notesApi = {
  list: (workspaceId: string, contactId: string) =>
    api.get<{ items: Note[] }>(`${base(workspaceId)}/contacts/${seg(contactId)}/notes`),
  create: (workspaceId: string, input: { contactId: string; leadId?: string; body: string; format: NoteFormat }) =>
    api.post<Note>(`${base(workspaceId)}/notes`, input),
  update: (workspaceId: string, noteId: string, patch: { body?: string; format?: NoteFormat }) =>
    api.patch<Note>(`${base(workspaceId)}/notes/${seg(noteId)}`, patch),
  remove: (workspaceId: string, noteId: string) => api.delete(`${base(workspaceId)}/notes/${seg(noteId)}`),
};
