import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { judgeAudit } from './deps-check.mjs';

describe('deps:check (P20)', () => {
  it('fails on a high or critical advisory in production dependencies', () => {
    const out = JSON.stringify({ metadata: { vulnerabilities: { low: 2, high: 1, critical: 0 } } });
    expect(judgeAudit(out).verdict).toBe('vulnerable');
    expect(judgeAudit(JSON.stringify({ metadata: { vulnerabilities: { critical: 1 } } })).verdict).toBe('vulnerable');
  });

  it('passes when only low or moderate advisories exist', () => {
    expect(
      judgeAudit(JSON.stringify({ metadata: { vulnerabilities: { low: 3, moderate: 1, high: 0 } } })).verdict,
    ).toBe('clean');
  });

  it('falls back to the outdated report when the advisory endpoint does not answer (405, offline)', () => {
    expect(judgeAudit(JSON.stringify({ error: { code: 'E405', summary: '405 Method Not Allowed' } })).verdict).toBe(
      'unreachable',
    );
    expect(judgeAudit('', 'npm error code ENOTFOUND').verdict).toBe('unreachable');
    expect(judgeAudit('not json').verdict).toBe('unreachable');
  });
});
