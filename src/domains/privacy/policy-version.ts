import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The policy shipped with LeadsBoost; `PRIVACY_POLICY_FILE` replaces it with the operator's own. */
export const SHIPPED_POLICY_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'privacy-policy.txt');

/** The published privacy policy as the server knows it (P34). */
export interface CurrentPolicy {
  /**
   * The "Last Updated" date as an ISO day (`2025-01-01`). This is the version: section 14 of the policy promises
   * that a material change updates that date, while a content hash would also change on a typo fix and ask every
   * user to re-acknowledge a policy whose meaning did not change. ISO days also sort in publication order.
   */
  version: string;
  /** The date as printed in the policy ("1st January 2025"). */
  lastUpdated: string;
  effectiveDate: string;
  /** SHA-256 of the text, stored with each acknowledgement as evidence of exactly which words were shown. */
  sha256: string;
  text: string;
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

const headerValue = (lines: string[], label: string) =>
  lines
    .find((l) => l.startsWith(`${label}:`))
    ?.slice(label.length + 1)
    .trim() ?? '';

/**
 * An ISO day from a policy date: "1st January 2025", "1 January 2025", "January 1, 2025" or "2025-01-01".
 * Returns null for anything else (or a day that does not exist).
 */
export function parsePolicyDate(value: string): string | null {
  const s = value.trim().toLowerCase().replace(/,/g, ' ').replace(/\s+/g, ' ');
  let y: number;
  let m: number;
  let d: number;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const dayFirst = /^(\d{1,2})(?:st|nd|rd|th)? ([a-z]+) (\d{4})$/.exec(s);
  const monthFirst = /^([a-z]+) (\d{1,2})(?:st|nd|rd|th)? (\d{4})$/.exec(s);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dayFirst) [y, m, d] = [Number(dayFirst[3]), MONTHS.indexOf(dayFirst[2]!) + 1, Number(dayFirst[1])];
  else if (monthFirst) [y, m, d] = [Number(monthFirst[3]), MONTHS.indexOf(monthFirst[1]!) + 1, Number(monthFirst[2])];
  else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** Reads a policy text and derives its version; a policy without a readable "Last Updated:" date is refused. */
export function parsePolicy(text: string, source = 'the privacy policy'): CurrentPolicy {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const lastUpdated = headerValue(lines, 'Last Updated');
  const version = parsePolicyDate(lastUpdated);
  if (!version) {
    throw new Error(`${source} has no readable "Last Updated:" line (e.g. "Last Updated: 1st January 2025")`);
  }
  return {
    version,
    lastUpdated,
    effectiveDate: headerValue(lines, 'Effective Date'),
    sha256: createHash('sha256').update(text).digest('hex'),
    text,
  };
}

export function loadPolicy(file = SHIPPED_POLICY_FILE): CurrentPolicy {
  return parsePolicy(readFileSync(file, 'utf8'), file);
}
