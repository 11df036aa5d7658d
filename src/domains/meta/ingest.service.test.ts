import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client';
import type { JobQueue } from '../../jobs/queue';
import type { Logger } from '../../lib/logger';
import { leadgenChanges, MetaIngestService } from './ingest.service';
import type { MetaRepository } from './meta.repository';

const FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/meta');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

describe('leadgenChanges', () => {
  it('reads every change of a batched webhook (several Pages, several changes, organic without ad)', () => {
    const changes = leadgenChanges(fixture('webhook-leadgen-batched.json'));
    expect(changes.map((c) => [c.pageId, c.leadgenId, c.formId, c.adId])).toEqual([
      ['100000000000001', '300000000000002', '200000000000001', '120200000000000101'],
      ['100000000000001', '300000000000003', '200000000000001', null],
      ['100000000000002', '300000000000004', '200000000000002', '120200000000000102'],
    ]);
    expect(changes[0]!.createdTime?.toISOString()).toBe('2026-03-10T14:05:49.000Z');
  });

  it('reads the single webhook', () => {
    expect(leadgenChanges(fixture('webhook-leadgen-single.json'))).toHaveLength(1);
  });

  it('skips Messenger, WhatsApp and malformed items instead of failing', () => {
    expect(leadgenChanges(fixture('webhook-messenger-text.json'))).toEqual([]);
    expect(leadgenChanges(fixture('webhook-whatsapp-inbound-text.json'))).toEqual([]);
    expect(leadgenChanges(null)).toEqual([]);
    expect(
      leadgenChanges({ entry: [{ id: '1', changes: [{ field: 'leadgen', value: { leadgen_id: 'x' } }] }] }),
    ).toEqual([]);
    expect(leadgenChanges({ entry: 'nope' })).toEqual([]);
  });
});

describe('MetaIngestService.receive: one meta.inbound job per interval, never none', () => {
  // Longer than the production interval, so that a slow machine cannot make the test's steps straddle it.
  const INTERVAL = 400;
  const setup = () => {
    const sends: { inTransaction: boolean }[] = [];
    const stored: string[] = [];
    const tx = { tx: true };
    const service = new MetaIngestService(
      {
        db: { transaction: async (fn: (t: unknown) => Promise<unknown>) => fn(tx) } as unknown as Db,
        repo: {
          insertEvents: async (_tx: unknown, rows: { body: string }[]) => {
            stored.push(...rows.map((r) => r.body));
          },
        } as unknown as MetaRepository,
        queue: {
          send: async (_def: unknown, _payload: unknown, options: { tx?: unknown } = {}) => {
            sends.push({ inTransaction: options.tx === tx });
            return 'job';
          },
          wake: () => {},
        } as unknown as JobQueue,
        log: { warn: () => {} } as unknown as Logger,
      },
      INTERVAL,
    );
    return { service, sends, stored };
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('the first batch sends its job in its own transaction; later ones within the interval are covered by a trailing job', async () => {
    const { service, sends, stored } = setup();
    await service.receive('a');
    expect(sends).toEqual([{ inTransaction: true }]);
    await Promise.all([service.receive('b'), service.receive('c')]);
    await service.receive('d');
    expect(stored).toEqual(['a', 'b', 'c', 'd']);
    // Stored and acknowledged without a job of their own…
    expect(sends).toHaveLength(1);
    // …which follows once the interval has passed, after their commit.
    await sleep(INTERVAL * 3);
    expect(sends).toEqual([{ inTransaction: true }, { inTransaction: false }]);
    // Nothing owed: no further job.
    await sleep(INTERVAL * 2);
    expect(sends).toHaveLength(2);
    // After a quiet interval a batch again sends its job in its own transaction.
    await service.receive('e');
    expect(sends.at(-1)).toEqual({ inTransaction: true });
  });
});
