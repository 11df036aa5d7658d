import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { leadgenChanges } from './ingest.service';

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
