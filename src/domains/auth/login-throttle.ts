import { AppError } from '../../lib/errors';
import { sha256 } from '../../lib/ids';
import type { AuthRepository } from './auth.repository';

/**
 * Sign-in throttling (P9). Failures are counted per account (keyed by the hashed email, whether or not it exists, so
 * unknown emails get the same answers) and per IP, in a 15-minute window. Past FREE_FAILURES each failure makes the
 * next attempt wait longer (2, 4, 8 … seconds); at LOCK_FAILURES the key is locked for LOCK_MINUTES.
 */
export const THROTTLE_POLICY = {
  windowMinutes: 15,
  account: { freeFailures: 5, lockFailures: 10 },
  ip: { freeFailures: 30, lockFailures: 100 },
  lockMinutes: 15,
};

export class LoginThrottle {
  constructor(private readonly repo: AuthRepository) {}

  keysFor(email: string, ip: string | null) {
    return { account: `acct:${sha256(email)}`, ip: ip ? `ip:${ip}` : null };
  }

  /** Refuses the attempt before any password check when the account or IP must wait. */
  async assertAllowed(email: string, ip: string | null): Promise<void> {
    const keys = this.keysFor(email, ip);
    for (const key of [keys.account, keys.ip]) {
      if (!key) continue;
      const row = await this.repo.getThrottle(key);
      const wait = row?.lockedUntil ? Math.ceil((row.lockedUntil.getTime() - Date.now()) / 1000) : 0;
      if (wait > 0) {
        const minutes = Math.ceil(wait / 60);
        throw new AppError(
          'account_locked',
          wait > 60
            ? `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`
            : `Too many failed sign-ins. Try again in ${wait} second${wait === 1 ? '' : 's'}.`,
          { retryAfter: wait },
        );
      }
    }
  }

  async recordFailure(email: string, ip: string | null): Promise<void> {
    const keys = this.keysFor(email, ip);
    await this.bump(keys.account, THROTTLE_POLICY.account);
    if (keys.ip) await this.bump(keys.ip, THROTTLE_POLICY.ip);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.repo.clearThrottle(this.keysFor(email, null).account);
  }

  private async bump(key: string, policy: { freeFailures: number; lockFailures: number }): Promise<void> {
    const now = new Date();
    // Atomic: parallel wrong passwords must each count, or a burst would get unlimited guesses.
    const failures = await this.repo.incrementThrottle(
      key,
      now,
      new Date(now.getTime() - THROTTLE_POLICY.windowMinutes * 60_000),
    );
    let lockedUntil: Date | null = null;
    if (failures >= policy.lockFailures) {
      lockedUntil = new Date(now.getTime() + THROTTLE_POLICY.lockMinutes * 60_000);
    } else if (failures > policy.freeFailures) {
      // Doubling, but never past the lock itself (the IP policy would otherwise reach years, then overflow to a 500).
      const seconds = Math.min(2 ** (failures - policy.freeFailures), THROTTLE_POLICY.lockMinutes * 60);
      lockedUntil = new Date(now.getTime() + seconds * 1000);
    }
    if (lockedUntil) await this.repo.extendThrottleLock(key, lockedUntil);
  }
}
