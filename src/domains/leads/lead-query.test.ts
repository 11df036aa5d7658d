import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/db';
import type { Database } from '../../db/client';
import { leads } from '../../db/schema';
import { newId } from '../../lib/ids';
import { searchTextOf } from '../contacts/identity';
import type { FieldSpec } from '../fields/field-values';
import {
  type CompiledQuery,
  compileLeadQuery,
  encodeCursor,
  type LeadFilter,
  type LeadQuery,
  searchFragment,
} from './lead-query';

/** The query compiler against a real database: every operator, custom fields, search, and keyset paging. */

const WS = newId();
const OTHER_WS = newId();
const OWNER_A = newId();
const OWNER_B = newId();
const PIPELINE = newId();
const STAGE_1 = newId();
const STAGE_2 = newId();

const FIELDS: FieldSpec[] = [
  { key: 'budget', label: 'Budget', type: 'number', required: false, options: [] },
  {
    key: 'branch',
    label: 'Branch',
    type: 'single_select',
    required: false,
    options: [
      { value: 'kl', label: 'KL' },
      { value: 'pg', label: 'Penang' },
    ],
  },
  {
    key: 'interests',
    label: 'Interests',
    type: 'multi_select',
    required: false,
    options: [
      { value: 'a', label: 'A' },
      { value: 'b', label: 'B' },
      { value: 'c', label: 'C' },
    ],
  },
  { key: 'vip', label: 'VIP', type: 'checkbox', required: false, options: [] },
  { key: 'visit', label: 'Visit', type: 'date', required: false, options: [] },
];

interface Seed {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  value: number | null;
  ownerId: string | null;
  stageId: string;
  source: 'manual' | 'api' | 'import';
  tags: string[];
  custom: Record<string, unknown>;
  createdAt: string;
}

const NAMES = ['Aisyah', 'Bala', 'Chong', 'Devi', 'Eng', 'Farid', 'Gopal', 'Hui Min', 'Ismail', 'Jia Hui'];
const TAG_SETS = [[], ['hot'], ['hot', 'vip'], ['cold'], ['vip']];

function seeds(): Seed[] {
  const out: Seed[] = [];
  for (let i = 0; i < 57; i++) {
    // Several rows share one timestamp, and some differ only in microseconds: paging must still be exact.
    const second = Math.floor(i / 4);
    const micros = String((i % 4) * 137).padStart(3, '0');
    out.push({
      id: newId(),
      name: `${NAMES[i % NAMES.length]} ${i}`,
      email: i % 5 === 0 ? null : `person${i}@Example.com`.toLowerCase(),
      phone: i % 6 === 0 ? null : `+6012${String(3000000 + i * 7919).padStart(7, '0')}`,
      value: i % 3 === 0 ? null : (i * 37) % 500,
      ownerId: i % 4 === 0 ? null : i % 2 ? OWNER_A : OWNER_B,
      stageId: i % 2 ? STAGE_1 : STAGE_2,
      source: (['manual', 'api', 'import'] as const)[i % 3]!,
      tags: TAG_SETS[i % TAG_SETS.length]!,
      custom: {
        ...(i % 4 === 1 ? {} : { budget: (i * 13) % 100 }),
        ...(i % 3 === 0 ? { branch: 'kl' } : i % 3 === 1 ? { branch: 'pg' } : {}),
        ...(i % 2 ? { interests: i % 4 === 1 ? ['a', 'b'] : ['c'] } : {}),
        ...(i % 5 === 0 ? {} : { vip: i % 2 === 0 }),
        ...(i % 7 === 0 ? {} : { visit: `2026-02-${String((i % 27) + 1).padStart(2, '0')}` }),
      },
      createdAt: `2026-01-01T00:00:${String(second).padStart(2, '0')}.123${micros}Z`,
    });
  }
  return out;
}

