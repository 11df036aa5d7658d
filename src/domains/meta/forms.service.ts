import type { Db } from '../../db/client';
import type { MetaFieldMapping } from '../../db/schema';
import { AppError, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { AuditService } from '../audit/audit.service';
import type { WorkspaceAccess } from '../auth/principal';
import type { FieldsService } from '../fields/fields.service';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import type { GraphClient } from './graph-client';
import {
  CONTACT_TARGETS,
  defaultMapping,
  effectiveMapping,
  type GraphForm,
  isKnownTarget,
  questionsOf,
} from './lead-mapping';
import type { MetaFormRow, MetaPageRow, MetaRepository } from './meta.repository';

const FORM_FIELDS = 'id,name,status,locale,questions';

/**
 * A connected Page's Lead Ads forms: kept in step with Meta (name, status, questions), and the admin's mapping of
 * each form's questions onto contact and lead fields.
 */
export class MetaFormsService {
  constructor(
    private readonly deps: {
      db: Db;
      repo: MetaRepository;
      graph: GraphClient;
      fields: FieldsService;
      workspaces: WorkspacesService;
      audit: AuditService;
    },
  ) {}

  /** Reads the Page's forms from Meta and stores what changed; returns the Page's form rows. Throws GraphError. */
  async refresh(workspaceId: string, page: MetaPageRow, pageToken: string): Promise<MetaFormRow[]> {
    const fetched: GraphForm[] = [];
    for await (const batch of this.deps.graph.pages<GraphForm>(
      `${page.pageId}/leadgen_forms`,
      { fields: FORM_FIELDS, limit: 100 },
      pageToken,
    )) {
      fetched.push(...batch.filter((f) => f && typeof f.id === 'string' && /^\d{1,40}$/.test(f.id)));
    }
    await this.deps.db.transaction(async (tx) => {
      await this.deps.repo.upsertForms(
        tx,
        fetched.map((f) => ({
          workspaceId,
          id: newId(),
          pageRowId: page.id,
          formId: f.id,
          name: typeof f.name === 'string' ? f.name.slice(0, 500) : '',
          status: typeof f.status === 'string' ? f.status.slice(0, 40) : 'ACTIVE',
          locale: typeof f.locale === 'string' ? f.locale.slice(0, 20) : null,
          questions: questionsOf(f),
        })),
      );
    });
    return this.deps.repo.listForms(workspaceId, undefined, page.id);
  }

  /** The form row for a Meta form id, fetching the Page's forms once when it is not known yet. */
  async ensure(
    workspaceId: string,
    page: MetaPageRow,
    formId: string,
    pageToken: string,
  ): Promise<MetaFormRow | undefined> {
    const known = await this.deps.repo.getFormByFormId(workspaceId, formId);
    if (known) return known;
    return (await this.refresh(workspaceId, page, pageToken)).find((f) => f.formId === formId);
  }

  async get(access: WorkspaceAccess, formRowId: string) {
    this.deps.workspaces.assertCan(access, 'integrations.manage');
    const form = await this.deps.repo.getForm(access.workspaceId, formRowId);
    if (!form) throw notFound('This form');
    return this.view(access.workspaceId, form);
  }

  async setMapping(access: WorkspaceAccess, formRowId: string, input: { key: string; target: string }[]) {
    this.deps.workspaces.assertCan(access, 'integrations.manage');
    const workspaceId = access.workspaceId;
    const form = await this.deps.repo.getForm(workspaceId, formRowId);
    if (!form) throw notFound('This form');
    const leadKeys = new Set((await this.deps.fields.specs(workspaceId, 'lead')).map((f) => f.key));
    const seen = new Set<string>();
    const details: { path: string; message: string }[] = [];
    input.forEach((m, i) => {
      if (seen.has(m.key)) details.push({ path: `mapping.${i}.key`, message: `"${m.key}" is mapped twice` });
      seen.add(m.key);
      if (!isKnownTarget(m.target, leadKeys)) {
        details.push({
          path: `mapping.${i}.target`,
          message: m.target.startsWith('lead.')
            ? `There is no lead field "${m.target.slice(5)}"`
            : `"${m.target}" is not a place an answer can go`,
        });
      }
    });
    if (details.length) {
      throw new AppError('validation_failed', details.map((d) => d.message).join('; '), { details });
    }
    const mapping = input as MetaFieldMapping[];
    const updated = await this.deps.db.transaction(async (tx) => {
      await this.deps.repo.updateForm(tx, workspaceId, formRowId, { mapping });
      await this.deps.audit.record(
        {
          workspaceId,
          actor: access.actor,
          action: 'meta.form_mapping_updated',
          target: { type: 'meta_form', id: formRowId },
          metadata: { keys: mapping.length },
        },
        tx,
      );
      return (await this.deps.repo.getForm(workspaceId, formRowId, tx))!;
    });
    return this.view(workspaceId, updated);
  }

  private async view(workspaceId: string, form: MetaFormRow) {
    const leadFields = await this.deps.fields.specs(workspaceId, 'lead');
    return {
      id: form.id,
      formId: form.formId,
      name: form.name,
      status: form.status,
      questions: form.questions,
      mapping: effectiveMapping(form.questions, form.mapping),
      defaultMapping: defaultMapping(form.questions),
      targets: [
        ...CONTACT_TARGETS,
        ...leadFields.map((f) => ({ value: `lead.${f.key}`, label: `Lead field: ${f.label}` })),
      ],
    };
  }
}
