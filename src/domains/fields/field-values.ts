import type { FieldOption, FieldType } from '../../db/schema';
import { toE164 } from '../../lib/phone';

export interface FieldSpec {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  options: FieldOption[];
}

export type CoerceResult = { ok: true; value: unknown } | { ok: false; message: string };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TRUE = new Set(['true', 'yes', 'y', '1', 'on', 'checked', 'x']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off', '']);

/**
 * Turns an input value (JSON from the API, or a string from a CSV cell) into the stored value of a typed field, or
 * says in plain words why it cannot. `null`/empty clears the field (refused when it is required).
 */
export function coerceFieldValue(field: FieldSpec, input: unknown, defaultCountry = 'MY'): CoerceResult {
  const empty =
    input === null ||
    input === undefined ||
    (typeof input === 'string' && input.trim() === '') ||
    (Array.isArray(input) && input.length === 0);
  if (empty) return field.required ? { ok: false, message: `${field.label} is required` } : { ok: true, value: null };
  const text = typeof input === 'string' ? input.trim() : input;
  const bad = (what: string): CoerceResult => ({ ok: false, message: `${field.label}: ${what}` });
  switch (field.type) {
    case 'text':
      return typeof text === 'string' && text.length <= 1000
        ? { ok: true, value: text }
        : bad('expected text up to 1,000 characters');
    case 'long_text':
      return typeof text === 'string' && text.length <= 20_000
        ? { ok: true, value: text }
        : bad('expected text up to 20,000 characters');
    case 'number':
    case 'currency': {
      // A leading currency code or symbol is dropped ("MYR 1,200", "RM1200"); what is left must be a plain number.
      const cleaned =
        typeof text === 'number'
          ? ''
          : String(text)
              .replace(/[,\s]/g, '')
              .replace(/^[A-Z]{3}|^[^\d+\-.]+/i, '');
      const n = typeof text === 'number' ? text : NUMBER.test(cleaned) ? Number(cleaned) : Number.NaN;
      return Number.isFinite(n)
        ? { ok: true, value: field.type === 'currency' ? Math.round(n * 100) / 100 : n }
        : bad('expected a number');
    }
    case 'date': {
      const s = String(text);
      const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(`${s}T00:00:00Z`) : new Date(s);
      return Number.isNaN(d.getTime())
        ? bad('expected a date like 2026-01-31')
        : { ok: true, value: d.toISOString().slice(0, 10) };
    }
    case 'datetime': {
      const d = new Date(String(text));
      return Number.isNaN(d.getTime()) ? bad('expected a date and time') : { ok: true, value: d.toISOString() };
    }
    case 'checkbox': {
      if (typeof text === 'boolean') return { ok: true, value: text };
      const s = String(text).toLowerCase();
      if (TRUE.has(s)) return { ok: true, value: true };
      if (FALSE.has(s)) return { ok: true, value: false };
      return bad('expected yes or no');
    }
    case 'single_select': {
      const option = matchOption(field.options, String(text));
      return option ? { ok: true, value: option } : bad(`"${String(text)}" is not one of the choices`);
    }
    case 'multi_select': {
      const parts = Array.isArray(text) ? text.map(String) : String(text).split(/[;,|]/);
      const values: string[] = [];
      for (const p of parts.map((x) => x.trim()).filter(Boolean)) {
        const option = matchOption(field.options, p);
        if (!option) return bad(`"${p}" is not one of the choices`);
        if (!values.includes(option)) values.push(option);
      }
      return { ok: true, value: values };
    }
    case 'email': {
      const s = String(text).toLowerCase();
      return EMAIL.test(s) ? { ok: true, value: s } : bad('expected an email address');
    }
    case 'phone': {
      const e164 = toE164(String(text), defaultCountry);
      return e164 ? { ok: true, value: e164 } : bad('expected a phone number');
    }
    case 'url': {
      try {
        const u = new URL(String(text));
        return u.protocol === 'http:' || u.protocol === 'https:'
          ? { ok: true, value: u.toString() }
          : bad('expected an http(s) address');
      } catch {
        return bad('expected a web address');
      }
    }
  }
}

/** Options match on their value or label, ignoring case, so CSV files with labels import cleanly. */
function matchOption(options: FieldOption[], input: string): string | null {
  const needle = input.trim().toLowerCase();
  return options.find((o) => o.value.toLowerCase() === needle || o.label.toLowerCase() === needle)?.value ?? null;
}
