import { describe, expect, it } from 'vitest';
import { duplicateReasons } from './contact-duplicates';

describe('duplicateReasons', () => {
  const ann = { name: 'Ann Lee', email: 'ann@example.com', phone: '+60123456789' };

  it('sees the same email in another case or spacing', () => {
    expect(duplicateReasons(ann, { name: 'X', email: ' ANN@Example.com ', phone: null }, 0, 'MY')).toEqual([
      'Same email address',
    ]);
  });

  it('sees the same phone written locally, with spaces or without the plus', () => {
    for (const phone of ['012-345 6789', '60123456789', '+60 12 345 6789']) {
      expect(duplicateReasons(ann, { name: 'X', email: null, phone }, 0, 'MY'), phone).toEqual(['Same phone number']);
    }
  });

  it('needs both a similar name and the same last four digits otherwise', () => {
    const other = { name: 'Anne Lee', email: null, phone: '+60139996789' };
    expect(duplicateReasons(ann, other, 0.6, 'MY')).toEqual(['Similar name and phone ending 6789']);
    expect(duplicateReasons(ann, other, 0.4, 'MY')).toEqual([]);
    expect(duplicateReasons(ann, { ...other, phone: '+60139996780' }, 0.9, 'MY')).toEqual([]);
  });

  it('compares unparseable phones by their digits', () => {
    const odd = { name: 'Odd', email: null, phone: '12-ab-345678' };
    expect(duplicateReasons(odd, { name: 'Y', email: null, phone: '12345678' }, 0, 'MY')).toEqual([
      'Same phone number',
    ]);
  });

  it('gives every reason that holds', () => {
    expect(duplicateReasons(ann, { name: 'Ann', email: 'ann@example.com', phone: '0123456789' }, 1, 'MY')).toEqual([
      'Same email address',
      'Same phone number',
    ]);
  });
});
