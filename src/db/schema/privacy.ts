import { pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Who acknowledged which version of the privacy policy, and when (P34). One row per person and version, kept for as
 * long as the account exists. Per person rather than per workspace (unlike `consents`): the policy binds the account,
 * whatever workspaces it belongs to. Where it was done from (IP, device, session) is in the audit log's matching
 * `privacy.policy_acknowledged` entry.
 */
export const policyAcknowledgements = pgTable(
  'policy_acknowledgements',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The policy's "Last Updated" day, ISO (`2025-01-01`). */
    policyVersion: text('policy_version').notNull(),
    /** SHA-256 of the policy text that was shown. */
    policySha256: text('policy_sha256').notNull(),
    /** How: `signup`, `invite` (registering from an invitation), `demo` (made by the server) or `prompt`. */
    method: text('method').$type<PolicyAcknowledgementMethod>().notNull(),
    acknowledgedAt: ts('acknowledged_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('policy_acknowledgements_user_version_key').on(t.userId, t.policyVersion)],
);

export type PolicyAcknowledgementMethod = 'signup' | 'invite' | 'demo' | 'prompt';
