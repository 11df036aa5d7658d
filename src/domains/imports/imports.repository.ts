import { and, asc, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { type Db, type DbOrTx, rowsOf } from '../../db/client';
import {
  fieldDefinitions,
  importRejects,
  type LeadAnswer,
  memberships,
  operations,
  pipelines,
  stages,
  users,
  workspaces,
} from '../../db/schema';
import type { FieldSpec } from '../fields/field-values';

export type OperationRow = typeof operations.$inferSelect;

/** Bulk rows the import writer inserts or updates; arrays are sent as one parameter each (`unnest`), not as N rows. */
export interface NewContactRow {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  phoneInvalid: boolean;
  city: string | null;
  country: string | null;
  ownerId: string | null;
  createdAt: Date | null;
}

export interface ContactPatchRow {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  phoneInvalid: boolean;
  city: string | null;
  country: string | null;
}

export interface LeadCopyRow {
  contactId: string;
  name: string;
  email: string | null;
  phone: string | null;
  search: string;
}

export interface NewLeadRow {
  id: string;
  contactId: string;
  name: string;
  email: string | null;
  phone: string | null;
  search: string;
  source: string;
  externalId: string | null;
  formId: string | null;
  formName: string | null;
  campaignId: string | null;
  campaignName: string | null;
  adsetId: string | null;
  adsetName: string | null;
  adId: string | null;
  adName: string | null;
  platform: string | null;
  answers: LeadAnswer[];
  pipelineId: string;
  stageId: string;
  ownerId: string | null;
  value: number | null;
  currency: string | null;
  custom: Record<string, unknown>;
  tags: string[];
  createdAt: Date | null;
}

/** A merge into an existing lead: null means "keep what the lead has". */
export interface LeadPatchRow {
  id: string;
  externalId: string | null;
  formId: string | null;
  formName: string | null;
  campaignId: string | null;
  campaignName: string | null;
  adsetId: string | null;
  adsetName: string | null;
  adId: string | null;
  adName: string | null;
  platform: string | null;
  /** Replaces the lead's answers with the same keys. */
  answers: LeadAnswer[] | null;
  pipelineId: string | null;
  stageId: string | null;
  /** Whether `ownerId` is to be written (an owner column was mapped and filled). */
  setOwner: boolean;
  ownerId: string | null;
  value: number | null;
  currency: string | null;
  custom: Record<string, unknown>;
  tags: string[];
}

/** A contact's person data as the import reads it before merging a row into it. */
export interface ContactFacts {
  name: string;
  email: string | null;
  phone: string | null;
  phoneInvalid: boolean;
  city: string | null;
  country: string | null;
}

const p = (values: unknown[]) => sql.param(values);
const col = <T, K extends keyof T>(rows: T[], key: K) => p(rows.map((r) => r[key] ?? null));
const json = <T, K extends keyof T>(rows: T[], key: K) =>
  p(rows.map((r) => (r[key] == null ? null : JSON.stringify(r[key]))));
const iso = <T, K extends keyof T>(rows: T[], key: K) =>
  p(rows.map((r) => (r[key] instanceof Date ? (r[key] as Date).toISOString() : null)));

/** Queries of imports: operations, the workspace facts an import reads once, and the chunked bulk writes. */
export class ImportsRepository {
  constructor(private readonly db: Db) {}

  async insertOperation(tx: DbOrTx, row: typeof operations.$inferInsert): Promise<OperationRow> {
    const [op] = await tx.insert(operations).values(row).returning();
    return op!;
  }

  async getOperation(
    workspaceId: string,
    operationId: string,
    tx: DbOrTx = this.db,
  ): Promise<OperationRow | undefined> {
    const [op] = await tx
      .select()
      .from(operations)
      .where(and(eq(operations.workspaceId, workspaceId), eq(operations.id, operationId)))
      .limit(1);
    return op;
  }

  /** Merges `details` into the operation's details and sets the given columns. */
  async updateOperation(
    tx: DbOrTx,
    workspaceId: string,
    operationId: string,
    patch: { details?: Record<string, unknown> } & Partial<
      Pick<OperationRow, 'status' | 'total' | 'error' | 'finishedAt' | 'processed'>
    >,
  ): Promise<void> {
    const { details, ...columns } = patch;
    await tx
      .update(operations)
      .set({
        ...columns,
        ...(details ? { details: sql`${operations.details} || ${JSON.stringify(details)}::jsonb` } : {}),
      })
      .where(and(eq(operations.workspaceId, workspaceId), eq(operations.id, operationId)));
  }

  /** Records the start of an import once: false when it was already started (by another request). */
  async claimStart(
    tx: DbOrTx,
    workspaceId: string,
    operationId: string,
    details: Record<string, unknown>,
  ): Promise<boolean> {
    const result = await tx.execute(sql`
      update operations set status = 'pending', details = details || ${JSON.stringify(details)}::jsonb
      where workspace_id = ${workspaceId} and id = ${operationId} and kind = 'import' and status = 'pending'
        and not (details ? 'startedAt')
      returning 1`);
    return rowsOf(result).length === 1;
  }

  /**
   * The remembered mapping is the one of the latest started import, kept in its operation's details (`mappingByHeader`)
   * rather than in a table of its own: it is written in the same statement that starts the import, needs no migration,
   * and "the last mapping" is exactly "the mapping of the last import" (the created_at index finds it at once).
   */
  async lastMappingByHeader(workspaceId: string): Promise<Record<string, string> | null> {
    const [row] = await this.db
      .select({ mapping: sql<Record<string, string>>`${operations.details} -> 'mappingByHeader'` })
      .from(operations)
      .where(
        and(
          eq(operations.workspaceId, workspaceId),
          eq(operations.kind, 'import'),
          sql`${operations.details} ? 'mappingByHeader'`,
        ),
      )
      .orderBy(desc(operations.createdAt))
      .limit(1);
    return row?.mapping ?? null;
  }

  async defaultCountry(workspaceId: string): Promise<string> {
    const [ws] = await this.db
      .select({ c: workspaces.defaultCountry })
      .from(workspaces)
      .where(eq(workspaces.id, workspaceId));
    return ws?.c ?? 'MY';
  }

  async leadFields(workspaceId: string, tx: DbOrTx = this.db): Promise<FieldSpec[]> {
    return tx
      .select({
        key: fieldDefinitions.key,
        label: fieldDefinitions.label,
        type: fieldDefinitions.type,
        required: fieldDefinitions.required,
        options: fieldDefinitions.options,
      })
      .from(fieldDefinitions)
      .where(
        and(
          eq(fieldDefinitions.workspaceId, workspaceId),
          eq(fieldDefinitions.entity, 'lead'),
          isNull(fieldDefinitions.archivedAt),
        ),
      )
      .orderBy(asc(fieldDefinitions.position), asc(fieldDefinitions.key));
  }

  async pipelinesWithStages(workspaceId: string, tx: DbOrTx = this.db) {
    const ps = await tx
      .select({ id: pipelines.id, name: pipelines.name, isDefault: pipelines.isDefault, position: pipelines.position })
      .from(pipelines)
      .where(eq(pipelines.workspaceId, workspaceId))
      .orderBy(asc(pipelines.position));
    const ss = await tx
      .select({ id: stages.id, pipelineId: stages.pipelineId, name: stages.name, position: stages.position })
      .from(stages)
      .where(eq(stages.workspaceId, workspaceId))
      .orderBy(asc(stages.position));
    return ps.map((pl) => ({ ...pl, stages: ss.filter((s) => s.pipelineId === pl.id) }));
  }

  async members(workspaceId: string, tx: DbOrTx = this.db): Promise<{ userId: string; email: string }[]> {
    return tx
      .select({ userId: memberships.userId, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.workspaceId, workspaceId));
  }

  /** Emails of users by id (owners of exported leads who are no longer members). */
  async userEmails(ids: string[]): Promise<{ id: string; email: string }[]> {
    if (!ids.length) return [];
    return this.db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, ids));
  }

  /** Refreshes the planner's statistics of the tables an import writes. */
  async analyzeLeadTables(): Promise<void> {
    await this.db.execute(sql`analyze leads, contacts, contact_identities`);
  }

  /** Serialises import chunks within one workspace, so two imports never both create the same new person. */
  async lockWorkspaceImports(tx: DbOrTx, workspaceId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`lb.import:${workspaceId}`}))`);
  }

  async findIdentities(tx: DbOrTx, workspaceId: string, kinds: string[], values: string[]) {
    if (!kinds.length) return [];
    const result = await tx.execute(sql`
      select ci.kind, ci.value, ci.contact_id as "contactId", c.name, c.email, c.phone, c.phone_invalid as "phoneInvalid",
             c.city, c.country
      from contact_identities ci
      join contacts c on c.workspace_id = ci.workspace_id and c.id = ci.contact_id
      where ci.workspace_id = ${workspaceId}
        and (ci.kind, ci.value) in (select * from unnest(${p(kinds)}::text[], ${p(values)}::text[]))`);
    return rowsOf<ContactFacts & { kind: string; value: string; contactId: string }>(result);
  }

  async findLeadsByExternalId(tx: DbOrTx, workspaceId: string, sources: string[], externalIds: string[]) {
    if (!sources.length) return [];
    const result = await tx.execute(sql`
      select l.id, l.contact_id as "contactId", l.source, l.external_id as "externalId",
             c.name, c.email, c.phone, c.phone_invalid as "phoneInvalid", c.city, c.country
      from leads l
      join contacts c on c.workspace_id = l.workspace_id and c.id = l.contact_id
      where l.workspace_id = ${workspaceId}
        and (l.source, l.external_id) in (select * from unnest(${p(sources)}::text[], ${p(externalIds)}::text[]))`);
    return rowsOf<ContactFacts & { id: string; contactId: string; source: string; externalId: string }>(result);
  }

  /** Each contact's most recent lead from `source`. */
  async latestLeadsOfContacts(tx: DbOrTx, workspaceId: string, contactIds: string[], source: string) {
    if (!contactIds.length) return [];
    const result = await tx.execute(sql`
      select distinct on (l.contact_id) l.id, l.contact_id as "contactId"
      from leads l
      where l.workspace_id = ${workspaceId} and l.contact_id = any(${p(contactIds)}::uuid[]) and l.source = ${source}
      order by l.contact_id, l.created_at desc, l.id desc`);
    return rowsOf<{ id: string; contactId: string }>(result);
  }

  async insertIdentities(tx: DbOrTx, workspaceId: string, rows: { kind: string; value: string; contactId: string }[]) {
    if (!rows.length) return;
    await tx.execute(sql`
      insert into contact_identities (workspace_id, kind, value, contact_id)
      select ${workspaceId}, u.kind, u.value, u.contact_id
      from unnest(${col(rows, 'kind')}::text[], ${col(rows, 'value')}::text[], ${col(rows, 'contactId')}::uuid[]) as u(kind, value, contact_id)
      on conflict do nothing`);
  }

  async insertContacts(tx: DbOrTx, workspaceId: string, rows: NewContactRow[]) {
    if (!rows.length) return;
    await tx.execute(sql`
      insert into contacts (workspace_id, id, name, email, phone, phone_invalid, city, country, owner_id, created_at, updated_at)
      select ${workspaceId}, u.id, u.name, u.email, u.phone, u.phone_invalid, u.city, u.country, u.owner_id,
             coalesce(u.created_at, now()), now()
      from unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'name')}::text[], ${col(rows, 'email')}::text[],
                  ${col(rows, 'phone')}::text[], ${col(rows, 'phoneInvalid')}::boolean[], ${col(rows, 'city')}::text[],
                  ${col(rows, 'country')}::text[], ${col(rows, 'ownerId')}::uuid[], ${iso(rows, 'createdAt')}::timestamptz[])
        as u(id, name, email, phone, phone_invalid, city, country, owner_id, created_at)`);
  }

  async updateContacts(tx: DbOrTx, workspaceId: string, rows: ContactPatchRow[]) {
    if (!rows.length) return;
    await tx.execute(sql`
      update contacts c set name = u.name, email = u.email, phone = u.phone, phone_invalid = u.phone_invalid,
             city = u.city, country = u.country, updated_at = now()
      from unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'name')}::text[], ${col(rows, 'email')}::text[],
                  ${col(rows, 'phone')}::text[], ${col(rows, 'phoneInvalid')}::boolean[], ${col(rows, 'city')}::text[],
                  ${col(rows, 'country')}::text[])
        as u(id, name, email, phone, phone_invalid, city, country)
      where c.workspace_id = ${workspaceId} and c.id = u.id`);
  }

  /** Keeps every lead's copy of its contact's name, email, phone (and search text) in step with the contact. */
  async syncLeadCopies(tx: DbOrTx, workspaceId: string, rows: LeadCopyRow[]) {
    if (!rows.length) return;
    await tx.execute(sql`
      update leads l set name = u.name, email = u.email, phone = u.phone, search = u.search, updated_at = now()
      from unnest(${col(rows, 'contactId')}::uuid[], ${col(rows, 'name')}::text[], ${col(rows, 'email')}::text[],
                  ${col(rows, 'phone')}::text[], ${col(rows, 'search')}::text[]) as u(contact_id, name, email, phone, search)
      where l.workspace_id = ${workspaceId} and l.contact_id = u.contact_id
        and (l.name, l.email, l.phone) is distinct from (u.name, u.email, u.phone)`);
  }

  /** Inserts leads; one whose (source, external id) appeared meanwhile is skipped. Returns how many were inserted. */
  async insertLeads(tx: DbOrTx, workspaceId: string, rows: NewLeadRow[]): Promise<number> {
    if (!rows.length) return 0;
    const result = await tx.execute(sql`
      insert into leads (workspace_id, id, contact_id, name, email, phone, search, source, external_id, form_id, form_name,
                         campaign_id, campaign_name, adset_id, adset_name, ad_id, ad_name, platform, answers, pipeline_id,
                         stage_id, owner_id, value, currency, custom, tags, created_at, updated_at, stage_changed_at)
      select ${workspaceId}, u.id, u.contact_id, u.name, u.email, u.phone, u.search, u.source, u.external_id, u.form_id,
             u.form_name, u.campaign_id, u.campaign_name, u.adset_id, u.adset_name, u.ad_id, u.ad_name, u.platform,
             coalesce(u.answers, '[]'::jsonb), u.pipeline_id, u.stage_id, u.owner_id, u.value, u.currency,
             coalesce(u.custom, '{}'::jsonb), array(select jsonb_array_elements_text(u.tags)),
             coalesce(u.created_at, now()), now(), coalesce(u.created_at, now())
      from unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'contactId')}::uuid[], ${col(rows, 'name')}::text[],
                  ${col(rows, 'email')}::text[], ${col(rows, 'phone')}::text[], ${col(rows, 'search')}::text[],
                  ${col(rows, 'source')}::text[], ${col(rows, 'externalId')}::text[], ${col(rows, 'formId')}::text[],
                  ${col(rows, 'formName')}::text[], ${col(rows, 'campaignId')}::text[], ${col(rows, 'campaignName')}::text[],
                  ${col(rows, 'adsetId')}::text[], ${col(rows, 'adsetName')}::text[], ${col(rows, 'adId')}::text[],
                  ${col(rows, 'adName')}::text[], ${col(rows, 'platform')}::text[], ${json(rows, 'answers')}::jsonb[],
                  ${col(rows, 'pipelineId')}::uuid[], ${col(rows, 'stageId')}::uuid[], ${col(rows, 'ownerId')}::uuid[],
                  ${col(rows, 'value')}::numeric[], ${col(rows, 'currency')}::text[], ${json(rows, 'custom')}::jsonb[],
                  ${json(rows, 'tags')}::jsonb[], ${iso(rows, 'createdAt')}::timestamptz[])
        as u(id, contact_id, name, email, phone, search, source, external_id, form_id, form_name, campaign_id,
             campaign_name, adset_id, adset_name, ad_id, ad_name, platform, answers, pipeline_id, stage_id, owner_id,
             value, currency, custom, tags, created_at)
      on conflict (workspace_id, source, external_id) do nothing
      returning 1`);
    return rowsOf(result).length;
  }

  async updateLeads(tx: DbOrTx, workspaceId: string, rows: LeadPatchRow[]) {
    if (!rows.length) return;
    await tx.execute(sql`
      update leads l set
        external_id = coalesce(l.external_id, u.external_id),
        form_id = coalesce(u.form_id, l.form_id), form_name = coalesce(u.form_name, l.form_name),
        campaign_id = coalesce(u.campaign_id, l.campaign_id), campaign_name = coalesce(u.campaign_name, l.campaign_name),
        adset_id = coalesce(u.adset_id, l.adset_id), adset_name = coalesce(u.adset_name, l.adset_name),
        ad_id = coalesce(u.ad_id, l.ad_id), ad_name = coalesce(u.ad_name, l.ad_name),
        platform = coalesce(u.platform, l.platform),
        answers = case when u.answers is null then l.answers else
          coalesce((select jsonb_agg(a) from jsonb_array_elements(l.answers) a
                    where not exists (select 1 from jsonb_array_elements(u.answers) b where b->>'key' = a->>'key')), '[]'::jsonb)
          || u.answers end,
        pipeline_id = coalesce(u.pipeline_id, l.pipeline_id),
        stage_id = coalesce(u.stage_id, l.stage_id),
        stage_changed_at = case when u.stage_id is not null and u.stage_id <> l.stage_id then now() else l.stage_changed_at end,
        owner_id = case when u.set_owner then u.owner_id else l.owner_id end,
        value = coalesce(u.value, l.value), currency = coalesce(u.currency, l.currency),
        custom = l.custom || coalesce(u.custom, '{}'::jsonb),
        tags = array(select distinct t from unnest(l.tags || array(select jsonb_array_elements_text(u.tags))) t order by t),
        updated_at = now()
      from unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'externalId')}::text[], ${col(rows, 'formId')}::text[],
                  ${col(rows, 'formName')}::text[], ${col(rows, 'campaignId')}::text[], ${col(rows, 'campaignName')}::text[],
                  ${col(rows, 'adsetId')}::text[], ${col(rows, 'adsetName')}::text[], ${col(rows, 'adId')}::text[],
                  ${col(rows, 'adName')}::text[], ${col(rows, 'platform')}::text[], ${json(rows, 'answers')}::jsonb[],
                  ${col(rows, 'pipelineId')}::uuid[], ${col(rows, 'stageId')}::uuid[], ${col(rows, 'setOwner')}::boolean[],
                  ${col(rows, 'ownerId')}::uuid[], ${col(rows, 'value')}::numeric[], ${col(rows, 'currency')}::text[],
                  ${json(rows, 'custom')}::jsonb[], ${json(rows, 'tags')}::jsonb[])
        as u(id, external_id, form_id, form_name, campaign_id, campaign_name, adset_id, adset_name, ad_id, ad_name,
             platform, answers, pipeline_id, stage_id, set_owner, owner_id, value, currency, custom, tags)
      where l.workspace_id = ${workspaceId} and l.id = u.id`);
  }

  async insertRejects(
    tx: DbOrTx,
    workspaceId: string,
    operationId: string,
    rows: { row: number; reason: string; raw: string[] }[],
  ) {
    if (!rows.length) return;
    await tx.execute(sql`
      insert into import_rejects (workspace_id, operation_id, row_number, reason, raw)
      select ${workspaceId}, ${operationId}, u.row_number, u.reason, u.raw
      from unnest(${col(rows, 'row')}::int[], ${col(rows, 'reason')}::text[], ${json(rows, 'raw')}::jsonb[]) as u(row_number, reason, raw)
      on conflict do nothing`);
  }

  /**
   * Records a committed chunk: the new checkpoint (last row number done) and the running counts, only if the
   * checkpoint is still the one this run started the chunk from. False means another run got there first: the caller
   * rolls its chunk back, so a row is never written twice.
   */
  async advanceCheckpoint(
    tx: DbOrTx,
    workspaceId: string,
    operationId: string,
    from: number,
    to: number,
    counts: { created: number; updated: number; rejected: number; bytes: number },
  ): Promise<boolean> {
    const result = await tx.execute(sql`
      update operations set
        processed = ${to},
        details = details || jsonb_build_object(
          'checkpoint', ${to}::int,
          'bytesProcessed', ${counts.bytes}::bigint,
          'created', coalesce((details->>'created')::int, 0) + ${counts.created}::int,
          'updated', coalesce((details->>'updated')::int, 0) + ${counts.updated}::int,
          'rejected', coalesce((details->>'rejected')::int, 0) + ${counts.rejected}::int)
      where workspace_id = ${workspaceId} and id = ${operationId}
        and coalesce((details->>'checkpoint')::int, 0) = ${from}::int
      returning 1`);
    return rowsOf(result).length === 1;
  }

  async rejectsPage(workspaceId: string, operationId: string, afterRow: number, limit: number) {
    return this.db
      .select({ row: importRejects.rowNumber, reason: importRejects.reason, raw: importRejects.raw })
      .from(importRejects)
      .where(
        and(
          eq(importRejects.workspaceId, workspaceId),
          eq(importRejects.operationId, operationId),
          gt(importRejects.rowNumber, afterRow),
        ),
      )
      .orderBy(asc(importRejects.rowNumber))
      .limit(limit);
  }
}
