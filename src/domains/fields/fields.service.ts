import type { Db } from '../../db/client';
import type { AuditService } from '../audit/audit.service';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import type { FieldSpec } from './field-values';

/** Typed custom fields per workspace (lead and contact). To be implemented (issue 4). */
export class FieldsService {
  constructor(readonly deps: { db: Db; audit: AuditService; workspaces: WorkspacesService }) {}

  /** The active (not archived) field definitions of an entity, in display order. */
  async specs(_workspaceId: string, _entity: 'lead' | 'contact'): Promise<FieldSpec[]> {
    return [];
  }

  /**
   * Validates and coerces custom values against the definitions; unknown keys and bad values throw
   * `validation_failed` with one detail per field (`custom.<key>`). `partial` skips required checks for absent keys.
   */
  async validate(
    _workspaceId: string,
    _entity: 'lead' | 'contact',
    custom: Record<string, unknown>,
    _options: { partial: boolean; defaultCountry?: string },
  ): Promise<Record<string, unknown>> {
    return custom;
  }
}
