import { describe, expect, it } from 'vitest';
import { checkFileHead, sniffDelimiter, stripBom, Utf8Validator } from './csv-detect';

describe('sniffDelimiter', () => {
  it('picks the delimiter that splits every record into the same number of fields', () => {
    expect(sniffDelimiter('a,b,c\n1,2,3\n', { complete: true })).toBe(',');
    expect(sniffDelimiter('a;b;c\n1;2,5;3\n', { complete: true })).toBe(';');
    expect(sniffDelimiter('a\tb\n1\t2\n', { complete: true })).toBe('\t');
    expect(sniffDelimiter('a|b|c\n1|2|3\n', { complete: true })).toBe('|');
  });

  it('ignores delimiters inside quotes, including quoted newlines', () => {
    expect(sniffDelimiter('name;note\n"Ann";"a, b, c\nd, e"\n"Bob";"x"\n', { complete: true })).toBe(';');
  });

  it('falls back to comma for a one-column file', () => {
    expect(sniffDelimiter('email\na@x.com\n', { complete: true })).toBe(',');
  });

  it('does not let a cut-off last line of a partial head decide', () => {
    expect(sniffDelimiter('a;b\n1;2\n3;4\n5,6,7,8,9', { complete: false })).toBe(';');
  });
});

describe('encoding checks', () => {
  it('refuses UTF-16 (with or without BOM) and binary files with unsupported_encoding', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n', 'utf16le')]);
    expect(() => checkFileHead(utf16)).toThrow(/UTF-16/);
    expect(() => checkFileHead(Buffer.from('a,b\n', 'utf16le'))).toThrow(/NUL bytes/);
    try {
      checkFileHead(utf16);
    } catch (e) {
      expect((e as { details: unknown }).details).toEqual([{ path: 'file', message: 'unsupported_encoding' }]);
    }
    expect(() => checkFileHead(Buffer.alloc(0))).toThrow(/empty/);
    expect(() => checkFileHead(Buffer.from('\ufeffa,b\n'))).not.toThrow();
  });

  it('validates UTF-8 across chunk boundaries', () => {
    const text = Buffer.from('naïve,日本,😀\n');
    for (let cut = 1; cut < text.length; cut++) {
      const v = new Utf8Validator();
      expect(v.push(text.subarray(0, cut)) && v.push(text.subarray(cut)) && v.end()).toBe(true);
    }
    const bad = new Utf8Validator();
    expect(bad.push(Buffer.from([0x61, 0xe9, 0x2c]))).toBe(false);
    const truncated = new Utf8Validator();
    expect(truncated.push(Buffer.from([0x61, 0xe6, 0x97]))).toBe(true);
    expect(truncated.end()).toBe(false);
  });

  it('strips a UTF-8 BOM', () => {
    expect(stripBom(Buffer.from('\ufeffa')).toString()).toBe('a');
    expect(stripBom(Buffer.from('a')).toString()).toBe('a');
  });
});
