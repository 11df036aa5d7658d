import { z } from 'zod';
import type { Config } from '../../app/config';
import type { Db } from '../../db/client';
import { defineJob, type JobQueue } from '../../jobs/queue';
import type { Logger } from '../../lib/logger';
import type { Mailer } from '../../lib/mailer';
import { SYSTEM_ACTOR } from '../audit/audit.service';
import { emailHtml, escapeHtml } from '../auth/auth.emails';
import type { ActivityRepository } from './activity.repository';
import type { ActivityService } from './activity.service';

/**
 * The reminder sweep, scheduled every minute on the worker (`* * * * *`). A missed or failed sweep costs nothing:
 * the next one picks up every reminder still due, so it is not retried.
 */
export const taskRemindersSweep = defineJob({
  name: 'activity.task_reminders',
  payload: z.object({}),
  retryLimit: 0,
  expireInSeconds: 5 * 60,
});

/** One reminder email; ids only, the address and the words are read when it is sent. */
export const sendTaskReminder = defineJob({
  name: 'activity.send_task_reminder',
  payload: z.object({ workspaceId: z.uuid(), taskId: z.uuid() }),
});

export const TASK_REMINDERS_CRON = '* * * * *';

/**
 * Task reminders. The sweep claims due reminders (`reminded_at`) and enqueues their emails in the same transaction,
 * so each reminder gets exactly one email job however many sweeps run at once. The email job re-reads the task and
 * sends nothing if it was completed, deleted, rescheduled or is assigned to someone who is no longer a member.
 */
export class TaskReminders {
  constructor(
    private readonly deps: {
      db: Db;
      repo: ActivityRepository;
      activity: ActivityService;
      queue: JobQueue;
      mailer: Mailer;
      config: Config;
      log: Logger;
    },
  ) {}

  /** Claims every due reminder, `batchSize` per transaction; returns how many were claimed. */
  async sweep(options: { now?: Date; batchSize?: number } = {}): Promise<number> {
    const now = options.now ?? new Date();
    const batchSize = options.batchSize ?? 500;
    let total = 0;
    for (;;) {
      const claimed = await this.deps.db.transaction(async (tx) => {
        const rows = await this.deps.repo.claimDueReminders(tx, now, batchSize);
        await this.deps.queue.sendMany(
          sendTaskReminder,
          rows.map((r) => ({ workspaceId: r.workspace_id, taskId: r.id })),
          { tx },
        );
        return rows.length;
      });
      total += claimed;
      if (claimed < batchSize) break;
    }
    if (total > 0) this.deps.log.info({ reminders: total }, 'task reminders claimed');
    return total;
  }

  async send({ workspaceId, taskId }: { workspaceId: string; taskId: string }): Promise<void> {
    const row = await this.deps.repo.reminderContext(workspaceId, taskId);
    if (!row) return; // deleted meanwhile
    const { task } = row;
    // Completed, unassigned, or rescheduled since the sweep (a new remind time clears reminded_at: a later sweep
    // claims it again and sends that one).
    if (task.doneAt || !task.assigneeId || !task.remindedAt || !task.remindAt) return;
    if (!row.assigneeEmail) return; // the assignee is no longer a member of the workspace
    // A retried job whose email already went out (the timeline entry is written right after sending).
    if (await this.deps.repo.reminderRecorded(workspaceId, task)) return;

    const base = `${this.deps.config.publicUrl}/w/${workspaceId}`;
    const link = task.leadId ? `${base}/leads/${task.leadId}` : `${base}/tasks`;
    const title = task.title.replace(/\s+/g, ' ').trim();
    const due = task.dueAt ? `Due ${formatInZone(task.dueAt, row.timezone)}.` : 'No due date.';
    const on = task.leadId && row.leadName ? ` on ${row.leadName}` : '';
    await this.deps.mailer.send({
      to: row.assigneeEmail,
      subject: `Reminder: ${title}`,
      text: `Hi ${row.assigneeName},\n\nA reminder for your task \u201c${title}\u201d${on} in ${row.workspaceName}.\n${due}\n\nOpen it:\n\n${link}\n`,
      html: emailHtml(
        `Hi ${escapeHtml(row.assigneeName ?? '')},`,
        `A reminder for your task <b>${escapeHtml(title)}</b>${escapeHtml(on)} in ${escapeHtml(row.workspaceName)}. ${escapeHtml(due)}`,
        link,
        task.leadId ? 'Open the lead' : 'Open your tasks',
      ),
    });
    if (task.leadId || task.contactId) {
      await this.deps.db.transaction((tx) =>
        this.deps.activity.record(tx, workspaceId, SYSTEM_ACTOR, [
          {
            type: 'task.reminded',
            leadId: task.leadId,
            contactId: task.contactId,
            data: {
              taskId: task.id,
              title: task.title,
              assigneeId: task.assigneeId,
              remindAt: task.remindAt?.toISOString() ?? null,
              dueAt: task.dueAt?.toISOString() ?? null,
            },
          },
        ]),
      );
    }
  }
}

/** "Friday, 5 June 2026 at 14:30 (Asia/Kuala_Lumpur)"; UTC when the stored zone is unknown to this runtime. */
export function formatInZone(at: Date, timeZone: string): string {
  const format = (zone: string) =>
    `${new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'full', timeStyle: 'short' }).format(at)} (${zone})`;
  try {
    return format(timeZone);
  } catch {
    return format('UTC');
  }
}
