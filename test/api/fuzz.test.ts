import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  linkIn,
  type Res,
  type SignedIn,
  type TestApp,
  type TestClient,
  uniqueEmail,
} from '../support/app';
import { uploadCsv } from '../support/imports';

/**
 * OpenAPI-driven fuzzing (quality.md: ≥ 1,000 generated bad inputs per endpoint, 0 server errors, 0 stack traces).
 * Every operation of /openapi.json gets `FUZZ_RUNS` (default 1,000) requests built by fast-check from its own
 * request schema: arbitrary JSON, malformed JSON, valid-shaped bodies with fields swapped for wrong types, huge or
 * hostile strings and extreme numbers, random path ids (real, random UUIDs, not UUIDs, traversal, %00) and random
 * query strings. Workspace routes are called by a signed-in owner (cookie + CSRF), the public auth and invitation
 * routes anonymously. Each answer must be < 500, a JSON error envelope when ≥ 400, and carry no stack trace.
 *
 * Side effects are kept light: DELETE routes get random ids only, so nothing set up here is deleted; signing out
 * uses a session of its own; the workspace settings (which can require 2FA of every member) are fuzzed on a spare
 * workspace; bulk actions run last. The job worker is off, so emails queued by fuzzed requests are never sent.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

type Schema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};

interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string; schema?: Schema }[];
  body?: Schema;
  multipart: boolean;
}

/** Hostile strings: injection, markup, encodings, control characters, edge-case dates and numbers as text. */
const EVIL = [
  "' OR '1'='1",
  "1'; DROP TABLE leads; --",
  '" OR ""="',
  "%' OR 1=1 --",
  "'; select pg_sleep(5); --",
  '$1',
  '\\',
  "'",
  '"',
  '`',
  '%',
  '_',
  '*',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(document.cookie)>',
  'javascript:alert(1)',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as plain text
  '${7*7}{{7*7}}<%= 7*7 %>',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '\u0000',
  'a\u0000b',
  '%00',
  '\ud800',
  '\udfff\ud800',
  '\uffff\ufffe',
  '\u202e\u200b\u200d\ufeff',
  '😀🏳️‍🌈👨‍👩‍👧‍👦',
  'ＡＢＣ　全角',
  'مرحبا',
  'İıŞş',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e999',
  '0x10',
  'true',
  '[]',
  '{}',
  ' ',
  '\t\r\n',
  '\r\nBcc: victim@example.com',
  '__proto__',
  'constructor',
  'prototype',
  '=cmd|"/c calc"!A1',
  '@SUM(1+1)',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '00000000-0000-0000-0000-00000000000g',
  '2024-02-30T25:61:00Z',
  '9999-12-31T23:59:59.999Z',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '1970-01-01T00:00:00+14:00',
  '2024-01-01T00:00:00-23:59',
  '+60',
  '+999999999999999999999',
  '+60 12-345 6789 ext. 1',
  '@',
  'a@b',
  `x@${'a'.repeat(300)}.com`,
  'Asia/Nowhere',
  'created_at',
  'custom.',
  'custom.nope',
  'custom.__proto__',
  'name; select 1',
  'name desc, (select 1)',
  'a'.repeat(257),
  'a'.repeat(5001),
];

const hugeString = fc.constantFrom(
  'a'.repeat(100_000),
  '😀'.repeat(30_000),
  `${'\u0000'.repeat(1000)}x`,
  ' '.repeat(70_000),
);
const badString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EVIL) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 400 }) },
  { weight: 1, arbitrary: hugeString },
);
const badNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, -0, 0.5, -0.5, 2 ** 31, 2 ** 31 - 1, 2 ** 53 + 2, -(2 ** 63), 1e21, 1e308, -1e308, 5e-324),
);
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: badString },
  { weight: 3, arbitrary: badNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(fc.array(fc.oneof(badString, badNumber), { maxLength: 3 }), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom({}, [], [[[[[[[[[[]]]]]]]]]], { __proto__: null, toString: 1 }) },
);

/** Ids that exist (so fuzzed bodies that reference them get past "not found" into the services). */
const known: Record<string, string> = {};
const knownIds = () => fc.constantFrom(...Object.values(known));
let ownerEmail = 'a@b.co';

