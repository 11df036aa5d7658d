import type { Keyring } from './crypto';

/**
 * Short stateless tokens (email verification links, the step between password and 2FA): a payload, an expiry and a
 * MAC under the keyring. They cannot be forged or extended; what must be single-use is stored instead.
 */
export class SignedTokens {
  constructor(private readonly keyring: Keyring) {}

  sign(purpose: string, fields: string[], ttlSeconds: number): string {
    const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
    const payload = Buffer.from(JSON.stringify([...fields, exp])).toString('base64url');
    return `${payload}.${this.keyring.mac(purpose, payload)}`;
  }

  /** The signed fields, or null when the token is malformed, forged or expired. */
  verify(purpose: string, token: string): string[] | null {
    const [payload, mac] = token.split('.');
    if (!payload || !mac || !this.keyring.macMatches(purpose, payload, mac)) return null;
    try {
      const parts = JSON.parse(Buffer.from(payload, 'base64url').toString()) as unknown[];
      const exp = parts.pop();
      if (typeof exp !== 'number' || exp < Date.now() / 1000) return null;
      return parts.map(String);
    } catch {
      return null;
    }
  }
}
