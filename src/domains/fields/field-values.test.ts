import { describe, expect, it } from 'vitest';
import type { FieldType } from '../../db/schema';
import { coerceFieldValue, type FieldSpec } from './field-values';
import { slugifyKey, validateCustomValues } from './fields.service';

const spec = (type: FieldType, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  key: 'f',
  label: 'Field',
  type,
  required: false,
  options: [
    { value: 'kl', label: 'Kuala Lumpur' },
    { value: 'pg', label: 'Penang' },
  ],
  ...extra,
});

const ok = (type: FieldType, input: unknown, extra?: Partial<FieldSpec>, country?: string) =>
  coerceFieldValue(spec(type, extra), input, country);

describe('coerceFieldValue', () => {
  it('clears with null, undefined, blank text or an empty list, unless required', () => {
    for (const empty of [null, undefined, '', '   ', []]) {
      expect(ok('text', empty)).toEqual({ ok: true, value: null });
      expect(ok('number', empty, { required: true })).toEqual({ ok: false, message: 'Field is required' });
    }
  });

  it('text and long text: trimmed strings within their length', () => {
    expect(ok('text', '  hello ')).toEqual({ ok: true, value: 'hello' });
    expect(ok('text', 'x'.repeat(1001))).toEqual({ ok: false, message: 'Field: expected text up to 1,000 characters' });
    expect(ok('text', 42)).toEqual({ ok: false, message: 'Field: expected text up to 1,000 characters' });
    expect(ok('long_text', 'x'.repeat(5000))).toEqual({ ok: true, value: 'x'.repeat(5000) });
    expect(ok('long_text', 'x'.repeat(20_001))).toEqual({
      ok: false,
      message: 'Field: expected text up to 20,000 characters',
    });
  });

  it('number and currency: numbers, or text with separators and currency marks', () => {
    expect(ok('number', 12.5)).toEqual({ ok: true, value: 12.5 });
    expect(ok('number', '1,234.5')).toEqual({ ok: true, value: 1234.5 });
    expect(ok('number', '-3')).toEqual({ ok: true, value: -3 });
    expect(ok('number', 'abc')).toEqual({ ok: false, message: 'Field: expected a number' });
    expect(ok('number', 'USD')).toEqual({ ok: false, message: 'Field: expected a number' });
    expect(ok('number', '12abc')).toEqual({ ok: false, message: 'Field: expected a number' });
    expect(ok('number', true)).toEqual({ ok: false, message: 'Field: expected a number' });
    expect(ok('number', '1e3')).toEqual({ ok: true, value: 1000 });
    expect(ok('number', Number.POSITIVE_INFINITY)).toEqual({ ok: false, message: 'Field: expected a number' });
    expect(ok('currency', 'RM 1,200.456')).toEqual({ ok: true, value: 1200.46 });
    expect(ok('currency', 'MYR 99')).toEqual({ ok: true, value: 99 });
    expect(ok('currency', 'lots')).toEqual({ ok: false, message: 'Field: expected a number' });
  });

  it('date: ISO day or any parseable date, stored as YYYY-MM-DD', () => {
    expect(ok('date', '2026-01-31')).toEqual({ ok: true, value: '2026-01-31' });
    expect(ok('date', '2026-02-03T10:00:00Z')).toEqual({ ok: true, value: '2026-02-03' });
    expect(ok('date', 'not a date')).toEqual({ ok: false, message: 'Field: expected a date like 2026-01-31' });
  });

  it('datetime: stored as an ISO instant', () => {
    expect(ok('datetime', '2026-01-31T10:20:30+08:00')).toEqual({ ok: true, value: '2026-01-31T02:20:30.000Z' });
    expect(ok('datetime', 'soon')).toEqual({ ok: false, message: 'Field: expected a date and time' });
  });

  it('checkbox: booleans and the usual words', () => {
    expect(ok('checkbox', true)).toEqual({ ok: true, value: true });
    expect(ok('checkbox', false)).toEqual({ ok: true, value: false });
    for (const yes of ['yes', 'Y', 'TRUE', '1', 'on', 'x'])
      expect(ok('checkbox', yes)).toEqual({ ok: true, value: true });
    for (const no of ['no', 'false', '0', 'off']) expect(ok('checkbox', no)).toEqual({ ok: true, value: false });
    expect(ok('checkbox', 'maybe')).toEqual({ ok: false, message: 'Field: expected yes or no' });
  });

  it('single select: an option by value or label, ignoring case', () => {
    expect(ok('single_select', 'kl')).toEqual({ ok: true, value: 'kl' });
    expect(ok('single_select', 'penang')).toEqual({ ok: true, value: 'pg' });
    expect(ok('single_select', 'Ipoh')).toEqual({ ok: false, message: 'Field: "Ipoh" is not one of the choices' });
  });

  it('multi select: a list or a delimited text, de-duplicated', () => {
    expect(ok('multi_select', ['kl', 'Penang', 'KL'])).toEqual({ ok: true, value: ['kl', 'pg'] });
    expect(ok('multi_select', 'Kuala Lumpur; pg')).toEqual({ ok: true, value: ['kl', 'pg'] });
    expect(ok('multi_select', 'kl|ipoh')).toEqual({ ok: false, message: 'Field: "ipoh" is not one of the choices' });
  });

  it('email: lower-cased when valid', () => {
    expect(ok('email', ' Ann@Example.COM ')).toEqual({ ok: true, value: 'ann@example.com' });
    expect(ok('email', 'ann@')).toEqual({ ok: false, message: 'Field: expected an email address' });
  });

  it('phone: E.164 using the default country for local numbers', () => {
    expect(ok('phone', '012-345 6789')).toEqual({ ok: true, value: '+60123456789' });
    expect(ok('phone', '07911 123456', undefined, 'GB')).toEqual({ ok: true, value: '+447911123456' });
    expect(ok('phone', '+1 415 555 2671')).toEqual({ ok: true, value: '+14155552671' });
    expect(ok('phone', '12')).toEqual({ ok: false, message: 'Field: expected a phone number' });
  });

  it('url: http(s) only', () => {
    expect(ok('url', 'https://example.com/a?b=1')).toEqual({ ok: true, value: 'https://example.com/a?b=1' });
    expect(ok('url', 'javascript:alert(1)')).toEqual({ ok: false, message: 'Field: expected an http(s) address' });
    expect(ok('url', 'example dot com')).toEqual({ ok: false, message: 'Field: expected a web address' });
  });
});

