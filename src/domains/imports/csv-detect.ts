import { isUtf8 } from 'node:buffer';
import { AppError } from '../../lib/errors';

/**
 * What an uploaded file is before anything parses it: its encoding (UTF-8 only, with or without BOM) and its
 * delimiter. Pure and streaming-friendly, so a 2 GB upload is checked as it is written to disk.
 */

export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export const encodingError = (message: string) =>
  new AppError('validation_failed', message, { details: [{ path: 'file', message: 'unsupported_encoding' }] });

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Refuses UTF-16/32 (by BOM or by the NUL bytes their ASCII text is full of) and other binary files. */
export function checkFileHead(head: Buffer): void {
  if (head.length === 0)
    throw new AppError('validation_failed', 'The file is empty.', { details: [{ path: 'file', message: 'empty' }] });
  const b0 = head[0];
  const b1 = head[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    throw encodingError(
      'This file is UTF-16 encoded. Save it as "CSV UTF-8" (in Excel: Save As → CSV UTF-8) and upload it again.',
    );
  }
  if (head.subarray(0, 4).equals(Buffer.from([0, 0, 0xfe, 0xff]))) {
    throw encodingError('This file is UTF-32 encoded. Save it as "CSV UTF-8" and upload it again.');
  }
  const sample = head.subarray(0, 8192);
  if (sample.includes(0)) {
    throw encodingError(
      'This file is not a UTF-8 text file (it contains NUL bytes: it may be UTF-16, a spreadsheet such as .xlsx, or binary). Save it as "CSV UTF-8" and upload it again.',
    );
  }
}

/**
 * Validates UTF-8 across chunk boundaries without decoding: a multi-byte character cut by a chunk edge is carried to
 * the next chunk. `push` returns false at the first invalid byte sequence.
 */
export class Utf8Validator {
  private carry: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): boolean {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = incompleteTail(buf);
    const body = cut ? buf.subarray(0, buf.length - cut) : buf;
    this.carry = cut ? Buffer.from(buf.subarray(buf.length - cut)) : Buffer.alloc(0);
    return isUtf8(body);
  }

  /** True when the file did not end in the middle of a character. */
  end(): boolean {
    return this.carry.length === 0;
  }
}

/** How many bytes at the end of `buf` start a multi-byte character that the buffer does not complete (0-3). */
function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const byte = buf[buf.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

export const invalidUtf8Error = () =>
  encodingError(
    'This file is not valid UTF-8 (it may be saved as Windows-1252, Latin-1 or UTF-16). Save it as "CSV UTF-8" (in Excel: Save As → CSV UTF-8) and upload it again.',
  );

export function stripBom(head: Buffer): Buffer {
  return head.subarray(0, 3).equals(UTF8_BOM) ? head.subarray(3) : head;
}

/**
 * Picks the delimiter among `, ; TAB |` from the first lines of the file: the one that splits the most records into
 * the same number of fields (more than one), counting only characters outside quoted fields.
 */
export function sniffDelimiter(text: string, options: { complete?: boolean; maxRecords?: number } = {}): Delimiter {
  const max = options.maxRecords ?? 50;
  const records = splitRecords(text, max);
  // A cut-off last record (the head ends mid-file) would skew the counts.
  if (!options.complete && records.length > 1 && records.length < max) records.pop();
  let best: { delimiter: Delimiter; score: number } = { delimiter: ',', score: 0 };
  for (const delimiter of DELIMITERS) {
    const counts = records.map((r) => countOutsideQuotes(r, delimiter));
    if (!counts.length || counts[0] === 0) continue;
    const header = counts[0]!;
    const consistent = counts.filter((n) => n === header).length / counts.length;
    // Consistency first, then more columns: "a;b,c" style noise in one column should not win.
    const score = consistent * 1000 + Math.min(header, 999);
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

function splitRecords(text: string, max: number): string[] {
  const records: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length && records.length < max; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === '\n' && !quoted) {
      const line = text.slice(start, i).replace(/\r$/, '');
      if (line.trim()) records.push(line);
      start = i + 1;
    }
  }
  if (records.length < max && start < text.length && text.slice(start).trim()) records.push(text.slice(start));
  return records;
}

function countOutsideQuotes(record: string, delimiter: string): number {
  let quoted = false;
  let n = 0;
  for (const ch of record) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) n++;
  }
  return n;
}

export const delimiterName = (d: Delimiter) => ({ ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' })[d];
