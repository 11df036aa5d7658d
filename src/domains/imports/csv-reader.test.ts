import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CsvItem, readCsv } from './csv-reader';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lb-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(text: string | Buffer, delimiter: ',' | ';' = ',', limit?: number) {
  const file = path.join(dir, `${Math.random()}.csv`);
  writeFileSync(file, text);
  const out: CsvItem[] = [];
  for await (const item of readCsv(file, delimiter, limit)) out.push(item);
  return out.map((i) =>
    i.error !== undefined ? { row: i.row, error: i.error.slice(0, 30) } : { row: i.row, cells: i.cells },
  );
}

describe('readCsv', () => {
  it('reads BOM, CRLF, quoted newlines and escaped quotes, numbering rows from the header', async () => {
    expect(await read('\ufeffa;b\r\n1;"x\r\ny"\r\n\r\n2;"say ""hi"""\r\n', ';')).toEqual([
      { row: 0, cells: ['a', 'b'] },
      { row: 1, cells: ['1', 'x\r\ny'] },
      { row: 2, cells: ['2', 'say "hi"'] },
    ]);
  });

  it('skips a record over the limit (quoted or not) and keeps reading after it', async () => {
    const big = 'x'.repeat(5000);
    expect(await read(`a,b\n1,${big}\n2,"${big}\n${big}"\n3,ok\n`, ',', 4096)).toEqual([
      { row: 0, cells: ['a', 'b'] },
      { row: 1, error: 'This row is larger than 4 KB (' },
      { row: 2, error: 'This row is larger than 4 KB (' },
      { row: 3, cells: ['3', 'ok'] },
    ]);
  });

  it('reports an unclosed quote as one rejected record, in order', async () => {
    expect(await read('a,b\n1,2\n3,"open\n4,5\n')).toEqual([
      { row: 0, cells: ['a', 'b'] },
      { row: 1, cells: ['1', '2'] },
      { row: 2, error: 'A quoted value is never closed' },
    ]);
  });

  it('numbers the same file the same way every time (what resuming relies on)', async () => {
    const text = 'a\n1\n"2\n3\n' + 'y'.repeat(3000) + '\n4\n';
    expect(await read(text, ',', 1024)).toEqual(await read(text, ',', 1024));
  });
});