describe('validateCustomValues', () => {
  const specs: FieldSpec[] = [
    spec('number', { key: 'budget', label: 'Budget', required: true }),
    spec('single_select', { key: 'branch', label: 'Branch' }),
    spec('phone', { key: 'office', label: 'Office phone' }),
  ];

  it('returns coerced values and keeps null to clear', () => {
    expect(
      validateCustomValues(specs, { budget: '1,000', branch: 'Penang', office: null }, { partial: false }),
    ).toEqual({
      budget: 1000,
      branch: 'pg',
      office: null,
    });
  });

  it('collects every problem, unknown keys and missing required fields included, in one error', () => {
    let error: any;
    try {
      validateCustomValues(specs, { branch: 'Ipoh', colour: 'red', office: undefined }, { partial: false });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'validation_failed',
      message:
        '3 custom fields are not valid: Branch: "Ipoh" is not one of the choices; There is no custom field "colour"; Budget is required.',
      details: [
        { path: 'custom.branch', message: 'Branch: "Ipoh" is not one of the choices' },
        { path: 'custom.colour', message: 'There is no custom field "colour".' },
        { path: 'custom.budget', message: 'Budget is required' },
      ],
    });
  });

  it('a single problem is the message itself', () => {
    expect(() => validateCustomValues(specs, { budget: 'lots' }, { partial: true })).toThrow(
      expect.objectContaining({
        message: 'Budget: expected a number',
        details: [{ path: 'custom.budget', message: 'Budget: expected a number' }],
      }),
    );
  });

  it('partial updates skip absent required fields but refuse clearing them', () => {
    expect(validateCustomValues(specs, { branch: 'kl' }, { partial: true })).toEqual({ branch: 'kl' });
    expect(() => validateCustomValues(specs, { budget: null }, { partial: true })).toThrow('Budget is required');
  });

  it('reads phones with the workspace\u2019s country', () => {
    expect(validateCustomValues(specs, { office: '020 7946 0958' }, { partial: true, defaultCountry: 'GB' })).toEqual({
      office: '+442079460958',
    });
  });
});

describe('slugifyKey', () => {
  it('makes a lower-case a-z0-9_ key of at most 40 characters', () => {
    expect(slugifyKey('Preferred branch (KL)')).toBe('preferred_branch_kl');
    expect(slugifyKey('  Café  Crème ')).toBe('cafe_creme');
    expect(slugifyKey('2nd phone')).toBe('f_2nd_phone');
    expect(slugifyKey('A'.repeat(39) + ' b c')).toBe('a'.repeat(39));
    expect(slugifyKey('x'.repeat(60))).toHaveLength(40);
    expect(slugifyKey('预算')).toBe('');
  });
});
