import { describe, expect, it } from 'vitest';
import { csvCell, neutraliseCell } from './export';

describe('neutraliseCell (CSV formula injection)', () => {
  it('prefixes a quote to cells a spreadsheet would run as a formula', () => {
    for (const cell of ['=1+1', '+60123', '-2', '@SUM(A1)', '\t=cmd', '\r=cmd', '=HYPERLINK("http://x","y")']) {
      expect(neutraliseCell(cell)).toBe(`'${cell}`);
    }
  });

  it('leaves other cells alone', () => {
    for (const cell of ['', 'Ann', ' =not first', "'already", '1+1', 'a=b']) expect(neutraliseCell(cell)).toBe(cell);
  });

  it('formats values as cells: lists with ;, answers as JSON, nothing as empty, always neutralised', () => {
    expect(csvCell('tags', ['vip', '=x'])).toBe('vip;=x');
    expect(csvCell('tags', ['=x', 'vip'])).toBe("'=x;vip");
    expect(csvCell('answers', [{ key: 'k', value: 'v' }])).toBe('[{"key":"k","value":"v"}]');
    expect(csvCell('value', null)).toBe('');
    expect(csvCell('value', -5)).toBe("'-5");
    expect(csvCell('custom.ok', true)).toBe('true');
  });
});
