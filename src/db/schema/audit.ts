import { bigint, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Append-only, hash-chained. One chain per workspace (`ws:<id>`) plus `account` for events that belong to a person
 * rather than a workspace (sign-ins). A trigger in the migration refuses UPDATE and DELETE.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    chain: text('chain').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    id: uuid('id').notNull(),
    workspaceId: uuid('workspace_id'),
    actorType: text('actor_type').$type<'user' | 'api_key' | 'system' | 'anonymous'>().notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    sessionId: uuid('session_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.chain, t.seq] }),
    index('audit_log_workspace_time_idx').on(t.workspaceId, t.createdAt),
    index('audit_log_actor_time_idx').on(t.actorId, t.createdAt),
  ],
);

/**
 * The last row of each chain. Appends lock and advance it in the same transaction, and `audit verify` checks that
 * every chain still ends there, so removing the newest rows (which a hash chain alone cannot show) is detected.
 */
export const auditChainHeads = pgTable('audit_chain_heads', {
  chain: text('chain').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});
