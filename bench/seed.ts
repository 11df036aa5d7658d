import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { v7 as uuidv7 } from 'uuid';
import type { Database } from '../src/db/client';
import { searchTextOf } from '../src/domains/contacts/identity';

/**
 * Realistic leads for benchmarks, written with COPY (the fastest path on both databases): Malaysian and regional
 * names, emails, E.164 phones, sources, campaigns and ads, stages, owners, values, tags and two custom fields,
 * created over the last two years.
 */
export const FIRST_NAMES = [
  'Aisha',
  'Ahmad',
  'Nurul',
  'Muhammad',
  'Siti',
  'Tan',
  'Lim',
  'Wei Ling',
  'Raj',
  'Priya',
  'Kumar',
  'Mei',
  'Hafiz',
  'Farah',
  'Daniel',
  'Sarah',
  'Jason',
  'Chloe',
  'Arif',
  'Zara',
];
export const LAST_NAMES = [
  'Rahman',
  'Abdullah',
  'Tan',
  'Lim',
  'Wong',
  'Lee',
  'Ng',
  'Chong',
  'Krishnan',
  'Subramaniam',
  'Ismail',
  'Hassan',
  'Yusof',
  'Ong',
  'Goh',
  'Teo',
  'Chan',
  'Ali',
  'Omar',
  'Kaur',
];
const SOURCES = ['meta_lead_ads', 'meta_lead_ads', 'meta_lead_ads', 'import', 'manual', 'api', 'whatsapp'];
const CAMPAIGNS = [
  'Raya Promo 2026',
  'CNY Sale',
  'Year End Clearance',
  'Brand Awareness',
  'Retargeting Q3',
  'Webinar Signups',
];
const BRANCHES = ['kl', 'penang', 'jb', 'kk', 'kuching'];
export const TAGS = ['hot', 'vip', 'callback', 'whatsapp', 'follow-up', 'price-sensitive'];

export interface SeedTarget {
  workspaceId: string;
  pipelineId: string;
  stageIds: string[];
  ownerIds: string[];
}

/** A small seeded generator, so every run writes the same data. */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** One value in PostgreSQL's COPY text format. */
export const copyCell = (v: string | number | null) =>
  v === null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');

/** Yields COPY text lines for `n` contacts and leads (1:1), in chunks. */
function* rows(target: SeedTarget, n: number, kind: 'contacts' | 'leads', seed = 42) {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const now = Date.now();
  const twoYears = 2 * 365 * 24 * 3600_000;
  let chunk: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`;
    const email = `${name.toLowerCase().replace(/[^a-z]/g, '.')}.${i}@example.com`;
    const phone = `+601${String(10_000_000 + ((i * 7919) % 89_999_999)).padStart(8, '0')}`;
    const created = new Date(now - Math.floor(r() * twoYears));
    // Ids are time-ordered like production (UUIDv7 at the creation time).
    const contactId = uuidv7({ msecs: created.getTime() });
    const leadId = uuidv7({ msecs: created.getTime() });
    if (kind === 'contacts') {
      chunk.push(
        [
          target.workspaceId,
          contactId,
          name,
          email,
          phone,
          'f',
          '{}',
          '{}',
          created.toISOString(),
          created.toISOString(),
        ]
          .map(copyCell)
          .join('\t'),
      );
    } else {
      const source = pick(SOURCES);
      const campaign = source === 'meta_lead_ads' ? pick(CAMPAIGNS) : null;
      const tags = r() < 0.4 ? `{${pick(TAGS)}}` : '{}';
      const custom = JSON.stringify({ budget: Math.round(r() * 50_000), branch: pick(BRANCHES) });
      chunk.push(
        [
          target.workspaceId,
          leadId,
          contactId,
          name,
          email,
          phone,
          searchTextOf(name, email, phone),
          source,
          campaign,
          campaign ? `${campaign} – Ad ${1 + Math.floor(r() * 5)}` : null,
          target.pipelineId,
          pick(target.stageIds),
          r() < 0.9 ? pick(target.ownerIds) : null,
          Math.round(r() * 10_000),
          'MYR',
          custom,
          tags,
          created.toISOString(),
          created.toISOString(),
          created.toISOString(),
        ]
          .map(copyCell)
          .join('\t'),
      );
    }
    if (chunk.length === 5000) {
      yield `${chunk.join('\n')}\n`;
      chunk = [];
    }
  }
  if (chunk.length) yield `${chunk.join('\n')}\n`;
}

const CONTACT_COLS = 'workspace_id, id, name, email, phone, phone_invalid, custom, tags, created_at, updated_at';
const LEAD_COLS =
  'workspace_id, id, contact_id, name, email, phone, search, source, campaign_name, ad_name, pipeline_id, stage_id, owner_id, value, currency, custom, tags, created_at, updated_at, stage_changed_at';

/** Writes `n` contacts and leads with COPY; returns the seconds it took. Contacts and leads share the seed. */
export async function seedLeads(database: Database, target: SeedTarget, n: number): Promise<number> {
  const t0 = performance.now();
  for (const [table, cols, kind] of [
    ['contacts', CONTACT_COLS, 'contacts'],
    ['leads', LEAD_COLS, 'leads'],
  ] as const) {
    if (database.pool) {
      const client = await database.pool.connect();
      try {
        const stream = client.query(copyFrom(`COPY ${table} (${cols}) FROM STDIN`));
        await pipeline(Readable.from(rows(target, n, kind)), stream);
      } finally {
        client.release();
      }
    } else {
      // PGlite reads COPY input from a Blob; write it in slices to bound memory.
      const gen = rows(target, n, kind);
      let parts: string[] = [];
      let size = 0;
      const flush = async () => {
        if (!parts.length) return;
        await database.pglite!.query(`COPY ${table} (${cols}) FROM '/dev/blob'`, [], { blob: new Blob(parts) });
        parts = [];
        size = 0;
      };
      for (const part of gen) {
        parts.push(part);
        size += part.length;
        if (size > 16_000_000) await flush();
      }
      await flush();
    }
  }
  if (database.pool) await database.pool.query('ANALYZE contacts; ANALYZE leads');
  else await database.pglite!.exec('ANALYZE contacts; ANALYZE leads');
  return (performance.now() - t0) / 1000;
}
