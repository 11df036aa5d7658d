import type { Db, DbOrTx } from '../../db/client';
import type { AuditService } from '../audit/audit.service';
import type { WorkspacesService } from '../workspaces/workspaces.service';

/** What routing rules can look at. */
export interface RoutableLead {
  source: string;
  formId?: string | null;
  formName?: string | null;
  campaignName?: string | null;
  platform?: string | null;
  country?: string | null;
  custom?: Record<string, unknown>;
}

/** Owner assignment by ordered rules and capacity-aware round robin. To be implemented (issue 4). */
export class RoutingService {
  constructor(readonly deps: { db: Db; audit: AuditService; workspaces: WorkspacesService }) {}

  /** The owner for a new lead, or null when no rule matches. Runs inside the caller's transaction. */
  async chooseOwner(_tx: DbOrTx, _workspaceId: string, _lead: RoutableLead): Promise<string | null> {
    return null;
  }
}