const isoDates = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** Values that conform to the schema, down to `depth`; each node may still be swapped for a bad value. */
function valid(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => arb(s, depth)));
  if (schema.allOf) return valid(Object.assign({}, ...schema.allOf), depth);
  const types = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []).filter(
    (t) => t !== 'null',
  );
  const nullable = schema.nullable || (Array.isArray(schema.type) && schema.type.includes('null'));
  const one = (type: string | undefined): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'object': {
        const props = Object.entries(schema.properties ?? {});
        const model = Object.fromEntries(props.map(([k, s]) => [k, arb(s, depth + 1)]));
        return fc
          .tuple(
            fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in model) }),
            fc.option(fc.dictionary(badString, badValue, { maxKeys: 2 }), { freq: 8 }),
          )
          .map(([obj, extra]) => ({ ...(extra ?? {}), ...obj }));
      }
      case 'array':
        return fc.array(arb(schema.items ?? {}, depth + 1), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, 4)),
        });
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
      case 'number':
        return fc.double({
          min: schema.minimum ?? -1e12,
          max: schema.maximum ?? 1e12,
          noNaN: true,
          noDefaultInfinity: true,
        });
      case 'string': {
        if (schema.format === 'uuid') return fc.oneof({ weight: 3, arbitrary: knownIds() }, fc.uuid());
        if (schema.format === 'email') return fc.oneof(fc.emailAddress(), fc.constant(ownerEmail));
        if (schema.format === 'date-time') return isoDates;
        if (schema.pattern === '^[A-Z]{2}$') return fc.constantFrom('MY', 'SG', 'US', 'ZZ', 'XX');
        if (schema.pattern === '^[A-Z]{3}$') return fc.constantFrom('MYR', 'USD', 'ZZZ');
        return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) });
      }
      default:
        // No type (`{}`, e.g. a filter value): anything JSON.
        return fc.jsonValue({ maxDepth: 2 });
    }
  };
  const base = types.length > 1 ? fc.oneof(...types.map(one)) : one(types[0]);
  return nullable ? fc.oneof(base, fc.constant(null)) : base;
}

function arb(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (depth > 5) return badValue;
  return fc.oneof({ weight: 5, arbitrary: valid(schema, depth) }, { weight: 1, arbitrary: badValue });
}

/** A request body as sent on the wire (a string), or undefined for none. */
function bodyArb(op: Operation): fc.Arbitrary<string | undefined> {
  const malformed = fc.oneof(
    fc.constantFrom(
      '',
      '{',
      '{"a":',
      'null',
      '[]',
      '"x"',
      '0',
      'undefined',
      'NaN',
      "{'a':1}",
      '\ufeff{}',
      '{"a":1,"a":2}',
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
      `{"a":"${'x'.repeat(1_100_000)}"}`,
    ),
    fc.string({ maxLength: 50 }),
  );
  const shaped = op.body ? arb(op.body, 0).map((v) => JSON.stringify(v) ?? 'null') : fc.constant('{}');
  return fc.oneof(
    { weight: 6, arbitrary: shaped },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: malformed },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const BAD_SEGMENTS = [
  '..',
  '../',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '%00',
  'a%00b',
  '%',
  '%zz',
  'null',
  'undefined',
  '0',
  '-1',
  '%27%20OR%20%271%27%3D%271',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  encodeURIComponent('😀'),
  'a'.repeat(2000),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '01a225b7-0000-7000-8000-00000000000Z',
  '01A225B7-0000-7000-8000-000000000001',
  '%7B%7D',
  '.',
  '~',
];

/** Lone surrogates cannot be percent-encoded: they go as U+FFFD, as a browser would send them. */
const encodeSegment = (s: string) =>
  encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

function segmentArb(op: Operation, name: string): fc.Arbitrary<string> {
  const real = known[name];
  const bad = fc.oneof(
    fc.constantFrom(...BAD_SEGMENTS),
    fc.string({ minLength: 1, maxLength: 40 }).map(encodeSegment),
    badString.map((s) => encodeSegment(s.slice(0, 3000))),
  );
  // DELETE never gets a real id: the fixtures must survive the sweep.
  const useReal = real && op.method !== 'DELETE';
  const weight = name === 'workspaceId' ? 8 : 3;
  return fc.oneof(
    ...(useReal ? [{ weight, arbitrary: fc.constant(real) }] : []),
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: bad },
  );
}

