import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPolicy, parsePolicy, parsePolicyDate, SHIPPED_POLICY_FILE } from './policy-version';

describe('policy version (P34)', () => {
  it('reads the written dates the policy uses', () => {
    expect(parsePolicyDate('1st January 2025')).toBe('2025-01-01');
    expect(parsePolicyDate('22nd March 2026')).toBe('2026-03-22');
    expect(parsePolicyDate('3rd  June 2026')).toBe('2026-06-03');
    expect(parsePolicyDate('15 August 2026')).toBe('2026-08-15');
    expect(parsePolicyDate('August 15, 2026')).toBe('2026-08-15');
    expect(parsePolicyDate('2026-08-15')).toBe('2026-08-15');
  });

  it('refuses dates that do not exist or cannot be read', () => {
    for (const bad of ['', 'soon', '31st February 2026', '2026-13-01', '1st Janvier 2025', '1/1/2025']) {
      expect(parsePolicyDate(bad), bad).toBeNull();
    }
  });

  it('the shipped policy is version 2025-01-01, with a hash of its exact text', () => {
    const policy = loadPolicy(SHIPPED_POLICY_FILE);
    expect(policy).toMatchObject({ version: '2025-01-01', lastUpdated: '1st January 2025' });
    expect(policy.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(policy.text).toBe(readFileSync(SHIPPED_POLICY_FILE, 'utf8'));
  });

  it('a new "Last Updated" date is a new version; an edit that keeps the date is not', () => {
    const text = readFileSync(SHIPPED_POLICY_FILE, 'utf8');
    const shipped = parsePolicy(text);
    const typoFix = parsePolicy(text.replace('customer relationship', 'customer-relationship'));
    const updated = parsePolicy(text.replace('Last Updated: 1st January 2025', 'Last Updated: 1st July 2026'));
    expect(typoFix.version).toBe(shipped.version);
    expect(typoFix.sha256).not.toBe(shipped.sha256);
    expect(updated.version).toBe('2026-07-01');
  });

  it('refuses a policy without a readable last-updated date (the server does not start with it)', () => {
    expect(() => parsePolicy('Privacy Policy\nEffective Date: 1st January 2025\nHello', 'policy.txt')).toThrow(
      /policy\.txt has no readable "Last Updated:" line/,
    );
  });
});
