import { describe, expect, it } from 'vitest';
import { suggestMapping } from './column-mapping';
import { cleanMetaValue, isMetaLeadAdsExport, metaMapping } from './meta-format';

const META = [
  'id',
  'created_time',
  'ad_id',
  'ad_name',
  'adset_id',
  'adset_name',
  'campaign_id',
  'campaign_name',
  'form_id',
  'form_name',
  'is_organic',
  'platform',
];

describe("Meta's Lead Ads export", () => {
  it('is recognised by its columns, and a generic file is not', () => {
    expect(isMetaLeadAdsExport([...META, 'full_name', 'email'])).toBe(true);
    expect(isMetaLeadAdsExport(['ID', 'Created_Time', 'form_id', 'platform', 'is_organic', 'email'])).toBe(true);
    expect(isMetaLeadAdsExport(['id', 'name', 'email', 'phone'])).toBe(false);
    expect(isMetaLeadAdsExport(['created_time', 'form_id', 'ad_id', 'platform'])).toBe(false);
  });

  it('maps known columns, questions as answers, and a second email column to ignore', () => {
    expect(
      metaMapping([...META, 'first_name', 'last_name', 'email', 'work_email', 'phone_number', 'which_branch?', '']),
    ).toEqual({
      ...Object.fromEntries(
        META.map((h, i) => [
          String(i),
          ({ id: 'external_id', created_time: 'created_at', is_organic: 'ignore' } as Record<string, string>)[h] ?? h,
        ]),
      ),
      '12': 'first_name',
      '13': 'last_name',
      '14': 'email',
      '15': 'ignore',
      '16': 'phone',
      '17': 'answer:which_branch?',
      '18': 'ignore',
    });
    expect(suggestMapping([...META, 'full_name']).format).toBe('meta_lead_ads');
  });

  it("strips Meta's id and phone prefixes", () => {
    expect(cleanMetaValue('external_id', 'l:300000000000001')).toBe('300000000000001');
    expect(cleanMetaValue('ad_id', 'ag:1202')).toBe('1202');
    expect(cleanMetaValue('phone', 'p:+60123456789')).toBe('+60123456789');
    expect(cleanMetaValue('name', 'l:not an id')).toBe('l:not an id');
  });
});

describe('generic mapping suggestions', () => {
  it('maps synonyms (English and Malay), custom fields by key or label, remembered headers first', () => {
    const { format, mapping } = suggestMapping(
      ['Nama Penuh', 'E-mail', 'No. HP', 'Budget (RM)', 'Branch', 'Whatever', 'Phone'],
      {
        remembered: { Whatever: 'tags', Branch: 'custom.gone' },
        customFields: [{ key: 'budget_rm', label: 'Budget (RM)', type: 'number', required: false, options: [] }],
      },
    );
    expect(format).toBe('generic');
    expect(mapping).toEqual({
      '0': 'name',
      '1': 'email',
      '2': 'phone',
      '3': 'custom.budget_rm',
      '4': 'ignore',
      '5': 'tags',
      '6': 'ignore',
    });
  });
});
