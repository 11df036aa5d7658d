import type { Db, DbOrTx } from '../../db/client';
import { AppError, type ErrorDetail, forbidden, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { AuditService } from '../audit/audit.service';
import type { WorkspaceAccess } from '../auth/principal';
import type { FieldsService } from '../fields/fields.service';
import { roleCan } from '../workspaces/permissions';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import {
  CONDITION_FIELDS,
  type ConditionOp,
  nextInRotation,
  type RoutableLead,
  type RoutingCondition,
  ruleMatches,
} from './conditions';
import type { RoutingMemberRow, RoutingRepository, RoutingRuleRow } from './routing.repository';

export type { RoutableLead } from './conditions';

export type RuleAssign = { type: 'user'; userId: string } | { type: 'round_robin'; userIds: string[] };

export interface RoutingRuleView {
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  conditions: Array<{ field: string; op: ConditionOp; value: unknown }>;
  assign: RuleAssign;
}

export interface RuleInput {
  name: string;
  enabled?: boolean;
  conditions?: Array<{ field: string; op: ConditionOp; value?: unknown }>;
  assign: RuleAssign;
}

export interface RoutingMemberView {
  userId: string;
  name: string;
  role: RoutingMemberRow['role'];
  available: boolean;
  capacity: number | null;
  openLeads: number;
}

const view = (r: RoutingRuleRow): RoutingRuleView => ({
  id: r.id,
  name: r.name,
  position: r.position,
  enabled: r.enabled,
  conditions: r.conditions.map((c) => ({ field: c.field, op: c.op as ConditionOp, value: c.value ?? null })),
  assign: r.assign,
});

/** Members who can own leads: a role that may work leads (not viewers). */
const canOwnLeads = (m: RoutingMemberRow) => roleCan(m.role, 'leads.write');

/**
 * Owner assignment for new leads: ordered rules, the first that matches and can name an owner wins. A rule names one
 * user (skipped once they are no longer a member) or rotates among users (round robin), skipping those who are away,
 * at capacity (open leads ≥ capacity) or gone. A rule that can name nobody passes the lead to the next matching rule.
 */
export class RoutingService {
  constructor(
    readonly deps: {
      db: Db;
      repo: RoutingRepository;
      audit: AuditService;
      workspaces: WorkspacesService;
      fields: FieldsService;
    },
  ) {}

  /**
   * The owner for a new lead, or null when no rule matches or nobody is eligible. Runs inside the caller's
   * transaction: a round robin locks its rule row (`FOR UPDATE`) and records its pick there, so concurrent captures
   * rotate correctly and a rolled-back capture does not consume a turn. `rules` are the enabled rules when the caller
   * already read them (a batch of captures in one transaction).
   */
  async chooseOwner(
    tx: DbOrTx,
    workspaceId: string,
    lead: RoutableLead,
    rules?: RoutingRuleRow[],
  ): Promise<string | null> {
    rules ??= await this.enabledRules(tx, workspaceId);
    for (const rule of rules) {
      if (!ruleMatches(rule.conditions, lead)) continue;
      if (rule.assign.type === 'user') {
        const [member] = await this.deps.repo.members(workspaceId, { userIds: [rule.assign.userId], tx });
        if (member && canOwnLeads(member)) return member.userId;
        continue;
      }
      const rotation = await this.deps.repo.lockRotation(tx, workspaceId, rule.id);
      if (!rotation) continue;
      // Read after taking the lock, so the open-lead counts include leads given by captures that went first.
      const members = new Map(
        (await this.deps.repo.members(workspaceId, { userIds: rule.assign.userIds, tx })).map((m) => [m.userId, m]),
      );
      const pick = nextInRotation(rule.assign.userIds, rotation.lastUserId, (id) => {
        const m = members.get(id);
        return !!m && canOwnLeads(m) && m.available && (m.capacity === null || m.openLeads < m.capacity);
      });
      if (!pick) continue;
      await this.deps.repo.setLastUser(tx, workspaceId, rule.id, pick);
      return pick;
    }
    return null;
  }

  /** The enabled rules, in order (read inside the caller's transaction). */
  enabledRules(tx: DbOrTx, workspaceId: string): Promise<RoutingRuleRow[]> {
    return this.deps.repo.listRules(workspaceId, { enabledOnly: true, tx });
  }

  async listRules(access: WorkspaceAccess): Promise<RoutingRuleView[]> {
    this.deps.workspaces.assertCan(access, 'leads.read');
    return (await this.deps.repo.listRules(access.workspaceId)).map(view);
  }

  async createRule(access: WorkspaceAccess, input: RuleInput): Promise<RoutingRuleView> {
    this.deps.workspaces.assertCan(access, 'settings.manage');
    const conditions = await this.checkConditions(access.workspaceId, input.conditions ?? []);
    return this.deps.db.transaction(async (tx) => {
      await this.checkAssign(tx, access.workspaceId, input.assign);
      const existing = await this.deps.repo.lockRules(tx, access.workspaceId);
      const row = await this.deps.repo.insertRule(tx, {
        workspaceId: access.workspaceId,
        id: newId(),
        name: input.name.trim(),
        position: existing.reduce((max, r) => Math.max(max, r.position + 1), 0),
        enabled: input.enabled ?? true,
        conditions,
        assign: normaliseAssign(input.assign),
      });
      await this.audit(access, tx, 'routing_rule.created', row.id, {
        assign: row.assign.type,
        conditions: conditions.length,
      });
      return view(row);
    });
  }

  async updateRule(access: WorkspaceAccess, ruleId: string, patch: Partial<RuleInput>): Promise<RoutingRuleView> {
    this.deps.workspaces.assertCan(access, 'settings.manage');
    return this.deps.db.transaction(async (tx) => {
      const rule = await this.deps.repo.getRule(access.workspaceId, ruleId, tx);
      if (!rule) throw notFound('This routing rule');
      assertSomething(patch);
      const conditions = patch.conditions && (await this.checkConditions(access.workspaceId, patch.conditions, tx));
      const changes: Parameters<RoutingRepository['updateRule']>[3] = {};
      if (patch.name !== undefined) changes.name = patch.name.trim();
      if (patch.enabled !== undefined) changes.enabled = patch.enabled;
      if (conditions) changes.conditions = conditions;
      if (patch.assign) {
        await this.checkAssign(tx, access.workspaceId, patch.assign);
        changes.assign = normaliseAssign(patch.assign);
        changes.lastUserId = null;
      }
      if (Object.keys(changes).length === 0) return view(rule);
      const updated = await this.deps.repo.updateRule(tx, access.workspaceId, ruleId, changes);
      await this.audit(access, tx, 'routing_rule.updated', ruleId, {
        changed: Object.keys(changes).filter((k) => k !== 'lastUserId'),
      });
      return view(updated);
    });
  }

  async deleteRule(access: WorkspaceAccess, ruleId: string): Promise<void> {
    this.deps.workspaces.assertCan(access, 'settings.manage');
    await this.deps.db.transaction(async (tx) => {
      const rule = await this.deps.repo.getRule(access.workspaceId, ruleId, tx);
      if (!rule) throw notFound('This routing rule');
      await this.deps.repo.deleteRule(tx, access.workspaceId, ruleId);
      await this.audit(access, tx, 'routing_rule.deleted', ruleId, { name: rule.name });
    });
  }

  /** `ruleIds` must be every rule of the workspace exactly once, in the new order (first = evaluated first). */
  async reorderRules(access: WorkspaceAccess, ruleIds: string[]): Promise<RoutingRuleView[]> {
    this.deps.workspaces.assertCan(access, 'settings.manage');
    await this.deps.db.transaction(async (tx) => {
      const current = await this.deps.repo.lockRules(tx, access.workspaceId);
      const known = new Set(current.map((r) => r.id));
      const given = new Set(ruleIds);
      if (given.size !== ruleIds.length || given.size !== known.size || ruleIds.some((id) => !known.has(id))) {
        throw invalid('ruleIds', 'List every routing rule exactly once, in the new order.');
      }
      await this.deps.repo.setPositions(tx, access.workspaceId, ruleIds);
      await this.deps.audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: 'routing_rules.reordered',
          target: { type: 'workspace', id: access.workspaceId },
          metadata: { ruleIds },
        },
        tx,
      );
    });
    return (await this.deps.repo.listRules(access.workspaceId)).map(view);
  }

  async listMembers(access: WorkspaceAccess): Promise<RoutingMemberView[]> {
    this.deps.workspaces.assertCan(access, 'leads.read');
    return this.deps.repo.members(access.workspaceId);
  }

  /** `settings.manage` changes anyone's availability and capacity; a member may change their own availability. */
  async updateMember(
    access: WorkspaceAccess,
    userId: string,
    patch: { available?: boolean; capacity?: number | null },
  ): Promise<RoutingMemberView> {
    const self = access.principal.kind === 'session' && access.principal.userId === userId;
    const onlyAvailability = patch.capacity === undefined;
    if (!(self && onlyAvailability)) {
      if (self && !access.permissions.has('settings.manage')) {
        throw forbidden('You can change your own availability; your capacity is set by an admin.');
      }
      this.deps.workspaces.assertCan(access, 'settings.manage');
    }
    await this.deps.db.transaction(async (tx) => {
      const [before] = await this.deps.repo.members(access.workspaceId, { userIds: [userId], tx });
      if (!before) throw notFound('This member');
      assertSomething(patch);
      const changes: { available?: boolean; capacity?: number | null } = {};
      if (patch.available !== undefined && patch.available !== before.available) changes.available = patch.available;
      if (patch.capacity !== undefined && patch.capacity !== before.capacity) changes.capacity = patch.capacity;
      if (Object.keys(changes).length === 0) return;
      await this.deps.repo.updateMember(tx, access.workspaceId, userId, changes);
      await this.deps.audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: 'member.routing_changed',
          target: { type: 'user', id: userId },
          metadata: Object.fromEntries(
            Object.entries(changes).map(([k, to]) => [k, { from: before[k as keyof typeof changes], to }]),
          ),
        },
        tx,
      );
    });
    const [after] = await this.deps.repo.members(access.workspaceId, { userIds: [userId] });
    return after!;
  }

  /** Fields must be routable (`custom.<key>` an active lead field); `in` takes a list, the others one value. */
  private async checkConditions(
    workspaceId: string,
    conditions: Array<{ field: string; op: ConditionOp; value?: unknown }>,
    tx?: DbOrTx,
  ): Promise<RoutingCondition[]> {
    const customKeys = new Set((await this.deps.fields.specs(workspaceId, 'lead', tx)).map((f) => f.key));
    const problems: ErrorDetail[] = [];
    const out: RoutingCondition[] = [];
    conditions.forEach((c, i) => {
      const path = `conditions.${i}`;
      const builtIn = (CONDITION_FIELDS as readonly string[]).includes(c.field);
      const custom = c.field.startsWith('custom.') && customKeys.has(c.field.slice('custom.'.length));
      if (!builtIn && !custom) {
        problems.push({
          path: `${path}.field`,
          message: c.field.startsWith('custom.')
            ? `There is no lead field "${c.field.slice('custom.'.length)}".`
            : `Rules cannot look at "${c.field}". Use ${CONDITION_FIELDS.join(', ')} or custom.<key>.`,
        });
        return;
      }
      const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
      if (c.op === 'in') {
        if (!Array.isArray(c.value) || c.value.length === 0 || c.value.length > 500 || !c.value.every(scalar)) {
          problems.push({ path: `${path}.value`, message: '"in" needs a list of 1 to 500 values.' });
          return;
        }
      } else if (!scalar(c.value) || String(c.value).trim() === '') {
        problems.push({ path: `${path}.value`, message: `"${c.op}" needs a value.` });
        return;
      }
      out.push({ field: c.field, op: c.op, value: c.value });
    });
    if (problems.length)
      throw new AppError('validation_failed', problems.map((p) => p.message).join(' '), { details: problems });
    return out;
  }

  /** Everyone a rule names must be a member who may work leads. */
  private async checkAssign(tx: DbOrTx, workspaceId: string, assign: RuleAssign): Promise<void> {
    const ids = assign.type === 'user' ? [assign.userId] : [...new Set(assign.userIds)];
    const members = new Map(
      (await this.deps.repo.members(workspaceId, { userIds: ids, tx })).map((m) => [m.userId, m]),
    );
    const path = assign.type === 'user' ? 'assign.userId' : 'assign.userIds';
    for (const id of ids) {
      const m = members.get(id);
      if (!m) throw invalid(path, 'Leads can only be assigned to members of this workspace.');
      if (!canOwnLeads(m)) throw invalid(path, `${m.name} is a ${m.role} and cannot own leads.`);
    }
  }

  private async audit(
    access: WorkspaceAccess,
    tx: DbOrTx,
    action: string,
    ruleId: string,
    metadata: Record<string, unknown>,
  ) {
    await this.deps.audit.record(
      {
        workspaceId: access.workspaceId,
        actor: access.actor,
        action,
        target: { type: 'routing_rule', id: ruleId },
        metadata,
      },
      tx,
    );
  }
}

function normaliseAssign(assign: RuleAssign): RuleAssign {
  return assign.type === 'user'
    ? { type: 'user', userId: assign.userId }
    : { type: 'round_robin', userIds: [...new Set(assign.userIds)] };
}

/** An empty PATCH is refused after the lookup, so an unknown id answers 404 whatever the body. */
function assertSomething(patch: object): void {
  if (!Object.values(patch).some((v) => v !== undefined)) throw new AppError('validation_failed', 'Nothing to change');
}

function invalid(path: string, message: string): AppError {
  return new AppError('validation_failed', message, { details: [{ path, message }] });
}
