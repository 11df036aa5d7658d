import { and, asc, desc, eq, inArray, isNull, lt, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { type Db, type DbOrTx, rowsOf } from '../../db/client';
import { activities, apiKeys, leads, memberships, notes, tasks, users, workspaces } from '../../db/schema';
import { chunks } from '../../lib/chunks';

export type ActivityRow = typeof activities.$inferSelect;
export type NoteRow = typeof notes.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;

/** An activity's, note's or task's lead is visible to `ownerId` (or the row has no lead). */
const leadVisible = (leadIdColumn: AnyPgColumn, workspaceId: string, ownerId: string) =>
  sql`(${leadIdColumn} is null or exists (select 1 from ${leads} l where l.workspace_id = ${workspaceId} and l.id = ${leadIdColumn} and l.owner_id = ${ownerId}))`;

export interface TaskFilter {
  assigneeId?: string | null;
  status: 'open' | 'done' | 'all';
  due: 'overdue' | 'today' | 'upcoming' | 'any';
  timezone: string;
  now: Date;
  leadId?: string;
  contactId?: string;
  /** Agents: tasks assigned to them, created by them, or on a lead they own. */
  ownerScope?: string;
  limit: number;
}

/** Queries of the timeline, notes and tasks; every one takes `workspaceId` first. */
export class ActivityRepository {
  constructor(private readonly db: Db) {}

  async insertActivities(tx: DbOrTx, rows: (typeof activities.$inferInsert)[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 1000) await tx.insert(activities).values(rows.slice(i, i + 1000));
  }

  /** Newest first; `before` is the last id of the previous page (ids are time-ordered UUIDv7). */
  async listActivities(
    workspaceId: string,
    of: { leadId: string } | { contactId: string },
    options: { before?: string; limit: number; ownerScope?: string },
  ) {
    const conditions: SQL[] = [eq(activities.workspaceId, workspaceId)];
    if ('leadId' in of) conditions.push(eq(activities.leadId, of.leadId));
    else conditions.push(eq(activities.contactId, of.contactId));
    if (options.before) conditions.push(lt(activities.id, options.before));
    if (options.ownerScope) conditions.push(leadVisible(activities.leadId, workspaceId, options.ownerScope));
    return this.db
      .select({ activity: activities, userName: users.name, keyName: apiKeys.name })
      .from(activities)
      .leftJoin(users, and(eq(activities.actorType, 'user'), eq(users.id, activities.actorId)))
      .leftJoin(
        apiKeys,
        and(
          eq(activities.actorType, 'api_key'),
          eq(apiKeys.workspaceId, workspaceId),
          eq(apiKeys.id, activities.actorId),
        ),
      )
      .where(and(...conditions))
      .orderBy(desc(activities.id))
      .limit(options.limit);
  }

  // Notes

  async insertNote(tx: DbOrTx, row: typeof notes.$inferInsert): Promise<NoteRow> {
    const [note] = await tx.insert(notes).values(row).returning();
    return note!;
  }

  async getNote(workspaceId: string, noteId: string, tx: DbOrTx = this.db): Promise<NoteRow | undefined> {
    const [note] = await tx
      .select()
      .from(notes)
      .where(and(eq(notes.workspaceId, workspaceId), eq(notes.id, noteId)))
      .limit(1);
    return note;
  }

  async listNotes(workspaceId: string, contactId: string, ownerScope?: string) {
    const conditions: SQL[] = [eq(notes.workspaceId, workspaceId), eq(notes.contactId, contactId)];
    if (ownerScope) conditions.push(leadVisible(notes.leadId, workspaceId, ownerScope));
    return this.db
      .select({ note: notes, authorName: users.name })
      .from(notes)
      .leftJoin(users, eq(users.id, notes.authorId))
      .where(and(...conditions))
      .orderBy(desc(notes.id))
      .limit(1000);
  }

  async updateNote(tx: DbOrTx, workspaceId: string, noteId: string, patch: Partial<Pick<NoteRow, 'body' | 'format'>>) {
    const [note] = await tx
      .update(notes)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(notes.workspaceId, workspaceId), eq(notes.id, noteId)))
      .returning();
    return note!;
  }

  async deleteNote(tx: DbOrTx, workspaceId: string, noteId: string): Promise<void> {
    await tx.delete(notes).where(and(eq(notes.workspaceId, workspaceId), eq(notes.id, noteId)));
  }

  async userName(workspaceId: string, userId: string | null): Promise<string | null> {
    if (!userId) return null;
    const [row] = rowsOf<{ name: string }>(
      await this.db.execute(
        sql`select u.name from users u join memberships m on m.user_id = u.id and m.workspace_id = ${workspaceId} where u.id = ${userId}`,
      ),
    );
    return row?.name ?? null;
  }

  // Tasks

  async insertTask(tx: DbOrTx, row: typeof tasks.$inferInsert): Promise<TaskRow> {
    const [task] = await tx.insert(tasks).values(row).returning();
    return task!;
  }

  async getTask(workspaceId: string, taskId: string, tx: DbOrTx = this.db): Promise<TaskRow | undefined> {
    const [task] = await tx
      .select()
      .from(tasks)
      .where(and(eq(tasks.workspaceId, workspaceId), eq(tasks.id, taskId)))
      .limit(1);
    return task;
  }

  async updateTask(tx: DbOrTx, workspaceId: string, taskId: string, patch: Partial<TaskRow>): Promise<TaskRow> {
    const [task] = await tx
      .update(tasks)
      .set(patch)
      .where(and(eq(tasks.workspaceId, workspaceId), eq(tasks.id, taskId)))
      .returning();
    return task!;
  }

  async deleteTask(tx: DbOrTx, workspaceId: string, taskId: string): Promise<void> {
    await tx.delete(tasks).where(and(eq(tasks.workspaceId, workspaceId), eq(tasks.id, taskId)));
  }

  /**
   * Tasks with their assignee and lead. "today" and "overdue" are computed in the workspace's timezone: today is
   * from its local midnight to the next.
   */
  async listTasks(workspaceId: string, filter: TaskFilter) {
    const conditions: SQL[] = [eq(tasks.workspaceId, workspaceId)];
    if (filter.assigneeId !== undefined) {
      conditions.push(filter.assigneeId === null ? isNull(tasks.assigneeId) : eq(tasks.assigneeId, filter.assigneeId));
    }
    if (filter.status === 'open') conditions.push(isNull(tasks.doneAt));
    if (filter.status === 'done') conditions.push(sql`${tasks.doneAt} is not null`);
    const now = sql`${filter.now.toISOString()}::timestamptz`;
    const startOfToday = sql`(date_trunc('day', ${now} at time zone ${filter.timezone}) at time zone ${filter.timezone})`;
    const startOfTomorrow = sql`((date_trunc('day', ${now} at time zone ${filter.timezone}) + interval '1 day') at time zone ${filter.timezone})`;
    if (filter.due === 'overdue') conditions.push(sql`${tasks.dueAt} < ${now}`);
    if (filter.due === 'today')
      conditions.push(sql`${tasks.dueAt} >= ${startOfToday} and ${tasks.dueAt} < ${startOfTomorrow}`);
    if (filter.due === 'upcoming') conditions.push(sql`${tasks.dueAt} >= ${startOfTomorrow}`);
    if (filter.leadId) conditions.push(eq(tasks.leadId, filter.leadId));
    if (filter.contactId) conditions.push(eq(tasks.contactId, filter.contactId));
    if (filter.ownerScope) {
      const me = filter.ownerScope;
      conditions.push(
        sql`(${tasks.assigneeId} = ${me} or ${tasks.createdBy} = ${me} or exists (select 1 from ${leads} l where l.workspace_id = ${workspaceId} and l.id = ${tasks.leadId} and l.owner_id = ${me}))`,
      );
    }
    return this.db
      .select({ task: tasks, assigneeName: users.name, leadName: leads.name })
      .from(tasks)
      .leftJoin(users, eq(users.id, tasks.assigneeId))
      .leftJoin(leads, and(eq(leads.workspaceId, workspaceId), eq(leads.id, tasks.leadId)))
      .where(and(...conditions))
      .orderBy(sql`${tasks.dueAt} asc nulls last`, asc(tasks.id))
      .limit(filter.limit);
  }

  async taskView(workspaceId: string, taskId: string) {
    const [row] = await this.db
      .select({ task: tasks, assigneeName: users.name, leadName: leads.name })
      .from(tasks)
      .leftJoin(users, eq(users.id, tasks.assigneeId))
      .leftJoin(leads, and(eq(leads.workspaceId, workspaceId), eq(leads.id, tasks.leadId)))
      .where(and(eq(tasks.workspaceId, workspaceId), eq(tasks.id, taskId)))
      .limit(1);
    return row;
  }

  // Reminders. The sweep reads across workspaces on purpose: it is the system's clock, not a request of one workspace.

  /**
   * Claims up to `limit` due reminders (remind_at passed, not yet reminded, open, assigned) by setting `reminded_at`,
   * and returns them. `FOR UPDATE SKIP LOCKED`: concurrent sweeps claim disjoint rows, and a row claimed by a
   * committed sweep no longer matches, so each reminder is claimed exactly once.
   */
  async claimDueReminders(tx: DbOrTx, now: Date, limit: number) {
    const at = now.toISOString();
    return rowsOf<{ workspace_id: string; id: string }>(
      await tx.execute(sql`
        update ${tasks} t set reminded_at = ${at}::timestamptz
        from (
          select workspace_id, id from ${tasks}
          where remind_at <= ${at}::timestamptz and reminded_at is null and done_at is null and assignee_id is not null
          order by remind_at
          limit ${limit}
          for update skip locked
        ) due
        where t.workspace_id = due.workspace_id and t.id = due.id
        returning t.workspace_id, t.id`),
    );
  }

  /** A task with what its reminder email needs: the assignee if still a member, the lead's name, the timezone. */
  async reminderContext(workspaceId: string, taskId: string) {
    const [row] = await this.db
      .select({
        task: tasks,
        assigneeName: users.name,
        assigneeEmail: users.email,
        leadName: leads.name,
        timezone: workspaces.timezone,
        workspaceName: workspaces.name,
      })
      .from(tasks)
      .innerJoin(workspaces, eq(workspaces.id, tasks.workspaceId))
      .leftJoin(
        memberships,
        and(eq(memberships.workspaceId, tasks.workspaceId), eq(memberships.userId, tasks.assigneeId)),
      )
      .leftJoin(users, eq(users.id, memberships.userId))
      .leftJoin(leads, and(eq(leads.workspaceId, workspaceId), eq(leads.id, tasks.leadId)))
      .where(and(eq(tasks.workspaceId, workspaceId), eq(tasks.id, taskId)))
      .limit(1);
    return row;
  }

  /** Whether this reminder (task and remind time) is already on the timeline, i.e. its email went out. */
  async reminderRecorded(
    workspaceId: string,
    task: Pick<TaskRow, 'id' | 'leadId' | 'contactId' | 'remindAt'>,
  ): Promise<boolean> {
    if (!task.leadId && !task.contactId) return false;
    const on = task.leadId ? eq(activities.leadId, task.leadId) : eq(activities.contactId, task.contactId!);
    const [row] = await this.db
      .select({ id: activities.id })
      .from(activities)
      .where(
        and(
          eq(activities.workspaceId, workspaceId),
          on,
          eq(activities.type, 'task.reminded'),
          sql`${activities.data}->>'taskId' = ${task.id}`,
          sql`${activities.data}->>'remindAt' = ${task.remindAt?.toISOString() ?? ''}`,
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  // Whole-contact and whole-lead moves and removals (merge, undo, delete)

  /** Ids of a contact's notes, tasks and activities, for a merge to record what it moved. */
  async idsOfContact(tx: DbOrTx, workspaceId: string, contactId: string) {
    const [noteIds, taskIds, activityIds] = await Promise.all([
      tx
        .select({ id: notes.id })
        .from(notes)
        .where(and(eq(notes.workspaceId, workspaceId), eq(notes.contactId, contactId))),
      tx
        .select({ id: tasks.id })
        .from(tasks)
        .where(and(eq(tasks.workspaceId, workspaceId), eq(tasks.contactId, contactId))),
      tx
        .select({ id: activities.id })
        .from(activities)
        .where(and(eq(activities.workspaceId, workspaceId), eq(activities.contactId, contactId))),
    ]);
    return {
      noteIds: noteIds.map((r) => r.id),
      taskIds: taskIds.map((r) => r.id),
      activityIds: activityIds.map((r) => r.id),
    };
  }

  async moveToContact(
    tx: DbOrTx,
    workspaceId: string,
    ids: { noteIds: string[]; taskIds: string[]; activityIds: string[] },
    contactId: string,
  ): Promise<void> {
    for (const chunk of chunks(ids.noteIds)) {
      await tx
        .update(notes)
        .set({ contactId })
        .where(and(eq(notes.workspaceId, workspaceId), inArray(notes.id, chunk)));
    }
    for (const chunk of chunks(ids.taskIds)) {
      await tx
        .update(tasks)
        .set({ contactId })
        .where(and(eq(tasks.workspaceId, workspaceId), inArray(tasks.id, chunk)));
    }
    for (const chunk of chunks(ids.activityIds)) {
      await tx
        .update(activities)
        .set({ contactId })
        .where(and(eq(activities.workspaceId, workspaceId), inArray(activities.id, chunk)));
    }
  }

  async deleteForContact(tx: DbOrTx, workspaceId: string, contactId: string): Promise<void> {
    await tx.delete(notes).where(and(eq(notes.workspaceId, workspaceId), eq(notes.contactId, contactId)));
    await tx.delete(tasks).where(and(eq(tasks.workspaceId, workspaceId), eq(tasks.contactId, contactId)));
    await tx
      .delete(activities)
      .where(and(eq(activities.workspaceId, workspaceId), eq(activities.contactId, contactId)));
  }

  /** A deleted lead takes its tasks and timeline with it; its notes stay on the contact. */
  async deleteForLeads(tx: DbOrTx, workspaceId: string, leadIds: string[]): Promise<void> {
    for (const chunk of chunks(leadIds)) {
      await tx.delete(tasks).where(and(eq(tasks.workspaceId, workspaceId), inArray(tasks.leadId, chunk)));
      await tx
        .delete(activities)
        .where(and(eq(activities.workspaceId, workspaceId), inArray(activities.leadId, chunk)));
      await tx
        .update(notes)
        .set({ leadId: null })
        .where(and(eq(notes.workspaceId, workspaceId), inArray(notes.leadId, chunk)));
    }
  }
}