function queryArb(op: Operation): fc.Arbitrary<string> {
  const declared = op.params.filter((p) => p.in === 'query');
  const asText = (v: unknown): string[] =>
    Array.isArray(v) ? v.flatMap(asText) : [typeof v === 'string' ? v : (JSON.stringify(v) ?? '')];
  const pairs = fc
    .tuple(
      fc.record(Object.fromEntries(declared.map((p) => [p.name, arb(p.schema ?? {}, 1)])), { requiredKeys: [] }),
      fc.dictionary(fc.string({ maxLength: 10 }), badString, { maxKeys: 2 }),
    )
    .map(([known, extra]) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...extra, ...known })) for (const s of asText(v)) q.append(k, s);
      return q.toString();
    });
  const raw = fc.constantFrom(
    '%',
    'a=%zz',
    'limit[]=1',
    'limit=1&limit=2',
    'limit=1e999',
    'limit=-0',
    'cursor=%00',
    'q=%00',
    'q=%27',
    '__proto__[polluted]=1',
    'constructor[prototype][polluted]=1',
    'a=1&'.repeat(3000),
    `q=${'a'.repeat(10_000)}`,
    'query=%7B%22filters%22%3A%5B%7B%22field%22%3A%22x%22%7D%5D%7D',
    'query=%7B%7B',
    'columns=name,,,,',
    'format=xlsx',
  );
  return fc.oneof(
    { weight: 4, arbitrary: pairs },
    { weight: 1, arbitrary: raw },
    { weight: 1, arbitrary: fc.constant('') },
  );
}

/** Anything that looks like a stack trace or a server path. */
const STACK_MARKERS = [
  /\bat [^\s"]+ \(?[^\s"()]*\.(?:ts|js|mjs):\d+/,
  /\.ts:\d+:\d+/,
  /(?:^|\\n|")\s*[A-Z][A-Za-z]*Error: /,
  /\/src\/(?:domains|http|lib|db|jobs|app)\//,
  /node_modules\//,
  /\/work\/main/,
];

function problemWith(res: Res): string | null {
  if (res.statusCode >= 500) return `status ${res.statusCode}`;
  for (const marker of STACK_MARKERS) if (marker.test(res.body)) return `stack marker ${marker}`;
  if (res.statusCode >= 400) {
    let parsed: any;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      return `status ${res.statusCode} with a body that is not JSON`;
    }
    if (typeof parsed?.error?.code !== 'string' || typeof parsed?.error?.message !== 'string')
      return `status ${res.statusCode} without an error envelope`;
  }
  return null;
}

