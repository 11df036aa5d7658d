import type { Db, DbOrTx } from '../../db/client';
import type { AuditService } from '../audit/audit.service';
import type { WorkspacesService } from '../workspaces/workspaces.service';

/** Pipelines and their ordered stages (open, won, lost). To be implemented (issue 4). */
export class PipelinesService {
  constructor(readonly deps: { db: Db; audit: AuditService; workspaces: WorkspacesService }) {}

  /** Where a new lead goes: the given stage (checked to belong to the pipeline), or the default pipeline's first stage. */
  async resolvePlacement(
    _tx: DbOrTx,
    _workspaceId: string,
    _input: { pipelineId?: string | null; stageId?: string | null },
  ): Promise<{ pipelineId: string; stageId: string }> {
    throw new Error('not implemented');
  }

  /** A stage of this workspace (with its pipeline and kind), or undefined. */
  async getStage(
    _workspaceId: string,
    _stageId: string,
    _tx?: DbOrTx,
  ): Promise<{ id: string; pipelineId: string; name: string; kind: 'open' | 'won' | 'lost' } | undefined> {
    throw new Error('not implemented');
  }
}

/** Gives a new workspace its default pipeline "Sales": New, Contacted, Qualified, Won (won), Lost (lost). */
export async function seedWorkspaceDefaults(_tx: DbOrTx, _workspaceId: string): Promise<void> {}
