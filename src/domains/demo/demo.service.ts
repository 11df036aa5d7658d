import { randomBytes } from 'node:crypto';
import { and, eq, inArray, ne } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client';
import {
  activities,
  contactIdentities,
  contactMerges,
  contacts,
  leads,
  memberships,
  notes,
  routingRules,
  tasks,
  users,
  workspaces,
} from '../../db/schema';
import { AppError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Logger } from '../../lib/logger';
import type { AuditService } from '../audit/audit.service';
import type { AuthService, StartedSession } from '../auth/auth.service';
import { hashPassword } from '../auth/passwords';
import type { Principal, WorkspaceAccess } from '../auth/principal';
import type { MetaConnectionService } from '../meta/connection.service';
import type { MetaPagesService } from '../meta/pages.service';
import { seedWorkspaceDefaults } from '../pipelines/pipelines.service';
import type { RoutingService } from '../routing/routing.service';
import type { WorkspacesRepository } from '../workspaces/workspaces.repository';
import type { WorkspacesService } from '../workspaces/workspaces.service';

/**
 * What the demo needs from the Meta simulator running in this process (`sim/`'s `Simulator` has it). Kept as an
 * interface so the domain does not depend on the simulator's code.
 */
export interface DemoSandbox {
  url: string;
  createPage(input: { id?: string; name: string; instagram?: boolean }): { id: string; name: string };
  createForm(input: { id?: string; pageId: string; name: string }): { id: string };
  createAd(input: {
    id?: string;
    pageId: string;
    formId: string;
    name: string;
    adsetName?: string;
    campaignName?: string;
  }): { id: string };
  createLead(input: { formId: string; adId?: string; platform?: 'fb' | 'ig' }): unknown;
}

export const DEMO_EMAIL_DOMAIN = 'demo.leadsboost.invalid';
const OWNER_EMAIL = `owner@${DEMO_EMAIL_DOMAIN}`;
const AGENTS = ['Aisha Rahman', 'Daniel Tan', 'Priya Nair'];
const ORIGIN = { ip: null, userAgent: 'LeadsBoost demo' };
/**
 * The demo's accounts are made by the server, not by a person filling a form: the acceptance is recorded as the
 * system's (P34), so a visitor trying the demo is not asked to acknowledge a policy change that never happened.
 */
const DEMO_POLICY_ACCEPTANCE = { method: 'demo', origin: null } as const;

interface DemoAds {
  forms: string[];
  ads: { id: string; formId: string }[];
}

/**
 * The demo (`leadsboost start --demo`, or "Try the demo" on a sandbox install): a workspace marked `is_demo` whose
 * Facebook Page lives in the in-process simulator and is connected through the real Login and capture path; its ads
 * produce a lead every few seconds, routed round-robin to three demo agents. "Remove demo data" empties it.
 */
export class DemoService {
  private sandbox: DemoSandbox | null = null;
  private autopilot: NodeJS.Timeout | null = null;
  private demoAds: DemoAds | null = null;
  private ensuring: Promise<{ workspaceId: string; userId: string; password: string | null }> | null = null;

  constructor(
    private readonly deps: {
      db: Db;
      auth: AuthService;
      workspaces: WorkspacesService;
      workspacesRepo: WorkspacesRepository;
      routing: RoutingService;
      metaConnections: MetaConnectionService;
      metaPages: MetaPagesService;
      audit: AuditService;
      log: Logger;
      leadEveryMs: number;
    },
  ) {}

  /** Called at start when the simulator runs in this process. */
  attach(sandbox: DemoSandbox): void {
    this.sandbox = sandbox;
  }

  get available(): boolean {
    return this.sandbox !== null;
  }

  /**
   * The demo workspace, created (and its Page connected) on first call. `password` is set only when the owner was
   * created now (it is shown once, on the console).
   */
  ensure(): Promise<{ workspaceId: string; userId: string; password: string | null }> {
    this.ensuring ??= this.create().finally(() => {
      this.ensuring = null;
    });
    return this.ensuring;
  }