describe('fuzzing every operation of the OpenAPI document', () => {
  let t: TestApp;
  let owner: SignedIn;
  let ops: Operation[] = [];
  let signOutClient: TestClient;
  const timings: string[] = [];

  const ok = <T = any>(res: Res, what: string): T => {
    if (res.statusCode >= 300) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  beforeAll(async () => {
    // The worker is off: fuzzed requests queue emails and jobs that never need to run here.
    // Meta is configured (its routes and webhooks answer), but nothing is connected and its Graph address is closed.
    t = await createTestApp(
      {
        AUTH_RATE_LIMIT_PER_MINUTE: '100000000',
        META_APP_ID: '900000000000001',
        META_APP_SECRET: 'fuzz-app-secret',
        META_VERIFY_TOKEN: 'fuzz-verify-token',
        META_GRAPH_URL: 'http://127.0.0.1:9',
        META_DIALOG_URL: 'http://127.0.0.1:9',
      },
      { worker: false },
    );
    owner = await t.signup({ name: 'Fuzz Owner', companyName: 'Fuzz Co' });
    const ws = `/api/v1/workspaces/${owner.workspaceId}`;
    const c = owner.client;

    // A second member (the invitation email is sent by hand: no worker).
    const memberEmail = uniqueEmail('fuzzmember');
    const invite = ok(await c.post(`${ws}/invites`, { email: memberEmail, role: 'agent' }), 'invite');
    await t.c.invites.sendEmail(owner.workspaceId, invite.id, t.c.mailer);
    const mail = t.outbox().find((m) => m.includes(memberEmail))!;
    const token = linkIn(mail, '/invite/').split('/invite/')[1]!;
    const member = ok(
      await t.client().post(`/api/v1/invites/${token}/register`, {
        name: 'Fuzz Member',
        phone: '+60123456780',
        password: 'a-long-password-2',
      }),
      'register',
    );
    const pending = ok(await c.post(`${ws}/invites`, { email: uniqueEmail('fuzzpending'), role: 'viewer' }), 'invite');
    const key = ok(await c.post(`${ws}/api-keys`, { name: 'Fuzz key', scopes: ['leads.read'] }), 'key');
    const lead = ok(await c.post(`${ws}/leads`, { contact: { name: 'Fuzz Lead', email: uniqueEmail('fl') } }), 'lead');
    const other = ok(await c.post(`${ws}/leads`, { contact: { name: 'Fuzz Other', phone: '+60123450000' } }), 'lead');
    const third = ok(
      await c.post(`${ws}/leads`, { contact: { name: 'Fuzz Third', email: uniqueEmail('ft') } }),
      'lead',
    );
    const merged = ok(
      await c.post(`${ws}/contacts/${lead.contactId}/merge`, { otherContactId: third.contactId }),
      'merge',
    );
    const note = ok(
      await c.post(`${ws}/notes`, { contactId: lead.contactId, leadId: lead.id, body: 'Fuzz note' }),
      'note',
    );
    const task = ok(await c.post(`${ws}/tasks`, { title: 'Fuzz task', leadId: lead.id }), 'task');
    const pipelines = ok(await c.get(`${ws}/pipelines`), 'pipelines');
    const field = ok(await c.post(`${ws}/fields`, { entity: 'lead', label: 'Fuzz Field', type: 'text' }), 'field');
    await c.post(`${ws}/fields`, {
      entity: 'lead',
      label: 'Fuzz Choice',
      type: 'select',
      options: ['a', 'b'],
    });
    const rule = ok(
      await c.post(`${ws}/routing/rules`, {
        name: 'Fuzz rule',
        conditions: [],
        assign: { type: 'user', userId: owner.userId },
        enabled: true,
      }),
      'rule',
    );
    const view = ok(await c.post(`${ws}/views`, { name: 'Fuzz view', shared: true, query: { filters: [] } }), 'view');
    const upload = ok(
      await uploadCsv(c, owner.workspaceId, 'name,email,phone\nFuzz Import,fuzz.import@example.com,+60123450001\n'),
      'upload',
    );
    const spare = ok(await c.post('/api/v1/workspaces', { name: 'Fuzz Spare' }), 'spare workspace');
    const sessions = ok(await c.get('/api/v1/auth/sessions'), 'sessions');
    Object.assign(known, {
      workspaceId: owner.workspaceId,
      spareWorkspaceId: spare.id ?? spare.workspace?.id,
      ownerId: owner.userId,
      userId: member.user.id,
      inviteId: pending.id,
      keyId: key.apiKey.id,
      jobId: '01a225b7-0000-7000-8000-000000000001',
      sessionId: sessions.items[0].id,
      leadId: lead.id,
      otherLeadId: other.id,
      contactId: lead.contactId,
      otherContactId: other.contactId,
      mergeId: merged.mergeId,
      noteId: note.id,
      taskId: task.id,
      pipelineId: pipelines.items[0].id,
      stageId: pipelines.items[0].stages[0].id,
      otherStageId: pipelines.items[0].stages[1].id,
      fieldId: field.id,
      ruleId: rule.id,
      viewId: view.id,
      operationId: upload.operationId,
    });
    expect(known.spareWorkspaceId).toBeTruthy();
    ownerEmail = owner.email;
    // Signing out ends the session that sends it: that route gets a session of its own (signed out after run one).
    signOutClient = t.client('10.1.1.1');
    ok(await signOutClient.login(owner.email, owner.password), 'second sign-in');

    const doc = (await t.server.inject('/openapi.json')).json() as { paths: Record<string, Record<string, any>> };
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const content = op.requestBody?.content ?? {};
        ops.push({
          method: method.toUpperCase(),
          path,
          params: op.parameters ?? [],
          body: content['application/json']?.schema,
          multipart: Boolean(content['multipart/form-data']) || path.endsWith('/imports'),
        });
      }
    }
    // Bulk actions may delete or reassign every lead: last, so the other routes still find the fixtures.
    const last = (op: Operation) => (op.path.endsWith('/leads/bulk') ? 1 : 0);
    ops = ops.sort((a, b) => last(a) - last(b));
  });

  afterAll(async () => {
    if (timings.length) console.info(`fuzz timings (${RUNS} runs each):\n${timings.join('\n')}`);
    await t?.close();
  });

  /** Who sends an operation's requests: the owner, or for public and sign-out routes, a client of their own. */
  function clientFor(op: Operation): TestClient {
    if (op.path === '/api/v1/auth/logout') return signOutClient;
    const anonymous =
      /^\/api\/v1\/auth\/(signup|login|login\/mfa|email\/verify|password\/forgot|password\/reset)$/.test(op.path) ||
      /^\/api\/v1\/invites\/\{token\}$/.test(op.path) ||
      op.path.endsWith('/register') ||
      op.path === '/api/v1/meta' ||
      op.path.startsWith('/webhooks/');
    // Its own address, so the per-IP sign-in throttle it trips stays its own.
    return anonymous
      ? t.client(`10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`)
      : owner.client;
  }

  it('reads a non-trivial OpenAPI document', () => {
    expect(ops.length).toBeGreaterThanOrEqual(90);
  });

  it('regressions found by fuzzing answer 4xx envelopes', async () => {
    const ws = `/api/v1/workspaces/${owner.workspaceId}`;
    const cases: [string, string, unknown, number][] = [
      // A NUL character reached PostgreSQL (invalid byte sequence): 500.
      ['GET', `${ws}/leads?q=%00`, undefined, 400],
      ['POST', `${ws}/notes`, { contactId: known.contactId, body: 'a\u0000b' }, 400],
      // An unpaired surrogate in a JSON column: PostgreSQL refuses the jsonb (invalid input syntax): 500.
      ['POST', `${ws}/leads`, { contact: { name: 'Surrogate' }, custom: { fuzz_field: '\ud800' } }, 400],
      // Router errors answered in Fastify's own shape, not the error envelope.
      ['GET', '/api/v1/workspaces/%zz/leads', undefined, 400],
      ['GET', `/api/v1/workspaces/${'a'.repeat(200)}/leads`, undefined, 404],
    ];
    for (const [method, url, body, status] of cases) {
      const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
      const res = await owner.client.request(
        method,
        url,
        body === undefined ? undefined : JSON.stringify(body),
        headers,
      );
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
      expect(problemWith(res)).toBeNull();
    }
  });

  it(
    'every operation: ≥ FUZZ_RUNS bad inputs, no 5xx, no stack traces, error envelopes',
    async () => {
      const failures: string[] = [];
      const fileStart = Date.now();
      for (const op of ops) {
        const started = Date.now();
        const client = clientFor(op);
        const hasBody = !['GET', 'DELETE', 'HEAD'].includes(op.method);
        const segments = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        const request = fc.record({
          path: fc.tuple(
            ...segments.map((name) =>
              // The workspace settings are fuzzed on the spare workspace: they can require 2FA of every member.
              name === 'workspaceId' && op.path === '/api/v1/workspaces/{workspaceId}' && op.method === 'PATCH'
                ? fc.constant(known.spareWorkspaceId!)
                : segmentArb(op, name),
            ),
          ),
          query: queryArb(op),
          // The multipart upload route's body is not fuzzed (multipart bodies are not JSON); its path and query are.
          body: hasBody && !op.multipart ? bodyArb(op) : fc.constant(undefined),
        });
        const seen = new Set<string>();
        let sent = 0;
        await fc.assert(
          fc.asyncProperty(request, async ({ path, query, body }) => {
            let i = 0;
            let url = op.path.replace(/\{(\w+)\}/g, () => path[i++]!);
            if (query) url += `?${query}`;
            const headers: Record<string, string> = body !== undefined ? { 'content-type': 'application/json' } : {};
            const res = await client.request(op.method, url, body, headers);
            sent++;
            const problem = problemWith(res);
            if (problem) {
              const key = `${op.method} ${op.path}: ${problem}`;
              if (!seen.has(key) && seen.size < 5) {
                failures.push(
                  `${key}\n  ${op.method} ${url.slice(0, 300)}\n  body ${String(body).slice(0, 300)}\n  → ${res.body.slice(0, 300)}`,
                );
              }
              seen.add(key);
            }
          }),
          { numRuns: RUNS, endOnFailure: true },
        );
        expect(sent).toBeGreaterThanOrEqual(RUNS);
        timings.push(`${String(Date.now() - started).padStart(7)} ms  ${op.method} ${op.path}`);
      }
      timings.push(`${String(Date.now() - fileStart).padStart(7)} ms  total`);
      expect(failures).toEqual([]);
    },
    60 * 60_000,
  );
});
