import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { workspaceAccess } from '../../http/request-context';
import { workspaceParams } from '../../http/schemas';
import {
  noteCreateSchema,
  notePatchSchema,
  noteSchema,
  taskCreateSchema,
  taskListQuery,
  taskPatchSchema,
  taskSchema,
} from './activity.schemas';

/** Notes and tasks under `/api/v1/workspaces/:workspaceId` (timelines are served by the leads and contacts routes). */
export function activityRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const noteParams = workspaceParams.extend({ noteId: z.uuid({ message: 'noteId must be a UUID' }) });
    const taskParams = workspaceParams.extend({ taskId: z.uuid({ message: 'taskId must be a UUID' }) });

    app.get(
      '/:workspaceId/contacts/:contactId/notes',
      {
        schema: {
          tags: ['notes'],
          summary: 'A contact\u2019s notes, newest first',
          params: workspaceParams.extend({ contactId: z.uuid({ message: 'contactId must be a UUID' }) }),
          response: { 200: z.object({ items: z.array(noteSchema) }) },
        },
      },
      async (req) => ({
        items: await c.activity.listNotes(await workspaceAccess(c, req, req.params.workspaceId), req.params.contactId),
      }),
    );

    app.post(
      '/:workspaceId/notes',
      {
        schema: {
          tags: ['notes'],
          summary: 'Add a note to a contact (and optionally one of its leads); stored as written, never rendered here',
          params: workspaceParams,
          body: noteCreateSchema,
          response: { 201: noteSchema },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await c.activity.addNote(await workspaceAccess(c, req, req.params.workspaceId), req.body)),
    );

    app.patch(
      '/:workspaceId/notes/:noteId',
      {
        schema: {
          tags: ['notes'],
          summary: 'Edit a note',
          params: noteParams,
          body: notePatchSchema,
          response: { 200: noteSchema },
        },
      },
      async (req) =>
        c.activity.updateNote(await workspaceAccess(c, req, req.params.workspaceId), req.params.noteId, req.body),
    );

    app.delete(
      '/:workspaceId/notes/:noteId',
      { schema: { tags: ['notes'], summary: 'Delete a note', params: noteParams } },
      async (req, reply) => {
        await c.activity.deleteNote(await workspaceAccess(c, req, req.params.workspaceId), req.params.noteId);
        return reply.code(204).send();
      },
    );

    app.get(
      '/:workspaceId/tasks',
      {
        schema: {
          tags: ['tasks'],
          summary: 'Tasks; "today" and "overdue" follow the workspace timezone',
          params: workspaceParams,
          querystring: taskListQuery,
          response: { 200: z.object({ items: z.array(taskSchema) }) },
        },
      },
      async (req) => ({
        items: await c.activity.listTasks(await workspaceAccess(c, req, req.params.workspaceId), req.query),
      }),
    );

    app.post(
      '/:workspaceId/tasks',
      {
        schema: {
          tags: ['tasks'],
          summary: 'Create a task (assigned to you unless assigneeId says otherwise)',
          params: workspaceParams,
          body: taskCreateSchema,
          response: { 201: taskSchema },
        },
      },
      async (req, reply) =>
        reply
          .code(201)
          .send(await c.activity.createTask(await workspaceAccess(c, req, req.params.workspaceId), req.body)),
    );

    app.patch(
      '/:workspaceId/tasks/:taskId',
      {
        schema: {
          tags: ['tasks'],
          summary: 'Edit, complete (done: true) or reopen a task',
          params: taskParams,
          body: taskPatchSchema,
          response: { 200: taskSchema },
        },
      },
      async (req) =>
        c.activity.updateTask(await workspaceAccess(c, req, req.params.workspaceId), req.params.taskId, req.body),
    );

    app.delete(
      '/:workspaceId/tasks/:taskId',
      { schema: { tags: ['tasks'], summary: 'Delete a task', params: taskParams } },
      async (req, reply) => {
        await c.activity.deleteTask(await workspaceAccess(c, req, req.params.workspaceId), req.params.taskId);
        return reply.code(204).send();
      },
    );
  };
}
