import type { Db, DbOrTx } from '../../db/client';
import { AppError, forbidden, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Actor } from '../audit/audit.service';
import type { WorkspaceAccess } from '../auth/principal';
import type { ContactsRepository } from '../contacts/contacts.repository';
import type { LeadsRepository } from '../leads/leads.repository';
import { ownerScopeOf, userIdOf } from '../leads/visibility';
import type { WorkspacesRepository } from '../workspaces/workspaces.repository';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import type { ActivityRepository, NoteRow, TaskRow } from './activity.repository';
import type { NoteCreate, NotePatch, TaskCreate, TaskListQuery, TaskPatch } from './activity.schemas';

/** One timeline entry to record. `data` holds ids, field changes and short excerpts the timeline shows. */
export interface ActivityEntry {
  type: string;
  leadId?: string | null;
  contactId?: string | null;
  data?: Record<string, unknown>;
}

const actorColumns = (actor: Actor) => ({
  actorType: actor.type === 'user' || actor.type === 'api_key' ? actor.type : ('system' as const),
  actorId: actor.id,
});

const encodeTimelineCursor = (id: string) => Buffer.from(id).toString('base64url');

function decodeTimelineCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!/^[0-9a-f-]{36}$/i.test(id))
    throw new AppError('validation_failed', 'The cursor is not valid. Start again from the first page.');
  return id;
}

const EXCERPT = 280;

/** The timeline, notes and tasks of leads and contacts. */
export class ActivityService {
  constructor(
    private readonly deps: {
      db: Db;
      workspaces: WorkspacesService;
      workspacesRepo: WorkspacesRepository;
      repo: ActivityRepository;
      leadsRepo: LeadsRepository;
      contactsRepo: ContactsRepository;
    },
  ) {}

  /** Records timeline entries inside the caller's transaction, so they exist exactly when the change does. */
  async record(tx: DbOrTx, workspaceId: string, actor: Actor, entries: ActivityEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const now = new Date();
    await this.deps.repo.insertActivities(
      tx,
      entries.map((e) => ({
        workspaceId,
        id: newId(),
        type: e.type,
        leadId: e.leadId ?? null,
        contactId: e.contactId ?? null,
        data: e.data ?? {},
        createdAt: now,
        ...actorColumns(actor),
      })),
    );
  }

