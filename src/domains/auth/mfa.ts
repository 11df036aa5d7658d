import { randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { sha256 } from '../../lib/ids';

/** TOTP (RFC 6238, 30-second steps, 6 digits) and one-time recovery codes. */
export const TOTP_PERIOD = 30;

export const newTotpSecret = (): string => generateSecret();

export async function enrolmentDetails(secret: string, accountLabel: string) {
  const otpauthUrl = generateURI({ issuer: 'LeadsBoost', label: accountLabel, secret });
  const qrCodeDataUrl = await QRCode.toDataURL(otpauthUrl, { margin: 1, width: 220 });
  return { secret, otpauthUrl, qrCodeDataUrl };
}

/**
 * Checks a 6-digit code, allowing one step of clock drift either way, and refuses a step at or before `lastStep`
 * (a code is good once). Returns the accepted step, or null.
 */
export async function checkTotp(secret: string, code: string, lastStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({ secret, token: code, epochTolerance: TOTP_PERIOD });
  if (!result.valid) return null;
  const step = Math.floor(Date.now() / 1000 / TOTP_PERIOD) + result.delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}

/** Ten recovery codes like `k3f9q-2m8xz`; only their hashes are stored. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const codes = Array.from({ length: 10 }, () => {
    const bytes = randomBytes(10);
    const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
  return { codes, hashes: codes.map(hashRecoveryCode) };
}

export const hashRecoveryCode = (code: string): string => sha256(code.trim().toLowerCase());

export const looksLikeRecoveryCode = (code: string): boolean => /^[a-z0-9]{5}-[a-z0-9]{5}$/i.test(code.trim());
