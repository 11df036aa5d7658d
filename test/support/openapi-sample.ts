/**
 * Builds a valid request body from an OpenAPI (JSON Schema) request schema, so that sweeps over every route reach
 * the authorisation check instead of stopping at validation.
 */
type Schema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  minLength?: number;
  pattern?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  default?: unknown;
};

export function sampleFor(schema: Schema | undefined, hints: Record<string, unknown> = {}, key = ''): unknown {
  if (!schema) return undefined;
  if (key in hints) return hints[key];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const alt = schema.anyOf ?? schema.oneOf;
  if (alt) return sampleFor(alt.find((s) => s.type !== 'null') ?? alt[0], hints, key);
  if (schema.allOf) return sampleFor(Object.assign({}, ...schema.allOf), hints, key);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(k) || k in hints) out[k] = sampleFor(s, hints, k);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sampleFor(schema.items, hints, key));
    case 'boolean':
      return true;
    case 'integer':
    case 'number':
      return 1;
    case 'string':
      if (schema.format === 'email') return 'sample@example.com';
      if (schema.format === 'uuid') return '00000000-0000-7000-8000-000000000000';
      if (schema.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      if (schema.pattern === '^[A-Z]{2}$') return 'SG';
      // Meta ids (Pages, forms, leads) are digit strings.
      if (schema.pattern === '^\\d{1,40}$') return '100000000000001';
      return 'x'.repeat(Math.max(10, schema.minLength ?? 1));
    default:
      return undefined;
  }
}
