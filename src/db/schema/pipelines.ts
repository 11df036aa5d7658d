import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const STAGE_KINDS = ['open', 'won', 'lost'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

export const pipelines = pgTable(
  'pipelines',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    /** New leads without a pipeline land in the default one. Exactly one per workspace. */
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const stages = pgTable(
  'stages',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    pipelineId: uuid('pipeline_id').notNull(),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    kind: text('kind').$type<StageKind>().notNull().default('open'),
    color: text('color').notNull().default('gray'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('stages_pipeline_idx').on(t.workspaceId, t.pipelineId, t.position),
  ],
);