  /** Whether a demo workspace was made earlier (a restarted sandbox resumes it). */
  async exists(): Promise<boolean> {
    const rows = await this.deps.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.isDemo, true));
    return rows.length > 0;
  }

  /** "Try the demo": a session for the demo owner. */
  async signIn(): Promise<StartedSession & { workspaceId: string }> {
    if (!this.sandbox) throw new AppError('not_found', 'The demo is not available on this server.');
    const demo = await this.ensure();
    this.startAutopilot();
    const started = await this.deps.auth.startSessionFor(demo.userId, ORIGIN);
    return { ...started, workspaceId: demo.workspaceId };
  }

  /** Removes every lead, contact, demo agent, routing rule and the Facebook connection of a demo workspace. */
  async removeDemoData(access: WorkspaceAccess): Promise<{ leads: number; contacts: number }> {
    this.deps.workspaces.assertCan(access, 'workspace.update');
    const workspaceId = access.workspaceId;
    const workspace = await this.deps.workspacesRepo.getWorkspace(workspaceId);
    if (!workspace?.isDemo) throw new AppError('conflict', 'This workspace holds no demo data.');
    this.stopAutopilot();
    // The simulated Page's leads go with its connection (P12); whatever else the demo made goes below.
    let viaFacebook = { leads: 0, contacts: 0 };
    try {
      viaFacebook = (await this.deps.metaConnections.disconnect(access, true)).deleted;
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'not_found') throw error;
    }
    const { db, audit } = this.deps;
    return db.transaction(async (tx) => {
      const ws = (t: { workspaceId: AnyPgColumn }) => eq(t.workspaceId, workspaceId);
      await tx.delete(tasks).where(ws(tasks));
      await tx.delete(notes).where(ws(notes));
      await tx.delete(activities).where(ws(activities));
      const deletedLeads = await tx.delete(leads).where(ws(leads)).returning({ id: leads.id });
      await tx.delete(contactIdentities).where(ws(contactIdentities));
      await tx.delete(contactMerges).where(ws(contactMerges));
      const deletedContacts = await tx.delete(contacts).where(ws(contacts)).returning({ id: contacts.id });
      await tx.delete(routingRules).where(ws(routingRules));
      const demoAgents = (
        await tx
          .select({ id: users.id, email: users.email })
          .from(users)
          .innerJoin(memberships, eq(memberships.userId, users.id))
          .where(and(eq(memberships.workspaceId, workspaceId), ne(memberships.role, 'owner')))
      )
        .filter((u) => u.email.endsWith(`@${DEMO_EMAIL_DOMAIN}`))
        .map((u) => u.id);
      if (demoAgents.length) {
        await tx
          .delete(memberships)
          .where(and(eq(memberships.workspaceId, workspaceId), inArray(memberships.userId, demoAgents)));
      }
      await tx.update(workspaces).set({ isDemo: false, updatedAt: new Date() }).where(eq(workspaces.id, workspaceId));
      await audit.record(
        {
          workspaceId,
          actor: access.actor,
          action: 'demo.removed',
          target: { type: 'workspace', id: workspaceId },
          metadata: {
            leads: deletedLeads.length + viaFacebook.leads,
            contacts: deletedContacts.length + viaFacebook.contacts,
          },
        },
        tx,
      );
      return {
        leads: deletedLeads.length + viaFacebook.leads,
        contacts: deletedContacts.length + viaFacebook.contacts,
      };
    });
  }

  /** Starts the demo's ads producing leads (one every `leadEveryMs`), if the demo workspace exists. */
  startAutopilot(): void {
    if (!this.sandbox || !this.demoAds || this.autopilot) return;
    const { forms, ads } = this.demoAds;
    const sandbox = this.sandbox;
    let n = 0;
    this.autopilot = setInterval(() => {
      n++;
      try {
        // Mostly ads, some organic; a quarter from Instagram placements.
        const ad = n % 7 === 0 ? null : ads[n % ads.length]!;
        const formId = ad?.formId ?? forms[n % forms.length]!;
        sandbox.createLead({ formId, adId: ad?.id, platform: n % 4 === 0 ? 'ig' : 'fb' });
      } catch (error) {
        this.deps.log.warn({ err: error }, 'demo lead could not be created');
      }
    }, this.deps.leadEveryMs);
    this.autopilot.unref();
  }

  stopAutopilot(): void {
    if (this.autopilot) clearInterval(this.autopilot);
    this.autopilot = null;
  }

  private async create(): Promise<{ workspaceId: string; userId: string; password: string | null }> {
    const sandbox = this.sandbox;
    if (!sandbox) throw new AppError('not_found', 'The demo is not available on this server.');
    const { db, auth, workspacesRepo, workspaces: workspacesService } = this.deps;
    const existing = await db
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(eq(workspaces.isDemo, true))
      .orderBy(workspaces.createdAt)
      .limit(1);
    const [owner] = await db.select().from(users).where(eq(users.email, OWNER_EMAIL));
    if (existing[0] && owner) {
      // The Page lives in this process's simulator: connect it again only after a restart.
      if (!this.demoAds) await this.reconnect(existing[0].id, owner.id);
      return { workspaceId: existing[0].id, userId: owner.id, password: null };
    }

    const password = randomBytes(9).toString('base64url');
    const passwordHash = await hashPassword(password);
    const made = await db.transaction(async (tx) => {
      const ownerUser =
        owner ??
        (await auth.insertUser(
          tx,
          { name: 'Demo Owner', email: OWNER_EMAIL, phone: '+60123456789', passwordHash, verified: true },
          DEMO_POLICY_ACCEPTANCE,
        ));
      const workspace = await workspacesRepo.insertWorkspace(tx, {
        id: newId(),
        name: 'Demo Realty (sample data)',
        isDemo: true,
      });
      await workspacesRepo.addMember(tx, workspace.id, ownerUser.id, 'owner');
      await seedWorkspaceDefaults(tx, workspace.id);
      const agentIds: string[] = [];
      for (const name of AGENTS) {
        const email = `${name.split(' ')[0]!.toLowerCase()}@${DEMO_EMAIL_DOMAIN}`;
        const [found] = await tx.select().from(users).where(eq(users.email, email));
        const agent =
          found ??
          (await auth.insertUser(
            tx,
            { name, email, phone: '+60123456789', passwordHash, verified: true },
            DEMO_POLICY_ACCEPTANCE,
          ));
        await workspacesRepo.addMember(tx, workspace.id, agent.id, 'agent');
        agentIds.push(agent.id);
      }
      return { workspaceId: workspace.id, ownerId: ownerUser.id, agentIds };
    });
    await this.asOwner(made.ownerId, async (principal) => {
      const access = await workspacesService.access(principal, made.workspaceId);
      await this.deps.routing.createRule(access, {
        name: 'Share Facebook leads between the team',
        conditions: [{ field: 'source', op: 'eq', value: 'meta_lead_ads' }],
        assign: { type: 'round_robin', userIds: made.agentIds },
      });
      await this.connectPage(made.workspaceId, principal);
    });
    return { workspaceId: made.workspaceId, userId: made.ownerId, password: owner ? null : password };
  }

  /** A restarted demo: the simulator is new, so its Page is recreated and connected again. */
  private async reconnect(workspaceId: string, ownerId: string): Promise<void> {
    await this.asOwner(ownerId, (principal) => this.connectPage(workspaceId, principal));
  }

  /** Creates the demo Page, forms and ads in the simulator and connects them through the real Login flow. */
  private async connectPage(workspaceId: string, principal: Principal): Promise<void> {
    const sandbox = this.sandbox!;
    // Fixed ids: a restarted demo (a new simulator) finds the same Page, forms and ads again.
    const page = sandbox.createPage({ id: '100000000000777', name: 'Demo Realty', instagram: true });
    const quote = sandbox.createForm({ id: '200000000000771', pageId: page.id, name: 'Spring 2026 - quote request' });
    const valuation = sandbox.createForm({ id: '200000000000772', pageId: page.id, name: 'Free home valuation' });
    const ads = [
      { id: '120200000000077101', formId: quote.id, name: 'Spring promo - video A', adsetName: 'Lisbon 25-45' },
      { id: '120200000000077102', formId: quote.id, name: 'Spring promo - carousel B', adsetName: 'Porto 30-55' },
      { id: '120200000000077103', formId: valuation.id, name: 'What is your home worth?', adsetName: 'Owners 35+' },
    ].map((ad) => ({
      id: sandbox.createAd({
        pageId: page.id,
        campaignName: ad.formId === quote.id ? 'Leads - Spring 2026' : 'Valuations',
        ...ad,
      }).id,
      formId: ad.formId,
    }));
    this.demoAds = { forms: [quote.id, valuation.id], ads };

    const access = await this.deps.workspaces.access(principal, workspaceId);
    const { url } = this.deps.metaConnections.startOAuth(access, ['lead_ads', 'ad_attribution']);
    const dialog = await fetch(url, { redirect: 'manual' });
    const location = dialog.headers.get('location');
    if (!location) throw new Error(`The simulated Login dialog answered ${dialog.status} without a redirect`);
    const back = new URL(location);
    const landing = await this.deps.metaConnections.finishOAuth(principal, {
      code: back.searchParams.get('code') ?? undefined,
      state: back.searchParams.get('state') ?? undefined,
      error: back.searchParams.get('error') ?? undefined,
    });
    if (!landing.includes('connected=1')) throw new Error(`Connecting the demo Page failed: ${landing}`);
    await this.deps.metaPages.connect(access, [page.id]);
  }

  /** The demo owner acting through a real (short) session, so the audit log names it like any sign-in. */
  private async asOwner<T>(userId: string, work: (principal: Principal) => Promise<T>): Promise<T> {
    const started = await this.deps.auth.startSessionFor(userId, ORIGIN);
    try {
      return await work({
        kind: 'session',
        userId,
        sessionId: started.session.id,
        ip: null,
        userAgent: ORIGIN.userAgent,
        mfaEnabled: false,
      });
    } finally {
      await this.deps.auth.logout(userId, started.session.id, ORIGIN);
    }
  }
}
