import type { Keyring } from '../../lib/crypto';
import { AppError } from '../../lib/errors';
import type { AuditService } from '../audit/audit.service';
import type { AuthRepository, UserRow } from './auth.repository';
import { checkTotp, enrolmentDetails, newRecoveryCodes, newTotpSecret } from './mfa';
import type { Principal } from './principal';

type SessionPrincipal = Extract<Principal, { kind: 'session' }>;

/** Two-factor enrolment: a TOTP secret (encrypted at rest), confirmed by a first code, plus recovery codes. */
export class MfaService {
  constructor(private readonly deps: { repo: AuthRepository; keyring: Keyring; audit: AuditService }) {}

  /** Starts (or restarts) enrolment. The secret is kept but 2FA is off until `enable` confirms a code. */
  async setup(user: UserRow) {
    if (user.mfaEnabledAt)
      throw new AppError('conflict', 'Two-factor authentication is already on. Turn it off first to change it.');
    const secret = newTotpSecret();
    await this.deps.repo.updateUser(user.id, { mfaSecret: this.deps.keyring.encrypt(secret, `mfa:${user.id}`) });
    return enrolmentDetails(secret, user.email);
  }

  async enable(user: UserRow, code: string, principal: SessionPrincipal): Promise<string[]> {
    if (user.mfaEnabledAt) throw new AppError('conflict', 'Two-factor authentication is already on.');
    if (!user.mfaSecret) throw new AppError('conflict', 'Start the set-up first to get a QR code.');
    const secret = this.deps.keyring.decrypt(user.mfaSecret, `mfa:${user.id}`);
    const step = await checkTotp(secret, code.replace(/\s+/g, ''), null);
    if (step === null) {
      throw new AppError('invalid_mfa_code', 'That code is not correct. Enter the 6-digit code your app shows now.');
    }
    const { codes, hashes } = newRecoveryCodes();
    await this.deps.repo.updateUser(user.id, { mfaEnabledAt: new Date(), mfaLastStep: step, mfaRecoveryCodes: hashes });
    await this.record(principal, 'auth.mfa_enabled');
    return codes;
  }

  async disable(user: UserRow, principal: SessionPrincipal): Promise<void> {
    await this.deps.repo.updateUser(user.id, {
      mfaEnabledAt: null,
      mfaSecret: null,
      mfaLastStep: null,
      mfaRecoveryCodes: [],
    });
    await this.record(principal, 'auth.mfa_disabled');
  }

  async regenerateRecoveryCodes(user: UserRow, principal: SessionPrincipal): Promise<string[]> {
    if (!user.mfaEnabledAt) throw new AppError('conflict', 'Two-factor authentication is off.');
    const { codes, hashes } = newRecoveryCodes();
    await this.deps.repo.updateUser(user.id, { mfaRecoveryCodes: hashes });
    await this.record(principal, 'auth.mfa_recovery_codes_regenerated');
    return codes;
  }

  private record(principal: SessionPrincipal, action: string) {
    return this.deps.audit.record({
      workspaceId: null,
      actor: {
        type: 'user',
        id: principal.userId,
        sessionId: principal.sessionId,
        ip: principal.ip,
        userAgent: principal.userAgent,
      },
      action,
    });
  }
}
