import type { IdentityKind } from '../../db/schema';
import { normaliseEmail, toE164 } from '../../lib/phone';

/**
 * Identity resolution's pure half: how each kind of identity is normalised, so that "Ann@X.com " and "ann@x.com", or
 * "012-345 6789" and "+60123456789" (workspace default country MY), are the same person.
 */
export interface Identity {
  kind: IdentityKind;
  value: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseIdentity(kind: IdentityKind, raw: string, defaultCountry: string): Identity | null {
  const trimmed = raw.trim();
  if (!trimmed) return null;
  switch (kind) {
    case 'email': {
      const email = normaliseEmail(trimmed);
      return EMAIL.test(email) ? { kind, value: email } : null;
    }
    case 'phone': {
      const e164 = toE164(trimmed, defaultCountry);
      return e164 ? { kind, value: e164 } : null;
    }
    default:
      return { kind, value: trimmed };
  }
}

export interface ContactPoint {
  email?: string | null;
  phone?: string | null;
}

/** A contact's email and phone as stored: normalised when possible, the phone kept as given (and flagged) if not. */
export function normaliseContactPoint(input: ContactPoint, defaultCountry: string) {
  const email = input.email?.trim() ? normaliseEmail(input.email) : null;
  const rawPhone = input.phone?.trim() || null;
  const e164 = rawPhone ? toE164(rawPhone, defaultCountry) : null;
  const identities: Identity[] = [];
  if (email && EMAIL.test(email)) identities.push({ kind: 'email', value: email });
  if (e164) identities.push({ kind: 'phone', value: e164 });
  return {
    email,
    emailInvalid: email !== null && !EMAIL.test(email),
    phone: e164 ?? rawPhone,
    phoneInvalid: rawPhone !== null && e164 === null,
    identities,
  };
}

/** The trigram search text of a lead: name, email and the phone's digits, lower-cased. */
export function searchTextOf(
  name: string | null | undefined,
  email: string | null | undefined,
  phone: string | null | undefined,
): string {
  const digits = phone?.replace(/\D/g, '') ?? '';
  return [name ?? '', email ?? '', digits].join(' ').toLowerCase().replace(/\s+/g, ' ').trim();
}
