import type { Config } from '../../app/config';
import type { Db, DbOrTx } from '../../db/client';
import type { PolicyAcknowledgementMethod } from '../../db/schema';
import { AppError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Actor, AuditService } from '../audit/audit.service';
import type { PolicyAcknowledgementsRepository } from './policy.repository';
import { type CurrentPolicy, loadPolicy } from './policy-version';

/** What the web app needs to know about the policy for one signed-in person. */
export interface PolicyStatus {
  /** The current version: the policy's "Last Updated" day, ISO. */
  version: string;
  /** The current version's date as the policy prints it. */
  lastUpdated: string;
  /** True until this person has acknowledged the current version. */
  acknowledgementRequired: boolean;
  /** The version this person acknowledged last (the current one once done), or null if never. */
  acknowledgedVersion: string | null;
  acknowledgedAt: Date | null;
}

/**
 * The published privacy policy and who acknowledged which version (P34). The policy is read once at start
 * (`PRIVACY_POLICY_FILE` or the shipped text); accounts accept the current version when they are made, and a
 * person signed in when a newer one is published is asked to acknowledge it.
 */
export class PrivacyPolicyService {
  readonly current: CurrentPolicy;

  constructor(
    private readonly deps: {
      db: Db;
      config: Config;
      repo: PolicyAcknowledgementsRepository;
      audit: AuditService;
    },
  ) {
    this.current = loadPolicy(deps.config.PRIVACY_POLICY_FILE);
  }

  async statusFor(userId: string): Promise<PolicyStatus> {
    const { version, lastUpdated } = this.current;
    const row = await this.deps.repo.findForVersionOrLatest(userId, version);
    return {
      version,
      lastUpdated,
      acknowledgementRequired: row?.policyVersion !== version,
      acknowledgedVersion: row?.policyVersion ?? null,
      acknowledgedAt: row?.acknowledgedAt ?? null,
    };
  }

  /**
   * Records that `userId` accepted the current version, inside the caller's transaction (the account's creation,
   * or the person's own acknowledgement), with its audit entry. Acknowledging again changes nothing.
   */
  async recordAcceptance(tx: DbOrTx, userId: string, method: PolicyAcknowledgementMethod, actor: Actor): Promise<void> {
    const { version, sha256 } = this.current;
    const inserted = await this.deps.repo.insertOnce(tx, {
      id: newId(),
      userId,
      policyVersion: version,
      policySha256: sha256,
      method,
    });
    if (!inserted) return;
    await this.deps.audit.record(
      {
        workspaceId: null,
        actor,
        action: 'privacy.policy_acknowledged',
        target: { type: 'user', id: userId },
        metadata: { version, method },
      },
      tx,
    );
  }

  /**
   * The signed-in person's "I have read it". `version` is the one they were shown: if the policy changed since,
   * they have not read the current text, so it is refused (409 `policy_version_not_current`) and not recorded.
   */
  async acknowledge(userId: string, version: string, actor: Actor): Promise<PolicyStatus> {
    if (version !== this.current.version) {
      throw new AppError(
        'policy_version_not_current',
        `Version ${version} is not the current privacy policy (${this.current.version}). Reload the page to read the current one.`,
        { details: [{ path: 'version', message: `The current version is ${this.current.version}` }] },
      );
    }
    await this.deps.db.transaction((tx) => this.recordAcceptance(tx, userId, 'prompt', actor));
    return this.statusFor(userId);
  }
}