describe('lead query compiler on a real database', () => {
  let database: Database;
  let drop: () => Promise<void>;
  const rows = seeds();

  beforeAll(async () => {
    ({ database, drop } = await createTestDatabase());
    const values = (ws: string, r: Seed) => ({
      workspaceId: ws,
      id: ws === WS ? r.id : newId(),
      contactId: newId(),
      name: r.name,
      email: r.email,
      phone: r.phone,
      search: searchTextOf(r.name, r.email, r.phone),
      source: r.source,
      pipelineId: PIPELINE,
      stageId: r.stageId,
      ownerId: r.ownerId,
      value: r.value,
      tags: r.tags,
      custom: r.custom,
      createdAt: new Date(r.createdAt),
      updatedAt: new Date(r.createdAt),
      stageChangedAt: new Date(r.createdAt),
    });
    await database.db.insert(leads).values(rows.map((r) => values(WS, r)));
    // Another workspace with look-alike leads: none may ever show up.
    await database.db.insert(leads).values(rows.slice(0, 10).map((r) => values(OTHER_WS, r)));
    // Microsecond precision is what the database keeps: set it exactly (a JS Date has milliseconds only).
    for (const r of rows) {
      await database.db.execute(sql`update leads set created_at = ${r.createdAt}::timestamptz where id = ${r.id}`);
    }
  });
  afterAll(() => drop?.());

  const query = (q: Partial<LeadQuery>): LeadQuery => ({
    filters: [],
    sort: { field: 'created_at', direction: 'desc' },
    ...q,
  });

  async function select(compiled: CompiledQuery, limit = 1000) {
    return (await database.db
      .select({ id: leads.id, sortValue: sql<unknown>`${compiled.cursorValueExpr}` })
      .from(leads)
      .where(compiled.where)
      .orderBy(...compiled.orderBy)
      .limit(limit)) as { id: string; sortValue: unknown }[];
  }

  const ids = async (q: Partial<LeadQuery>, ownerId?: string) =>
    new Set((await select(compileLeadQuery(WS, query(q), FIELDS, { ownerId }))).map((r) => r.id));

  const expected = (predicate: (r: Seed) => boolean) => new Set(rows.filter(predicate).map((r) => r.id));

  const created = (r: Seed) => r.createdAt;
  const has = (r: Seed, key: string) => r.custom[key] !== undefined && r.custom[key] !== null;

  const cases: [string, LeadFilter, (r: Seed) => boolean][] = [
    // text (built-in)
    ['name eq (any case)', { field: 'name', op: 'eq', value: 'aisyah 0' }, (r) => r.name === 'Aisyah 0'],
    ['name neq', { field: 'name', op: 'neq', value: 'AISYAH 0' }, (r) => r.name !== 'Aisyah 0'],
    ['source in', { field: 'source', op: 'in', value: ['api', 'import'] }, (r) => r.source !== 'manual'],
    ['source nin', { field: 'source', op: 'nin', value: ['api'] }, (r) => r.source !== 'api'],
    ['name contains', { field: 'name', op: 'contains', value: 'HUI' }, (r) => r.name.toLowerCase().includes('hui')],
    [
      'name not_contains',
      { field: 'name', op: 'not_contains', value: 'hui' },
      (r) => !r.name.toLowerCase().includes('hui'),
    ],
    ['email contains a LIKE wildcard literally', { field: 'email', op: 'contains', value: '%' }, () => false],
    ['email is_empty', { field: 'email', op: 'is_empty' }, (r) => !r.email],
    ['email is_not_empty', { field: 'email', op: 'is_not_empty' }, (r) => !!r.email],
    ['name gt', { field: 'name', op: 'gt', value: 'H' }, (r) => r.name > 'H'],
    // number
    ['value eq', { field: 'value', op: 'eq', value: 74 }, (r) => r.value === 74],
    ['value neq (nulls included)', { field: 'value', op: 'neq', value: 74 }, (r) => r.value !== 74],
    ['value gt', { field: 'value', op: 'gt', value: 250 }, (r) => r.value !== null && r.value > 250],
    ['value gte', { field: 'value', op: 'gte', value: 259 }, (r) => r.value !== null && r.value >= 259],
    ['value lt', { field: 'value', op: 'lt', value: 100 }, (r) => r.value !== null && r.value < 100],
    ['value lte', { field: 'value', op: 'lte', value: 74 }, (r) => r.value !== null && r.value <= 74],
    [
      'value between',
      { field: 'value', op: 'between', value: [100, 300] },
      (r) => r.value !== null && r.value >= 100 && r.value <= 300,
    ],
    [
      'value between open end',
      { field: 'value', op: 'between', value: [400, null] },
      (r) => r.value !== null && r.value >= 400,
    ],
    ['value in', { field: 'value', op: 'in', value: [74, 148] }, (r) => r.value === 74 || r.value === 148],
    ['value nin', { field: 'value', op: 'nin', value: [74] }, (r) => r.value !== 74],
    ['value is_empty', { field: 'value', op: 'is_empty' }, (r) => r.value === null],
    ['value is_not_empty', { field: 'value', op: 'is_not_empty' }, (r) => r.value !== null],
    [
      'value contains (as text)',
      { field: 'value', op: 'contains', value: '7' },
      (r) => r.value !== null && String(r.value).includes('7'),
    ],
    // datetime
    [
      'created_at gte',
      { field: 'created_at', op: 'gte', value: '2026-01-01T00:00:10Z' },
      (r) => created(r) >= '2026-01-01T00:00:10',
    ],
    [
      'created_at lt',
      { field: 'created_at', op: 'lt', value: '2026-01-01T00:00:05Z' },
      (r) => created(r) < '2026-01-01T00:00:05',
    ],
    [
      'created_at between',
      { field: 'created_at', op: 'between', value: ['2026-01-01T00:00:03Z', '2026-01-01T00:00:06Z'] },
      (r) => created(r) >= '2026-01-01T00:00:03' && created(r) <= '2026-01-01T00:00:06',
    ],
    // uuid
    ['owner_id eq', { field: 'owner_id', op: 'eq', value: OWNER_A }, (r) => r.ownerId === OWNER_A],
    ['owner_id neq (unowned included)', { field: 'owner_id', op: 'neq', value: OWNER_A }, (r) => r.ownerId !== OWNER_A],
    ['owner_id is_empty', { field: 'owner_id', op: 'is_empty' }, (r) => r.ownerId === null],
    ['owner_id in', { field: 'owner_id', op: 'in', value: [OWNER_A, OWNER_B] }, (r) => r.ownerId !== null],
    ['stage_id nin', { field: 'stage_id', op: 'nin', value: [STAGE_1] }, (r) => r.stageId !== STAGE_1],
    [
      'owner_id contains (as text)',
      { field: 'owner_id', op: 'contains', value: OWNER_B.slice(-12) },
      (r) => r.ownerId === OWNER_B,
    ],
    // tags
    [
      'tags contains = has all',
      { field: 'tags', op: 'contains', value: ['hot', 'vip'] },
      (r) => r.tags.includes('hot') && r.tags.includes('vip'),
    ],
    [
      'tags in = has any',
      { field: 'tags', op: 'in', value: ['cold', 'vip'] },
      (r) => r.tags.includes('cold') || r.tags.includes('vip'),
    ],
    ['tags nin', { field: 'tags', op: 'nin', value: ['hot'] }, (r) => !r.tags.includes('hot')],
    ['tags not_contains', { field: 'tags', op: 'not_contains', value: 'vip' }, (r) => !r.tags.includes('vip')],
    ['tags is_empty', { field: 'tags', op: 'is_empty' }, (r) => r.tags.length === 0],
    ['tags is_not_empty', { field: 'tags', op: 'is_not_empty' }, (r) => r.tags.length > 0],
    // custom fields by type
    [
      'custom number gt',
      { field: 'custom.budget', op: 'gt', value: 50 },
      (r) => has(r, 'budget') && (r.custom.budget as number) > 50,
    ],
    [
      'custom number between',
      { field: 'custom.budget', op: 'between', value: [10, 20] },
      (r) => has(r, 'budget') && (r.custom.budget as number) >= 10 && (r.custom.budget as number) <= 20,
    ],
    ['custom number is_empty', { field: 'custom.budget', op: 'is_empty' }, (r) => !has(r, 'budget')],
    ['custom select eq', { field: 'custom.branch', op: 'eq', value: 'kl' }, (r) => r.custom.branch === 'kl'],
    ['custom select neq', { field: 'custom.branch', op: 'neq', value: 'kl' }, (r) => r.custom.branch !== 'kl'],
    ['custom select in', { field: 'custom.branch', op: 'in', value: ['kl', 'pg'] }, (r) => has(r, 'branch')],
    ['custom select is_empty', { field: 'custom.branch', op: 'is_empty' }, (r) => !has(r, 'branch')],
    [
      'custom multi contains',
      { field: 'custom.interests', op: 'contains', value: ['a', 'b'] },
      (r) => ((r.custom.interests as string[]) ?? []).includes('b'),
    ],
    ['custom multi in', { field: 'custom.interests', op: 'in', value: ['b', 'c'] }, (r) => has(r, 'interests')],
    [
      'custom multi nin',
      { field: 'custom.interests', op: 'nin', value: ['c'] },
      (r) => !((r.custom.interests as string[]) ?? []).includes('c'),
    ],
    ['custom multi is_empty', { field: 'custom.interests', op: 'is_empty' }, (r) => !has(r, 'interests')],
    ['custom checkbox eq true', { field: 'custom.vip', op: 'eq', value: true }, (r) => r.custom.vip === true],
    ['custom checkbox eq "false"', { field: 'custom.vip', op: 'eq', value: 'false' }, (r) => r.custom.vip === false],
    ['custom checkbox neq true', { field: 'custom.vip', op: 'neq', value: true }, (r) => r.custom.vip !== true],
    [
      'custom date gte',
      { field: 'custom.visit', op: 'gte', value: '2026-02-20' },
      (r) => has(r, 'visit') && (r.custom.visit as string) >= '2026-02-20',
    ],
    ['custom date is_not_empty', { field: 'custom.visit', op: 'is_not_empty' }, (r) => has(r, 'visit')],
  ];

  it.each(cases)('filter: %s', async (_name, filter, predicate) => {
    expect(await ids({ filters: [filter] })).toEqual(expected(predicate));
  });

  it('combines filters with AND and restricts to one owner for agents', async () => {
    const got = await ids(
      {
        filters: [
          { field: 'stage_id', op: 'eq', value: STAGE_1 },
          { field: 'value', op: 'is_not_empty' },
        ],
      },
      OWNER_A,
    );
    expect(got).toEqual(expected((r) => r.stageId === STAGE_1 && r.value !== null && r.ownerId === OWNER_A));
  });

  it('never returns another workspace\u2019s leads', async () => {
    expect((await ids({})).size).toBe(rows.length);
  });

  it('refuses unknown fields, wrong values and unsortable fields with validation_failed', () => {
    const bad: Partial<LeadQuery>[] = [
      { filters: [{ field: 'password_hash', op: 'eq', value: 'x' }] },
      { filters: [{ field: 'custom.nope', op: 'eq', value: 'x' }] },
      { filters: [{ field: 'value', op: 'gt', value: 'abc' }] },
      { filters: [{ field: 'created_at', op: 'gt', value: 'yesterday' }] },
      { filters: [{ field: 'owner_id', op: 'eq', value: "1' or '1'='1" }] },
      { filters: [{ field: 'value', op: 'in', value: [] }] },
      { filters: [{ field: 'value', op: 'between', value: [1] }] },
      { filters: [{ field: 'tags', op: 'gt', value: 'x' }] },
      { filters: [{ field: 'tags', op: 'contains' }] },
      { filters: [{ field: 'custom.vip', op: 'eq', value: 'maybe' }] },
      { sort: { field: 'tags', direction: 'asc' } },
    ];
    for (const q of bad) {
      expect(() => compileLeadQuery(WS, query(q), FIELDS), JSON.stringify(q)).toThrow(
        expect.objectContaining({ code: 'validation_failed' }),
      );
    }
  });

  it('rejects tampered cursors', () => {
    for (const cursor of ['not-base64-json', encodeCursor('yesterday', newId()), encodeCursor({ a: 1 }, newId())]) {
      expect(() => compileLeadQuery(WS, query({}), FIELDS, { cursor })).toThrow(
        expect.objectContaining({ code: 'validation_failed' }),
      );
    }
    const badNumber = encodeCursor('1; drop table leads', newId());
    expect(() =>
      compileLeadQuery(WS, query({ sort: { field: 'value', direction: 'desc' } }), FIELDS, { cursor: badNumber }),
    ).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });

  describe('search', () => {
    it('finds by a name fragment in any case', async () => {
      expect(await ids({ q: 'JIA h' })).toEqual(expected((r) => r.name.toLowerCase().includes('jia h')));
    });
    it('finds by an email fragment', async () => {
      expect(await ids({ q: 'person12@' })).toEqual(expected((r) => (r.email ?? '').includes('person12@')));
    });
    it('finds by a phone fragment written in international or local form', async () => {
      const target = rows.find((r) => r.phone)!;
      const local = `0${target.phone!.slice(3)}`; // +6012… → 012…
      const spaced = `${local.slice(0, 3)} ${local.slice(3, 6)}-${local.slice(6)}`;
      for (const q of [target.phone!, spaced, target.phone!.slice(-6)]) {
        expect(await ids({ q }), q).toContain(target.id);
      }
      expect(searchFragment('012-345 6789')).toBe('123456789');
    });
    it('treats LIKE wildcards in the search as text', async () => {
      expect((await ids({ q: '%' })).size).toBe(0);
      expect((await ids({ q: '_' })).size).toBe(0);
    });
  });

  describe('sort and keyset paging', () => {
    const sorts: LeadQuery['sort'][] = [
      { field: 'created_at', direction: 'desc' },
      { field: 'created_at', direction: 'asc' },
      { field: 'name', direction: 'asc' },
      { field: 'name', direction: 'desc' },
      { field: 'value', direction: 'desc' },
      { field: 'value', direction: 'asc' },
      { field: 'email', direction: 'asc' },
      { field: 'owner_id', direction: 'desc' },
      { field: 'custom.budget', direction: 'asc' },
      { field: 'custom.budget', direction: 'desc' },
      { field: 'custom.branch', direction: 'asc' },
    ];

    it.each(sorts.map((s) => [`${s.field} ${s.direction}`, s] as const))(
      '%s: pages of 7 cover every row once, in order, empty values last',
      async (_name, sort) => {
        const q = query({ sort });
        const all = await select(compileLeadQuery(WS, q, FIELDS));
        expect(all).toHaveLength(rows.length);
        const paged: string[] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard < 100; guard++) {
          const page = await select(compileLeadQuery(WS, q, FIELDS, { cursor }), 7);
          paged.push(...page.map((r) => r.id));
          if (page.length < 7) break;
          const last = page.at(-1)!;
          // The cursor goes through JSON, as it does over HTTP.
          cursor = JSON.parse(JSON.stringify(encodeCursor(last.sortValue, last.id)));
        }
        expect(paged).toEqual(all.map((r) => r.id));
        expect(new Set(paged).size).toBe(rows.length);
      },
    );

    it('puts empty values last in both directions', async () => {
      for (const direction of ['asc', 'desc'] as const) {
        const all = await select(compileLeadQuery(WS, query({ sort: { field: 'value', direction } }), FIELDS));
        const values = all.map((r) => rows.find((x) => x.id === r.id)!.value);
        const firstNull = values.indexOf(null);
        expect(values.slice(firstNull).every((v) => v === null)).toBe(true);
        const nonNull = values.slice(0, firstNull) as number[];
        const sorted = [...nonNull].sort((a, b) => (direction === 'asc' ? a - b : b - a));
        expect(nonNull).toEqual(sorted);
      }
    });

    it('pages by created_at with rows microseconds apart, without gaps', async () => {
      const q = query({ sort: { field: 'created_at', direction: 'desc' } });
      const paged: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < rows.length + 1; i++) {
        const [row] = await select(compileLeadQuery(WS, q, FIELDS, { cursor }), 1);
        if (!row) break;
        paged.push(row.id);
        cursor = encodeCursor(row.sortValue, row.id);
      }
      expect(paged).toHaveLength(rows.length);
      expect(new Set(paged).size).toBe(rows.length);
    });
  });
});
