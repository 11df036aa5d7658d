import { z } from 'zod';
import { isoDate } from '../../http/schemas';

export const activitySchema = z.object({
  id: z.uuid(),
  type: z.string(),
  actor: z.object({ type: z.string(), id: z.uuid().nullable(), name: z.string().nullable() }),
  data: z.record(z.string(), z.unknown()),
  createdAt: isoDate,
  leadId: z.uuid().nullable(),
  contactId: z.uuid().nullable(),
});

export const timelineSchema = z.object({ items: z.array(activitySchema), nextCursor: z.string().nullable() });

export const timelineQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const NOTE_FORMATS = ['text', 'markdown'] as const;

const noteBody = z
  .string()
  .min(1, { message: 'Write something first' })
  .max(20_000, { message: 'Use at most 20,000 characters' })
  .refine((s) => s.trim().length > 0, { message: 'Write something first' });

export const noteCreateSchema = z.object({
  contactId: z.uuid({ message: 'contactId must be a UUID' }),
  leadId: z.uuid({ message: 'leadId must be a UUID' }).nullable().optional(),
  body: noteBody,
  format: z.enum(NOTE_FORMATS).default('text'),
});

export const notePatchSchema = z.object({ body: noteBody.optional(), format: z.enum(NOTE_FORMATS).optional() });

export const noteSchema = z.object({
  id: z.uuid(),
  contactId: z.uuid(),
  leadId: z.uuid().nullable(),
  body: z.string(),
  format: z.enum(NOTE_FORMATS),
  author: z.object({ id: z.uuid(), name: z.string().nullable() }).nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

const title = z
  .string()
  .trim()
  .min(1, { message: 'Give the task a title' })
  .max(500, { message: 'Use at most 500 characters' });

export const taskCreateSchema = z.object({
  title,
  dueAt: isoDate.nullable().optional(),
  remindAt: isoDate.nullable().optional(),
  assigneeId: z.uuid({ message: 'assigneeId must be a UUID' }).nullable().optional(),
  leadId: z.uuid({ message: 'leadId must be a UUID' }).nullable().optional(),
  contactId: z.uuid({ message: 'contactId must be a UUID' }).nullable().optional(),
});

export const taskPatchSchema = z.object({
  title: title.optional(),
  dueAt: isoDate.nullable().optional(),
  remindAt: isoDate.nullable().optional(),
  assigneeId: z.uuid({ message: 'assigneeId must be a UUID' }).nullable().optional(),
  done: z.boolean().optional(),
});

export const taskListQuery = z.object({
  assignee: z
    .string()
    .refine((s) => s === 'me' || s === 'any' || s === 'none' || /^[0-9a-f-]{36}$/i.test(s), {
      message: 'Use me, any, none or a user id',
    })
    .default('any'),
  status: z.enum(['open', 'done', 'all']).default('open'),
  due: z.enum(['overdue', 'today', 'upcoming', 'any']).default('any'),
  leadId: z.uuid({ message: 'leadId must be a UUID' }).optional(),
  contactId: z.uuid({ message: 'contactId must be a UUID' }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export const taskSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  dueAt: isoDate.nullable(),
  remindAt: isoDate.nullable(),
  assignee: z.object({ id: z.uuid(), name: z.string().nullable() }).nullable(),
  leadId: z.uuid().nullable(),
  contactId: z.uuid().nullable(),
  lead: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  doneAt: isoDate.nullable(),
  createdAt: isoDate,
});

export type NoteCreate = z.infer<typeof noteCreateSchema>;
export type NotePatch = z.infer<typeof notePatchSchema>;
export type TaskCreate = z.infer<typeof taskCreateSchema>;
export type TaskPatch = z.infer<typeof taskPatchSchema>;
export type TaskListQuery = z.infer<typeof taskListQuery>;