  /** A page of a lead's or contact's timeline, newest first. The caller has checked the lead or contact is visible. */
  async timeline(
    workspaceId: string,
    of: { leadId: string } | { contactId: string },
    options: { cursor?: string; limit: number; ownerScope?: string },
  ) {
    const before = options.cursor ? decodeTimelineCursor(options.cursor) : undefined;
    const rows = await this.deps.repo.listActivities(workspaceId, of, {
      before,
      limit: options.limit + 1,
      ownerScope: options.ownerScope,
    });
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      items: page.map(({ activity: a, userName, keyName }) => ({
        id: a.id,
        type: a.type,
        actor: { type: a.actorType, id: a.actorId, name: userName ?? keyName ?? null },
        data: a.data,
        createdAt: a.createdAt,
        leadId: a.leadId,
        contactId: a.contactId,
      })),
      nextCursor: rows.length > options.limit && last ? encodeTimelineCursor(last.activity.id) : null,
    };
  }

  // Notes

  async listNotes(access: WorkspaceAccess, contactId: string) {
    this.deps.workspaces.assertCan(access, 'leads.read');
    const scope = ownerScopeOf(access);
    await this.visibleContact(access, contactId);
    const rows = await this.deps.repo.listNotes(access.workspaceId, contactId, scope);
    return rows.map(({ note, authorName }) => this.noteView(note, authorName));
  }

  async addNote(access: WorkspaceAccess, input: NoteCreate) {
    this.deps.workspaces.assertCan(access, 'leads.write');
    await this.visibleContact(access, input.contactId);
    if (input.leadId) {
      const lead = await this.visibleLead(access, input.leadId);
      if (lead.contactId !== input.contactId) throw invalid('leadId', 'This lead belongs to another contact.');
    }
    const authorId = userIdOf(access);
    const note = await this.deps.db.transaction(async (tx) => {
      const now = new Date();
      const row = await this.deps.repo.insertNote(tx, {
        workspaceId: access.workspaceId,
        id: newId(),
        contactId: input.contactId,
        leadId: input.leadId ?? null,
        body: input.body,
        format: input.format,
        authorId,
        createdAt: now,
        updatedAt: now,
      });
      await this.record(tx, access.workspaceId, access.actor, [
        {
          type: 'note.added',
          contactId: row.contactId,
          leadId: row.leadId,
          data: { noteId: row.id, format: row.format, excerpt: row.body.slice(0, EXCERPT) },
        },
      ]);
      return row;
    });
    return this.noteView(note, await this.deps.repo.userName(access.workspaceId, authorId));
  }

  async updateNote(access: WorkspaceAccess, noteId: string, patch: NotePatch) {
    this.deps.workspaces.assertCan(access, 'leads.write');
    const note = await this.editableNote(access, noteId);
    if (patch.body === undefined && patch.format === undefined) {
      return this.noteView(note, await this.deps.repo.userName(access.workspaceId, note.authorId));
    }
    const updated = await this.deps.db.transaction(async (tx) => {
      const row = await this.deps.repo.updateNote(tx, access.workspaceId, noteId, patch);
      await this.record(tx, access.workspaceId, access.actor, [
        {
          type: 'note.updated',
          contactId: row.contactId,
          leadId: row.leadId,
          data: { noteId, excerpt: row.body.slice(0, EXCERPT) },
        },
      ]);
      return row;
    });
    return this.noteView(updated, await this.deps.repo.userName(access.workspaceId, note.authorId));
  }

  async deleteNote(access: WorkspaceAccess, noteId: string): Promise<void> {
    this.deps.workspaces.assertCan(access, 'leads.write');
    const note = await this.editableNote(access, noteId);
    await this.deps.db.transaction(async (tx) => {
      await this.deps.repo.deleteNote(tx, access.workspaceId, noteId);
      await this.record(tx, access.workspaceId, access.actor, [
        { type: 'note.deleted', contactId: note.contactId, leadId: note.leadId, data: { noteId } },
      ]);
    });
  }

  /** Agents edit their own notes only; roles that see every lead edit any note they can see. */
  private async editableNote(access: WorkspaceAccess, noteId: string): Promise<NoteRow> {
    const note = await this.deps.repo.getNote(access.workspaceId, noteId);
    if (!note) throw notFound('This note');
    const scope = ownerScopeOf(access);
    if (scope) {
      const contact = await this.deps.contactsRepo.get(access.workspaceId, note.contactId, { ownerScope: scope });
      const lead = note.leadId
        ? await this.deps.leadsRepo.get(access.workspaceId, note.leadId, { ownerScope: scope })
        : true;
      if (!contact || !lead) throw notFound('This note');
      if (note.authorId !== userIdOf(access)) throw forbidden('You can only change notes you wrote.');
    }
    return note;
  }

  private noteView(note: NoteRow, authorName: string | null) {
    return {
      id: note.id,
      contactId: note.contactId,
      leadId: note.leadId,
      body: note.body,
      format: note.format,
      author: note.authorId ? { id: note.authorId, name: authorName } : null,
      createdAt: note.createdAt,
      updatedAt: note.updatedAt,
    };
  }

  // Tasks

  async listTasks(access: WorkspaceAccess, query: TaskListQuery) {
    this.deps.workspaces.assertCan(access, 'leads.read');
    const ws = (await this.deps.workspacesRepo.getWorkspace(access.workspaceId))!;
    let assigneeId: string | null | undefined;
    if (query.assignee === 'me') assigneeId = userIdOf(access) ?? undefined;
    else if (query.assignee === 'none') assigneeId = null;
    else if (query.assignee !== 'any') assigneeId = query.assignee;
    const rows = await this.deps.repo.listTasks(access.workspaceId, {
      assigneeId,
      status: query.status,
      due: query.due,
      timezone: ws.timezone,
      now: new Date(),
      leadId: query.leadId,
      contactId: query.contactId,
      ownerScope: ownerScopeOf(access),
      limit: query.limit,
    });
    return rows.map((r) => this.taskView(r.task, r.assigneeName, r.leadName));
  }

  async createTask(access: WorkspaceAccess, input: TaskCreate) {
    this.deps.workspaces.assertCan(access, 'leads.write');
    let contactId = input.contactId ?? null;
    if (input.leadId) {
      const lead = await this.visibleLead(access, input.leadId);
      if (contactId && contactId !== lead.contactId)
        throw invalid('contactId', 'This lead belongs to another contact.');
      contactId = lead.contactId;
    } else if (contactId) {
      await this.visibleContact(access, contactId);
    }
    const assigneeId = input.assigneeId === undefined ? userIdOf(access) : input.assigneeId;
    if (assigneeId) await this.assertMember(access.workspaceId, assigneeId, 'assigneeId');
    const task = await this.deps.db.transaction(async (tx) => {
      const row = await this.deps.repo.insertTask(tx, {
        workspaceId: access.workspaceId,
        id: newId(),
        title: input.title,
        dueAt: input.dueAt ?? null,
        remindAt: input.remindAt ?? null,
        assigneeId,
        leadId: input.leadId ?? null,
        contactId,
        createdBy: userIdOf(access),
        createdAt: new Date(),
      });
      if (row.contactId || row.leadId) {
        await this.record(tx, access.workspaceId, access.actor, [
          {
            type: 'task.created',
            contactId: row.contactId,
            leadId: row.leadId,
            data: { taskId: row.id, title: row.title, dueAt: row.dueAt?.toISOString() ?? null, assigneeId },
          },
        ]);
      }
      return row;
    });
    return this.taskById(access.workspaceId, task.id);
  }

  async updateTask(access: WorkspaceAccess, taskId: string, patch: TaskPatch) {
    this.deps.workspaces.assertCan(access, 'leads.write');
    const task = await this.visibleTask(access, taskId);
    if (patch.assigneeId) await this.assertMember(access.workspaceId, patch.assigneeId, 'assigneeId');
    await this.deps.db.transaction(async (tx) => {
      const changes: Partial<TaskRow> = {};
      if (patch.title !== undefined) changes.title = patch.title;
      if (patch.dueAt !== undefined) changes.dueAt = patch.dueAt;
      if (patch.remindAt !== undefined) {
        changes.remindAt = patch.remindAt;
        changes.remindedAt = null;
      }
      if (patch.assigneeId !== undefined) changes.assigneeId = patch.assigneeId;
      const entries: ActivityEntry[] = [];
      const on = { contactId: task.contactId, leadId: task.leadId };
      if (patch.done === true && !task.doneAt) {
        changes.doneAt = new Date();
        entries.push({ type: 'task.completed', ...on, data: { taskId, title: patch.title ?? task.title } });
      } else if (patch.done === false && task.doneAt) {
        changes.doneAt = null;
        entries.push({ type: 'task.reopened', ...on, data: { taskId, title: patch.title ?? task.title } });
      }
      const edited = Object.keys(patch).filter((k) => k !== 'done');
      if (edited.length) entries.push({ type: 'task.updated', ...on, data: { taskId, fields: edited } });
      if (Object.keys(changes).length) await this.deps.repo.updateTask(tx, access.workspaceId, taskId, changes);
      if (task.contactId || task.leadId) await this.record(tx, access.workspaceId, access.actor, entries);
    });
    return this.taskById(access.workspaceId, taskId);
  }

  async deleteTask(access: WorkspaceAccess, taskId: string): Promise<void> {
    this.deps.workspaces.assertCan(access, 'leads.write');
    const task = await this.visibleTask(access, taskId);
    await this.deps.db.transaction(async (tx) => {
      await this.deps.repo.deleteTask(tx, access.workspaceId, taskId);
      if (task.contactId || task.leadId) {
        await this.record(tx, access.workspaceId, access.actor, [
          { type: 'task.deleted', contactId: task.contactId, leadId: task.leadId, data: { taskId, title: task.title } },
        ]);
      }
    });
  }

  private async taskById(workspaceId: string, taskId: string) {
    const row = (await this.deps.repo.taskView(workspaceId, taskId))!;
    return this.taskView(row.task, row.assigneeName, row.leadName);
  }

  /** Agents reach tasks assigned to them, created by them, or on a lead they own. */
  private async visibleTask(access: WorkspaceAccess, taskId: string): Promise<TaskRow> {
    const task = await this.deps.repo.getTask(access.workspaceId, taskId);
    if (!task) throw notFound('This task');
    const scope = ownerScopeOf(access);
    if (scope && task.assigneeId !== scope && task.createdBy !== scope) {
      const lead = task.leadId
        ? await this.deps.leadsRepo.get(access.workspaceId, task.leadId, { ownerScope: scope })
        : undefined;
      if (!lead) throw notFound('This task');
    }
    return task;
  }

  private taskView(task: TaskRow, assigneeName: string | null, leadName: string | null) {
    return {
      id: task.id,
      title: task.title,
      dueAt: task.dueAt,
      remindAt: task.remindAt,
      assignee: task.assigneeId ? { id: task.assigneeId, name: assigneeName } : null,
      leadId: task.leadId,
      contactId: task.contactId,
      lead: task.leadId ? { id: task.leadId, name: leadName ?? '' } : null,
      doneAt: task.doneAt,
      createdAt: task.createdAt,
    };
  }

  // Shared checks

  private async visibleContact(access: WorkspaceAccess, contactId: string) {
    const contact = await this.deps.contactsRepo.get(access.workspaceId, contactId, {
      ownerScope: ownerScopeOf(access),
    });
    if (!contact) throw notFound('This contact');
    return contact;
  }

  private async visibleLead(access: WorkspaceAccess, leadId: string) {
    const lead = await this.deps.leadsRepo.get(access.workspaceId, leadId, { ownerScope: ownerScopeOf(access) });
    if (!lead) throw notFound('This lead');
    return lead;
  }

  private async assertMember(workspaceId: string, userId: string, path: string): Promise<void> {
    if (!(await this.deps.leadsRepo.member(workspaceId, userId)))
      throw invalid(path, 'This person is not a member of the workspace.');
  }
}

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', message, { details: [{ path, message }] });
