import type { Db, DbOrTx } from '../../db/client';
import type { StageKind } from '../../db/schema';
import { AppError, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { AuditService } from '../audit/audit.service';
import type { WorkspaceAccess } from '../auth/principal';
import type { FieldsService } from '../fields/fields.service';
import { compileLeadQuery, type LeadQuery } from '../leads/lead-query';
import { ownerScopeOf } from '../leads/visibility';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import { type PipelineRow, PipelinesRepository, type StageRow } from './pipelines.repository';

export interface StageView {
  id: string;
  pipelineId: string;
  name: string;
  position: number;
  kind: StageKind;
  color: string;
}

export interface PipelineView {
  id: string;
  name: string;
  position: number;
  isDefault: boolean;
  stages: StageView[];
}

export interface StageInput {
  name: string;
  kind?: StageKind;
  color?: string;
}

/** A colour per kind for stages created without one (hex, so the web app can use it in CSS and in Mantine). */
const KIND_COLOR: Record<StageKind, string> = { open: '#228be6', won: '#12b886', lost: '#fa5252' };

const DEFAULT_STAGES: Required<StageInput>[] = [
  { name: 'New', kind: 'open', color: '#228be6' },
  { name: 'Contacted', kind: 'open', color: '#15aabf' },
  { name: 'Qualified', kind: 'open', color: '#7950f2' },
  { name: 'Won', kind: 'won', color: '#12b886' },
  { name: 'Lost', kind: 'lost', color: '#fa5252' },
];

const stageView = (s: StageRow): StageView => ({
  id: s.id,
  pipelineId: s.pipelineId,
  name: s.name,
  position: s.position,
  kind: s.kind,
  color: s.color,
});

const needsOpenStage = () =>
  new AppError('conflict', 'A pipeline needs at least one open stage, where new leads arrive.');

/**
 * Pipelines and their ordered stages (open, won, lost). Every workspace has exactly one default pipeline, and every
 * pipeline at least one open stage: new leads land in the first open stage.
 */
/** Where a new lead starts: a pipeline and one of its stages. */
export interface Placement {
  pipelineId: string;
  stageId: string;
}

export class PipelinesService {
  constructor(
    readonly deps: {
      db: Db;
      repo: PipelinesRepository;
      audit: AuditService;
      workspaces: WorkspacesService;
      fields: FieldsService;
    },
  ) {}

  private get repo() {
    return this.deps.repo;
  }

  /**
   * Where a new lead goes: the given stage (which must belong to this workspace, and to `pipelineId` when both are
   * given), else the first open stage of the given pipeline, else the first open stage of the default pipeline. The
   * stage is locked (`FOR KEY SHARE`) until the caller's transaction ends, so it cannot be deleted under the lead.
   * Unknown ids throw `validation_failed` with a detail on `stageId` or `pipelineId`.
   */
  async resolvePlacement(
    tx: DbOrTx,
    workspaceId: string,
    input: { pipelineId?: string | null; stageId?: string | null },
  ): Promise<Placement> {
    if (input.stageId) {
      const stage = await this.repo.getStage(workspaceId, input.stageId, { tx, lock: 'key share' });
      if (!stage) throw invalid('stageId', 'This stage does not exist in this workspace.');
      if (input.pipelineId && stage.pipelineId !== input.pipelineId) {
        throw invalid('stageId', 'This stage is not in the chosen pipeline.');
      }
      return { pipelineId: stage.pipelineId, stageId: stage.id };
    }
    let pipelineId = input.pipelineId;
    if (pipelineId) {
      if (!(await this.repo.getPipeline(workspaceId, pipelineId, tx))) {
        throw invalid('pipelineId', 'This pipeline does not exist in this workspace.');
      }
    } else {
      const pipeline = await this.repo.getDefaultPipeline(workspaceId, tx);
      if (!pipeline)
        throw new AppError('conflict', 'This workspace has no pipeline yet. Create one under Settings → Pipelines.');
      pipelineId = pipeline.id;
    }
    const stage = await this.repo.firstOpenStage(tx, workspaceId, pipelineId);
    if (!stage) throw needsOpenStage();
    return { pipelineId, stageId: stage.id };
  }

  /**
   * A stage of this workspace (with its pipeline and kind), or undefined. Inside a transaction the stage is locked
   * (`FOR KEY SHARE`) until it ends, so leads moved into it cannot be orphaned by a concurrent deletion.
   */
  async getStage(
    workspaceId: string,
    stageId: string,
    tx?: DbOrTx,
  ): Promise<{ id: string; pipelineId: string; name: string; kind: 'open' | 'won' | 'lost' } | undefined> {
    const stage = await this.repo.getStage(workspaceId, stageId, tx ? { tx, lock: 'key share' } : {});
    return stage && { id: stage.id, pipelineId: stage.pipelineId, name: stage.name, kind: stage.kind };
  }

  /** Every stage of the workspace (all pipelines), in board order: for lookups by id or name (imports, filters). */
  async listStages(workspaceId: string): Promise<StageView[]> {
    return (await this.repo.listStages(workspaceId)).map(stageView);
  }

  async list(access: WorkspaceAccess): Promise<PipelineView[]> {
    this.deps.workspaces.assertCan(access, 'leads.read');
    return this.views(access.workspaceId);
  }

  async create(access: WorkspaceAccess, input: { name: string; stages?: StageInput[] }): Promise<PipelineView> {
    this.assertManage(access);
    const stageInputs = input.stages?.length ? input.stages : DEFAULT_STAGES;
    if (!stageInputs.some((s) => (s.kind ?? 'open') === 'open')) {
      throw invalid('stages', 'A pipeline needs at least one open stage, where new leads arrive.');
    }
    const id = newId();
    await this.deps.db.transaction(async (tx) => {
      const existing = await this.repo.lockPipelines(tx, access.workspaceId);
      await this.repo.insertPipeline(tx, {
        workspaceId: access.workspaceId,
        id,
        name: input.name.trim(),
        position: existing.reduce((max, p) => Math.max(max, p.position + 1), 0),
        isDefault: existing.length === 0,
      });
      await this.repo.insertStages(tx, stageRows(access.workspaceId, id, stageInputs));
      await this.audit(access, tx, 'pipeline.created', id, { stages: stageInputs.length });
    });
    return this.view(access.workspaceId, id);
  }

  async update(
    access: WorkspaceAccess,
    pipelineId: string,
    patch: { name?: string; isDefault?: boolean },
  ): Promise<PipelineView> {
    this.assertManage(access);
    await this.deps.db.transaction(async (tx) => {
      const all = await this.repo.lockPipelines(tx, access.workspaceId);
      const pipeline = all.find((p) => p.id === pipelineId);
      if (!pipeline) throw notFound('This pipeline');
      assertSomething(patch);
      if (patch.isDefault === false && pipeline.isDefault) {
        throw new AppError(
          'conflict',
          'A workspace needs a default pipeline. Make another pipeline the default instead.',
        );
      }
      const changes: Partial<Pick<PipelineRow, 'name' | 'isDefault'>> = {};
      if (patch.name !== undefined) changes.name = patch.name.trim();
      if (patch.isDefault === true && !pipeline.isDefault) {
        await this.repo.clearDefaultExcept(tx, access.workspaceId, pipelineId);
        changes.isDefault = true;
      }
      if (Object.keys(changes).length === 0) return;
      await this.repo.updatePipeline(tx, access.workspaceId, pipelineId, changes);
      await this.audit(access, tx, 'pipeline.updated', pipelineId, { changed: Object.keys(changes) });
    });
    return this.view(access.workspaceId, pipelineId);
  }

  async remove(access: WorkspaceAccess, pipelineId: string): Promise<void> {
    this.assertManage(access);
    await this.deps.db.transaction(async (tx) => {
      const all = await this.repo.lockPipelines(tx, access.workspaceId);
      const pipeline = all.find((p) => p.id === pipelineId);
      if (!pipeline) throw notFound('This pipeline');
      if (pipeline.isDefault) {
        throw new AppError(
          'conflict',
          'The default pipeline cannot be deleted. Make another pipeline the default first.',
        );
      }
      // Locking the stages waits for leads being placed in them, so the count below sees those leads.
      await this.repo.lockStages(tx, access.workspaceId, pipelineId, 'update');
      const count = await this.repo.countLeads(tx, access.workspaceId, { pipelineId });
      if (count > 0) {
        throw new AppError(
          'conflict',
          `This pipeline still has ${count} lead${count === 1 ? '' : 's'}. Move or delete them before deleting the pipeline.`,
        );
      }
      await this.repo.deletePipeline(tx, access.workspaceId, pipelineId);
      await this.audit(access, tx, 'pipeline.deleted', pipelineId, { name: pipeline.name });
    });
  }

  /** Adds a stage: an open stage goes after the last open one (before won/lost), a closed stage at the end. */
  async addStage(access: WorkspaceAccess, pipelineId: string, input: StageInput): Promise<StageView> {
    this.assertManage(access);
    const kind = input.kind ?? 'open';
    const [row] = stageRows(access.workspaceId, pipelineId, [{ ...input, kind }]);
    await this.deps.db.transaction(async (tx) => {
      if (!(await this.repo.getPipeline(access.workspaceId, pipelineId, tx))) throw notFound('This pipeline');
      const current = await this.repo.lockStages(tx, access.workspaceId, pipelineId);
      const order = current.map((s) => s.id);
      order.splice(kind === 'open' ? current.findLastIndex((s) => s.kind === 'open') + 1 : current.length, 0, row!.id);
      await this.repo.insertStages(tx, [{ ...row!, position: current.length }]);
      await this.repo.setStagePositions(tx, access.workspaceId, order);
      await this.audit(access, tx, 'stage.created', row!.id, { pipelineId, kind });
    });
    return stageView((await this.repo.getStage(access.workspaceId, row!.id))!);
  }

  async updateStage(access: WorkspaceAccess, stageId: string, patch: Partial<StageInput>): Promise<StageView> {
    this.assertManage(access);
    return this.deps.db.transaction(async (tx) => {
      const stage = await this.repo.getStage(access.workspaceId, stageId, { tx });
      if (!stage) throw notFound('This stage');
      assertSomething(patch);
      const siblings = await this.repo.lockStages(tx, access.workspaceId, stage.pipelineId);
      if (patch.kind && patch.kind !== 'open' && stage.kind === 'open') {
        if (!siblings.some((s) => s.id !== stageId && s.kind === 'open')) throw needsOpenStage();
      }
      const changes: Partial<Pick<StageRow, 'name' | 'kind' | 'color'>> = {};
      if (patch.name !== undefined) changes.name = patch.name.trim();
      if (patch.kind !== undefined) changes.kind = patch.kind;
      if (patch.color !== undefined) changes.color = patch.color;
      if (Object.keys(changes).length === 0) return stageView(stage);
      const updated = await this.repo.updateStage(tx, access.workspaceId, stageId, changes);
      await this.audit(access, tx, 'stage.updated', stageId, {
        pipelineId: stage.pipelineId,
        changed: Object.keys(changes),
        ...(changes.kind ? { kind: { from: stage.kind, to: changes.kind } } : {}),
      });
      return stageView(updated);
    });
  }

  /** `stageIds` must be exactly the pipeline's stages, in the new order. */
  async reorderStages(access: WorkspaceAccess, pipelineId: string, stageIds: string[]): Promise<PipelineView> {
    this.assertManage(access);
    await this.deps.db.transaction(async (tx) => {
      if (!(await this.repo.getPipeline(access.workspaceId, pipelineId, tx))) throw notFound('This pipeline');
      const current = await this.repo.lockStages(tx, access.workspaceId, pipelineId);
      const known = new Set(current.map((s) => s.id));
      const given = new Set(stageIds);
      if (given.size !== stageIds.length || given.size !== known.size || stageIds.some((id) => !known.has(id))) {
        throw invalid('stageIds', 'List every stage of this pipeline exactly once, in the new order.');
      }
      await this.repo.setStagePositions(tx, access.workspaceId, stageIds);
      await this.audit(access, tx, 'pipeline.stages_reordered', pipelineId, { stageIds });
    });
    return this.view(access.workspaceId, pipelineId);
  }

  /**
   * Deletes a stage. Its leads move to `moveTo` (any other stage of the workspace; one audit row records how many);
   * without `moveTo` a stage that has leads answers 409. The last open stage of a pipeline cannot go.
   */
  async removeStage(access: WorkspaceAccess, stageId: string, moveTo?: string): Promise<void> {
    this.assertManage(access);
    await this.deps.db.transaction(async (tx) => {
      const stage = await this.repo.getStage(access.workspaceId, stageId, { tx });
      if (!stage) throw notFound('This stage');
      // Siblings first (serialises stage changes), then this stage for update: that waits for leads being placed in
      // it, so the count below sees them, and keeps new ones out until the stage is gone.
      const siblings = await this.repo.lockStages(tx, access.workspaceId, stage.pipelineId);
      await this.repo.getStage(access.workspaceId, stageId, { tx, lock: 'update' });
      if (stage.kind === 'open' && !siblings.some((s) => s.id !== stageId && s.kind === 'open')) throw needsOpenStage();
      let target: StageRow | undefined;
      if (moveTo) {
        if (moveTo === stageId) throw invalid('moveTo', 'Choose another stage to move its leads to.');
        target = await this.repo.getStage(access.workspaceId, moveTo, { tx, lock: 'key share' });
        if (!target) throw invalid('moveTo', 'The stage to move leads to does not exist in this workspace.');
      }
      const count = await this.repo.countLeads(tx, access.workspaceId, { stageId });
      if (count > 0 && !target) {
        throw new AppError(
          'conflict',
          `This stage still has ${count} lead${count === 1 ? '' : 's'}. Choose a stage to move them to (moveTo).`,
        );
      }
      const moved =
        target && count > 0
          ? await this.repo.moveLeads(tx, access.workspaceId, stageId, {
              pipelineId: target.pipelineId,
              stageId: target.id,
            })
          : 0;
      await this.repo.deleteStage(tx, access.workspaceId, stageId);
      await this.repo.setStagePositions(
        tx,
        access.workspaceId,
        siblings.filter((s) => s.id !== stageId).map((s) => s.id),
      );
      await this.audit(access, tx, 'stage.deleted', stageId, {
        pipelineId: stage.pipelineId,
        name: stage.name,
        ...(target ? { movedTo: target.id, movedLeads: moved } : {}),
      });
    });
  }

  /**
   * Per-stage count and total value of the pipeline's leads matching a LeadQuery, for the board. Callers without
   * `leads.read_all` count only the leads they own. Every stage is listed, empty ones with zeros.
   */
  async summary(
    access: WorkspaceAccess,
    pipelineId: string,
    query: LeadQuery,
  ): Promise<{ stages: { stageId: string; count: number; value: number | null }[] }> {
    this.deps.workspaces.assertCan(access, 'leads.read');
    const pipeline = await this.repo.getPipeline(access.workspaceId, pipelineId);
    if (!pipeline) throw notFound('This pipeline');
    const fields = await this.deps.fields.specs(access.workspaceId, 'lead');
    const compiled = compileLeadQuery(access.workspaceId, query, fields, { ownerId: ownerScopeOf(access) });
    const [stages, counts] = await Promise.all([
      this.repo.listStages(access.workspaceId, pipelineId),
      this.repo.summary(access.workspaceId, pipelineId, compiled.where),
    ]);
    const byStage = new Map(counts.map((c) => [c.stageId, c]));
    return {
      stages: stages.map((s) => ({
        stageId: s.id,
        count: byStage.get(s.id)?.count ?? 0,
        value: byStage.get(s.id)?.value ?? null,
      })),
    };
  }

  private assertManage(access: WorkspaceAccess): void {
    this.deps.workspaces.assertCan(access, 'settings.manage');
  }

  private async audit(
    access: WorkspaceAccess,
    tx: DbOrTx,
    action: string,
    targetId: string,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    const type = action.startsWith('stage.') ? 'stage' : 'pipeline';
    await this.deps.audit.record(
      { workspaceId: access.workspaceId, actor: access.actor, action, target: { type, id: targetId }, metadata },
      tx,
    );
  }

  private async views(workspaceId: string): Promise<PipelineView[]> {
    const [pipelines, stages] = await Promise.all([
      this.repo.listPipelines(workspaceId),
      this.repo.listStages(workspaceId),
    ]);
    return pipelines.map((p) => ({
      id: p.id,
      name: p.name,
      position: p.position,
      isDefault: p.isDefault,
      stages: stages.filter((s) => s.pipelineId === p.id).map(stageView),
    }));
  }

  private async view(workspaceId: string, pipelineId: string): Promise<PipelineView> {
    const found = (await this.views(workspaceId)).find((p) => p.id === pipelineId);
    if (!found) throw notFound('This pipeline');
    return found;
  }
}

/** An empty PATCH is refused after the lookup, so an unknown id answers 404 whatever the body. */
function assertSomething(patch: object): void {
  if (!Object.values(patch).some((v) => v !== undefined)) throw new AppError('validation_failed', 'Nothing to change');
}

function invalid(path: string, message: string): AppError {
  return new AppError('validation_failed', message, { details: [{ path, message }] });
}

function stageRows(workspaceId: string, pipelineId: string, inputs: StageInput[], from = 0) {
  return inputs.map((s, i) => {
    const kind = s.kind ?? 'open';
    return {
      workspaceId,
      id: newId(),
      pipelineId,
      name: s.name.trim(),
      position: from + i,
      kind,
      color: s.color ?? KIND_COLOR[kind],
    };
  });
}

/**
 * Gives a new workspace its default pipeline "Sales": New, Contacted, Qualified (open), Won (won), Lost (lost).
 * Runs in the transaction that creates the workspace (sign-up, or another workspace).
 */
export async function seedWorkspaceDefaults(tx: DbOrTx, workspaceId: string): Promise<void> {
  const repo = new PipelinesRepository(tx as Db);
  const pipelineId = newId();
  await repo.insertPipeline(tx, { workspaceId, id: pipelineId, name: 'Sales', position: 0, isDefault: true });
  await repo.insertStages(tx, stageRows(workspaceId, pipelineId, DEFAULT_STAGES));
}
