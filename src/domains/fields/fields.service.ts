import type { Db, DbOrTx } from '../../db/client';
import type { FieldOption, FieldType } from '../../db/schema';
import { AppError, type ErrorDetail, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { AuditService } from '../audit/audit.service';
import type { WorkspaceAccess } from '../auth/principal';
import { BUILT_IN_FIELDS } from '../leads/lead-query';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import { coerceFieldValue, type FieldSpec } from './field-values';
import type { FieldEntity, FieldRow, FieldsRepository } from './fields.repository';

export interface FieldDefinitionView {
  id: string;
  entity: FieldEntity;
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  options: FieldOption[];
  currency: string | null;
  position: number;
  archived: boolean;
}

export interface FieldInput {
  entity: FieldEntity;
  label: string;
  type: FieldType;
  key?: string;
  required?: boolean;
  options?: Array<{ value?: string; label: string; color?: string }>;
  currency?: string | null;
}

export interface FieldPatch {
  label?: string;
  required?: boolean;
  options?: Array<{ value?: string; label: string; color?: string }>;
  position?: number;
  archived?: boolean;
  /** Refused: present only so the answer can say why. */
  type?: unknown;
  key?: unknown;
}

export const FIELD_KEY_MAX = 40;
const KEY_PATTERN = /^[a-z][a-z0-9_]*$/;
const SELECT_TYPES: FieldType[] = ['single_select', 'multi_select'];

/**
 * Names a custom field may not take: the built-in lead and contact fields, import targets and the words the API uses
 * around them, so `custom.<key>` and a built-in never read alike in filters, import mappings and exports.
 */
export const RESERVED_FIELD_KEYS = new Set([
  ...Object.keys(BUILT_IN_FIELDS),
  'id',
  'workspace_id',
  'contact',
  'custom',
  'answers',
  'search',
  'first_name',
  'last_name',
  'full_name',
  'city',
  'country',
  'owner',
  'owner_email',
  'stage',
  'pipeline',
  'phone_invalid',
  'identities',
  'notes',
  'tasks',
  'ignore',
  'created_by',
]);

/** A machine key from a label: "Preferred branch (KL)" → "preferred_branch_kl". Empty when the label has no latin letters or digits. */
export function slugifyKey(label: string): string {
  let key = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (/^\d/.test(key)) key = `f_${key}`;
  return key.slice(0, FIELD_KEY_MAX).replace(/_+$/, '');
}

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', message, { details: [{ path, message }] });

const view = (row: FieldRow): FieldDefinitionView => ({
  id: row.id,
  entity: row.entity,
  key: row.key,
  label: row.label,
  type: row.type,
  required: row.required,
  options: row.options,
  currency: row.currency,
  position: row.position,
  archived: row.archivedAt !== null,
});

const specOf = (row: FieldRow): FieldSpec => ({
  key: row.key,
  label: row.label,
  type: row.type,
  required: row.required,
  options: row.options,
});

/**
 * Typed custom fields per workspace (lead and contact): their definitions, and the validation of the values stored
 * under `custom.<key>`. Definitions are read fresh on every call (no cache across requests), so a change applies at once.
 */
export class FieldsService {
  constructor(readonly deps: { db: Db; repo: FieldsRepository; audit: AuditService; workspaces: WorkspacesService }) {}

  /** The active (not archived) field definitions of an entity, in display order; pass `tx` inside a transaction. */
  async specs(workspaceId: string, entity: 'lead' | 'contact', tx?: DbOrTx): Promise<FieldSpec[]> {
    return (await this.deps.repo.list(workspaceId, { entity, tx })).map(specOf);
  }

  /**
   * Validates and coerces custom values against the definitions; unknown keys and bad values throw
   * `validation_failed` with one detail per field (`custom.<key>`), all problems at once. `partial` skips required
   * checks for absent keys (updates); a `null` value is kept in the answer (it clears the field) unless required.
   * Inside a transaction pass it as `tx`: on PGlite (one connection) a query outside the open transaction waits for it.
   */
  async validate(
    workspaceId: string,
    entity: 'lead' | 'contact',
    custom: Record<string, unknown>,
    options: { partial: boolean; defaultCountry?: string; tx?: DbOrTx },
  ): Promise<Record<string, unknown>> {
    const specs = await this.specs(workspaceId, entity, options.tx);
    return validateCustomValues(specs, custom, options);
  }

  async list(
    access: WorkspaceAccess,
    options: { entity?: FieldEntity; includeArchived?: boolean },
  ): Promise<FieldDefinitionView[]> {
    this.deps.workspaces.assertCan(access, 'leads.read');
    return (await this.deps.repo.list(access.workspaceId, options)).map(view);
  }

  async create(access: WorkspaceAccess, input: FieldInput): Promise<FieldDefinitionView> {
    this.deps.workspaces.assertCan(access, 'settings.manage');
    const label = input.label.trim();
    const key = input.key?.trim() ?? slugifyKey(label);
    if (!key) {
      throw invalid(
        'key',
        'This label has no letters or digits to make a key from. Give the field a key (a-z, 0-9 and _).',
      );
    }
    if (key.length > FIELD_KEY_MAX || !KEY_PATTERN.test(key)) {
      throw invalid(
        'key',
        `A key starts with a letter and has only a-z, 0-9 and _ (at most ${FIELD_KEY_MAX} characters).`,
      );
    }
    if (RESERVED_FIELD_KEYS.has(key)) {
      throw invalid('key', `"${key}" is a built-in field name. Choose another key or label.`);
    }
    const options = normaliseOptions(input.type, input.options ?? []);
    if (input.currency && input.type !== 'currency') throw invalid('currency', 'Only currency fields have a currency.');
    return this.deps.db.transaction(async (tx) => {
      const position = await this.deps.repo.nextPosition(tx, access.workspaceId, input.entity);
      const row = await this.deps.repo.insert(tx, {
        workspaceId: access.workspaceId,
        id: newId(),
        entity: input.entity,
        key,
        label,
        type: input.type,
        required: input.required ?? false,
        options,
        currency: input.type === 'currency' ? (input.currency ?? null) : null,
        position,
      });
      if (!row) {
        const taken = await this.deps.repo.findByKey(tx, access.workspaceId, input.entity, key);
        throw new AppError(
          'conflict',
          taken?.archivedAt
            ? `The key "${key}" belongs to an archived field ("${taken.label}"). Restore it, or choose another key.`
            : `A ${input.entity} field with the key "${key}" already exists. Choose another label or key.`,
          { details: [{ path: 'key', message: 'Already taken' }] },
        );
      }
      await this.audit(access, tx, 'field.created', row.id, { entity: row.entity, key: row.key, type: row.type });
      return view(row);
    });
  }

  async update(access: WorkspaceAccess, fieldId: string, patch: FieldPatch): Promise<FieldDefinitionView> {
    this.deps.workspaces.assertCan(access, 'settings.manage');
    return this.deps.db.transaction(async (tx) => {
      const field = await this.deps.repo.get(access.workspaceId, fieldId, tx);
      if (!field) throw notFound('This field');
      if (!Object.values(patch).some((v) => v !== undefined))
        throw new AppError('validation_failed', 'Nothing to change');
      if (patch.type !== undefined && patch.type !== field.type) {
        throw invalid('type', 'The type of a field cannot change. Create a new field with the type you need.');
      }
      if (patch.key !== undefined && patch.key !== field.key) {
        throw invalid('key', 'The key of a field cannot change: filters, imports and integrations use it.');
      }
      const changes: Parameters<FieldsRepository['update']>[3] = {};
      if (patch.label !== undefined) changes.label = patch.label.trim();
      if (patch.required !== undefined) changes.required = patch.required;
      if (patch.options !== undefined) changes.options = normaliseOptions(field.type, patch.options);
      if (patch.archived !== undefined && patch.archived !== (field.archivedAt !== null)) {
        changes.archivedAt = patch.archived ? new Date() : null;
      }
      let updated = Object.keys(changes).length
        ? await this.deps.repo.update(tx, access.workspaceId, fieldId, changes)
        : field;
      if (patch.position !== undefined) {
        const siblings = (await this.deps.repo.list(access.workspaceId, { entity: field.entity, tx })).filter(
          (f) => f.id !== fieldId,
        );
        const at = Math.max(0, Math.min(patch.position, siblings.length));
        const order = siblings.map((f) => f.id);
        order.splice(at, 0, fieldId);
        await this.deps.repo.setPositions(tx, access.workspaceId, order);
        updated = (await this.deps.repo.get(access.workspaceId, fieldId, tx))!;
      }
      const changed = [...Object.keys(changes), ...(patch.position !== undefined ? ['position'] : [])];
      if (changed.length) await this.audit(access, tx, 'field.updated', fieldId, { key: field.key, changed });
      return view(updated);
    });
  }

  /** Archives: the definition (and its key) stays, stored values stay, the field disappears from forms and lists. */
  async archive(access: WorkspaceAccess, fieldId: string): Promise<void> {
    this.deps.workspaces.assertCan(access, 'settings.manage');
    await this.deps.db.transaction(async (tx) => {
      const field = await this.deps.repo.get(access.workspaceId, fieldId, tx);
      if (!field) throw notFound('This field');
      if (field.archivedAt) return;
      await this.deps.repo.update(tx, access.workspaceId, fieldId, { archivedAt: new Date() });
      await this.audit(access, tx, 'field.archived', fieldId, { key: field.key });
    });
  }

  private async audit(
    access: WorkspaceAccess,
    tx: DbOrTx,
    action: string,
    fieldId: string,
    metadata: Record<string, unknown>,
  ) {
    await this.deps.audit.record(
      {
        workspaceId: access.workspaceId,
        actor: access.actor,
        action,
        target: { type: 'field', id: fieldId },
        metadata,
      },
      tx,
    );
  }
}

/**
 * The pure core of `FieldsService.validate`: coerces every given value with its spec, refuses unknown keys, and (unless
 * `partial`) requires the required fields. Throws one `validation_failed` listing every problem.
 */
export function validateCustomValues(
  specs: FieldSpec[],
  custom: Record<string, unknown>,
  options: { partial: boolean; defaultCountry?: string },
): Record<string, unknown> {
  const byKey = new Map(specs.map((s) => [s.key, s]));
  const out: Record<string, unknown> = {};
  const problems: ErrorDetail[] = [];
  for (const [key, input] of Object.entries(custom)) {
    if (input === undefined) continue;
    const spec = byKey.get(key);
    if (!spec) {
      problems.push({ path: `custom.${key}`, message: `There is no custom field "${key}".` });
      continue;
    }
    const result = coerceFieldValue(spec, input, options.defaultCountry);
    if (result.ok) out[key] = result.value;
    else problems.push({ path: `custom.${key}`, message: result.message });
  }
  if (!options.partial) {
    for (const spec of specs) {
      if (spec.required && custom[spec.key] === undefined) {
        problems.push({ path: `custom.${spec.key}`, message: `${spec.label} is required` });
      }
    }
  }
  if (problems.length === 1) throw new AppError('validation_failed', problems[0]!.message, { details: problems });
  if (problems.length > 1) {
    throw new AppError(
      'validation_failed',
      `${problems.length} custom fields are not valid: ${problems.map((p) => p.message.replace(/\.$/, '')).join('; ')}.`,
      { details: problems },
    );
  }
  return out;
}

/** Choice fields need at least one option; values (derived from labels when absent) and labels must be distinct. */
function normaliseOptions(
  type: FieldType,
  input: Array<{ value?: string; label: string; color?: string }>,
): FieldOption[] {
  if (!SELECT_TYPES.includes(type)) {
    if (input.length) throw invalid('options', 'Only single select and multi select fields have options.');
    return [];
  }
  if (input.length === 0) throw invalid('options', 'A choice field needs at least one option.');
  const options: FieldOption[] = [];
  const seenValues = new Set<string>();
  const seenLabels = new Set<string>();
  input.forEach((o, i) => {
    const label = o.label.trim();
    const value = o.value?.trim() || slugifyKey(label) || label;
    if (!label) throw invalid(`options.${i}.label`, 'Every option needs a label.');
    // Values and labels both match imported cells case-insensitively, so they must differ ignoring case.
    if (seenValues.has(value.toLowerCase()) || seenLabels.has(label.toLowerCase())) {
      throw invalid(`options.${i}`, `The option "${label}" appears twice.`);
    }
    seenValues.add(value.toLowerCase());
    seenLabels.add(label.toLowerCase());
    options.push(o.color ? { value, label, color: o.color } : { value, label });
  });
  return options;
}
