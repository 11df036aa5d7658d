import { describe, expect, it } from 'vitest';
import { conditionHolds, nextInRotation, type RoutableLead, ruleMatches } from './conditions';

const lead: RoutableLead = {
  source: 'meta_lead_ads',
  formId: '12345',
  formName: 'Spring Promo KL',
  campaignName: 'Condo Launch',
  platform: 'Instagram',
  country: 'MY',
  custom: { budget: 250000, branch: 'kl', interests: ['condo', 'Landed'], vip: true, empty: null },
};

describe('conditionHolds', () => {
  it('eq and neq compare text case-insensitively and trimmed', () => {
    expect(conditionHolds({ field: 'source', op: 'eq', value: 'META_LEAD_ADS' }, lead)).toBe(true);
    expect(conditionHolds({ field: 'platform', op: 'eq', value: ' instagram ' }, lead)).toBe(true);
    expect(conditionHolds({ field: 'platform', op: 'eq', value: 'facebook' }, lead)).toBe(false);
    expect(conditionHolds({ field: 'country', op: 'neq', value: 'sg' }, lead)).toBe(true);
    expect(conditionHolds({ field: 'country', op: 'neq', value: 'my' }, lead)).toBe(false);
  });

  it('in takes a list (or one value)', () => {
    expect(conditionHolds({ field: 'country', op: 'in', value: ['SG', 'my'] }, lead)).toBe(true);
    expect(conditionHolds({ field: 'country', op: 'in', value: ['SG', 'ID'] }, lead)).toBe(false);
    expect(conditionHolds({ field: 'form_id', op: 'in', value: [12345] }, lead)).toBe(true);
    expect(conditionHolds({ field: 'country', op: 'in', value: 'my' }, lead)).toBe(true);
  });

  it('contains looks for a fragment, ignoring case; an empty fragment matches nothing', () => {
    expect(conditionHolds({ field: 'form_name', op: 'contains', value: 'promo' }, lead)).toBe(true);
    expect(conditionHolds({ field: 'campaign_name', op: 'contains', value: 'LAUNCH' }, lead)).toBe(true);
    expect(conditionHolds({ field: 'campaign_name', op: 'contains', value: 'villa' }, lead)).toBe(false);
    expect(conditionHolds({ field: 'campaign_name', op: 'contains', value: '' }, lead)).toBe(false);
  });

  it('custom fields: numbers and booleans as text, multi-select when any value holds', () => {
    expect(conditionHolds({ field: 'custom.budget', op: 'eq', value: '250000' }, lead)).toBe(true);
    expect(conditionHolds({ field: 'custom.vip', op: 'eq', value: true }, lead)).toBe(true);
    expect(conditionHolds({ field: 'custom.vip', op: 'eq', value: 'TRUE' }, lead)).toBe(true);
    expect(conditionHolds({ field: 'custom.interests', op: 'eq', value: 'landed' }, lead)).toBe(true);
    expect(conditionHolds({ field: 'custom.interests', op: 'neq', value: 'condo' }, lead)).toBe(false);
    expect(conditionHolds({ field: 'custom.interests', op: 'in', value: ['shop', 'CONDO'] }, lead)).toBe(true);
    expect(conditionHolds({ field: 'custom.interests', op: 'contains', value: 'land' }, lead)).toBe(true);
  });

  it('a missing value equals nothing: neq holds, eq, in and contains do not', () => {
    for (const field of ['custom.empty', 'custom.unknown']) {
      expect(conditionHolds({ field, op: 'eq', value: 'x' }, lead)).toBe(false);
      expect(conditionHolds({ field, op: 'in', value: ['x'] }, lead)).toBe(false);
      expect(conditionHolds({ field, op: 'contains', value: 'x' }, lead)).toBe(false);
      expect(conditionHolds({ field, op: 'neq', value: 'x' }, lead)).toBe(true);
    }
    const bare: RoutableLead = { source: 'manual' };
    expect(conditionHolds({ field: 'country', op: 'eq', value: 'MY' }, bare)).toBe(false);
    expect(conditionHolds({ field: 'form_name', op: 'neq', value: 'x' }, bare)).toBe(true);
    expect(conditionHolds({ field: 'custom.budget', op: 'eq', value: '1' }, bare)).toBe(false);
  });

  it('unknown fields and operators never hold', () => {
    expect(conditionHolds({ field: 'owner_id', op: 'eq', value: 'x' }, lead)).toBe(false);
    expect(conditionHolds({ field: 'source', op: 'gt', value: 'a' }, lead)).toBe(false);
  });
});

describe('ruleMatches', () => {
  it('needs every condition; no condition matches every lead', () => {
    expect(ruleMatches([], lead)).toBe(true);
    expect(
      ruleMatches(
        [
          { field: 'source', op: 'eq', value: 'meta_lead_ads' },
          { field: 'country', op: 'in', value: ['MY', 'SG'] },
        ],
        lead,
      ),
    ).toBe(true);
    expect(
      ruleMatches(
        [
          { field: 'source', op: 'eq', value: 'meta_lead_ads' },
          { field: 'country', op: 'eq', value: 'SG' },
        ],
        lead,
      ),
    ).toBe(false);
  });
});

describe('nextInRotation', () => {
  const all = () => true;
  it('continues after the last pick and wraps around', () => {
    expect(nextInRotation(['a', 'b', 'c'], null, all)).toBe('a');
    expect(nextInRotation(['a', 'b', 'c'], 'a', all)).toBe('b');
    expect(nextInRotation(['a', 'b', 'c'], 'c', all)).toBe('a');
  });

  it('skips the ineligible, starts over when the last pick left the list, null when nobody is eligible', () => {
    expect(nextInRotation(['a', 'b', 'c'], 'a', (id) => id !== 'b')).toBe('c');
    expect(nextInRotation(['a', 'b', 'c'], 'c', (id) => id === 'c')).toBe('c');
    expect(nextInRotation(['a', 'b'], 'gone', all)).toBe('a');
    expect(nextInRotation(['a', 'b'], 'a', () => false)).toBeNull();
    expect(nextInRotation([], null, all)).toBeNull();
  });
});
