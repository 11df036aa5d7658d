import { desc, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { type PolicyAcknowledgementMethod, policyAcknowledgements } from '../../db/schema';

export type PolicyAcknowledgementRow = typeof policyAcknowledgements.$inferSelect;

/** Queries for privacy-policy acknowledgements (P34). Per person, not per workspace. */
export class PolicyAcknowledgementsRepository {
  constructor(private readonly db: Db) {}

  /**
   * The person's acknowledgement of `version` when there is one, else their latest acknowledgement of any version,
   * else nothing.
   */
  async findForVersionOrLatest(
    userId: string,
    version: string,
    tx: DbOrTx = this.db,
  ): Promise<PolicyAcknowledgementRow | undefined> {
    const [row] = await tx
      .select()
      .from(policyAcknowledgements)
      .where(eq(policyAcknowledgements.userId, userId))
      .orderBy(
        desc(sql`${policyAcknowledgements.policyVersion} = ${version}`),
        desc(policyAcknowledgements.acknowledgedAt),
      )
      .limit(1);
    return row;
  }

  /** Inserts the acknowledgement; returns it, or nothing when this person had already acknowledged this version. */
  async insertOnce(
    tx: DbOrTx,
    row: {
      id: string;
      userId: string;
      policyVersion: string;
      policySha256: string;
      method: PolicyAcknowledgementMethod;
    },
  ): Promise<PolicyAcknowledgementRow | undefined> {
    const [inserted] = await tx
      .insert(policyAcknowledgements)
      .values(row)
      .onConflictDoNothing({ target: [policyAcknowledgements.userId, policyAcknowledgements.policyVersion] })
      .returning();
    return inserted;
  }
}
