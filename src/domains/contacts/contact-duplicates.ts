import { normaliseEmail, toE164 } from '../../lib/phone';

/** Names at least this similar (pg_trgm `similarity`, 0–1), with the same phone ending, suggest the same person. */
export const SIMILAR_NAME_THRESHOLD = 0.5;

export interface DuplicateSubject {
  name: string;
  email: string | null;
  phone: string | null;
}

const digitsOf = (phone: string | null) => (phone ?? '').replace(/\D/g, '');

/** The same number written differently: both read as the same E.164, or (unparseable) the same digits. */
function samePhone(a: string | null, b: string | null, defaultCountry: string): boolean {
  if (!a || !b) return false;
  const ea = toE164(a, defaultCountry);
  const eb = toE164(b, defaultCountry);
  if (ea && eb) return ea === eb;
  return digitsOf(a).length >= 6 && digitsOf(a) === digitsOf(b);
}

/**
 * Why `candidate` may be the same person as `subject`, in words shown to the user; empty when it is not a duplicate.
 * `nameSimilarity` is the database's trigram similarity of the two names.
 */
export function duplicateReasons(
  subject: DuplicateSubject,
  candidate: DuplicateSubject,
  nameSimilarity: number,
  defaultCountry: string,
): string[] {
  const reasons: string[] = [];
  if (subject.email && candidate.email && normaliseEmail(subject.email) === normaliseEmail(candidate.email)) {
    reasons.push('Same email address');
  }
  if (samePhone(subject.phone, candidate.phone, defaultCountry)) {
    reasons.push('Same phone number');
  } else {
    const ending = digitsOf(subject.phone).slice(-4);
    if (
      ending.length === 4 &&
      digitsOf(candidate.phone).slice(-4) === ending &&
      subject.name.trim() !== '' &&
      nameSimilarity >= SIMILAR_NAME_THRESHOLD
    ) {
      reasons.push(`Similar name and phone ending ${ending}`);
    }
  }
  return reasons;
}
