import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import type { Delimiter } from './csv-detect';

/** A record larger than this is rejected on its own; the rest of the file still imports. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** One record of the file, numbered from 0 (the header row); a record the parser could not read carries `error`. */
export type CsvItem =
  | { row: number; cells: string[]; bytes: number; error?: undefined }
  | { row: number; error: string; raw: string[]; bytes: number; cells?: undefined };

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Cuts records longer than `limit` bytes out of the byte stream before csv-parse sees them, replacing each with a
 * one-field sentinel line. csv-parse's own `max_record_size` stops parsing the rest of its buffer after the first
 * oversized record (rows would silently vanish), so the limit is enforced here, with the same quoting rules: a quote
 * opens a field only at its start, `""` inside quotes is a literal quote, CR or LF outside quotes ends a record.
 * Memory is bounded by `limit` (the current record is held back until it ends or overflows).
 */
export class RecordGuard extends Transform {
  private pending: Buffer[] = [];
  private recordBytes = 0;
  private inQuotes = false;
  private quotePending = false;
  private fieldStart = true;
  private dropping = false;
  private readonly delimiter: number;

  constructor(
    delimiter: Delimiter,
    private readonly sentinel: string,
    private readonly limit = MAX_RECORD_BYTES,
  ) {
    super();
    this.delimiter = delimiter.charCodeAt(0);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    let runStart = 0; // first byte of this chunk not yet emitted or dropped
    let recStart = 0; // first byte of the current record in this chunk
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      let recordEnd = false;
      let unquoted = !this.inQuotes;
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (b !== QUOTE) {
            this.inQuotes = false;
            unquoted = true;
          }
        } else if (b === QUOTE) {
          this.quotePending = true;
        }
      }
      if (unquoted) {
        if (b === QUOTE && this.fieldStart) {
          this.inQuotes = true;
          this.fieldStart = false;
        } else if (b === this.delimiter) {
          this.fieldStart = true;
        } else if (b === LF || b === CR) {
          recordEnd = true;
        } else {
          this.fieldStart = false;
        }
      }
      this.recordBytes++;
      if (recordEnd) {
        if (this.dropping) {
          this.push(`${this.sentinel}\n`);
          this.dropping = false;
          runStart = i + 1;
        } else if (this.pending.length) {
          this.push(Buffer.concat(this.pending));
          this.pending = [];
        }
        recStart = i + 1;
        this.recordBytes = 0;
        this.fieldStart = true;
      } else if (!this.dropping && this.recordBytes > this.limit) {
        if (recStart > runStart) this.push(chunk.subarray(runStart, recStart));
        this.pending = [];
        this.dropping = true;
      }
    }
    if (!this.dropping) {
      if (recStart > runStart) this.push(chunk.subarray(runStart, recStart));
      if (recStart < chunk.length) this.pending.push(Buffer.from(chunk.subarray(recStart)));
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.dropping) this.push(this.sentinel);
    else if (this.pending.length) this.push(Buffer.concat(this.pending));
    this.pending = [];
    callback();
  }
}

const RAW_CELL_LIMIT = 10_000;

/**
 * Streams the records of a CSV file, header first (row 0). Rows are numbered the same way on every read of the same
 * file, which is what lets an interrupted import resume after its last committed row. Broken records (an unclosed
 * quote, a record over `MAX_RECORD_BYTES`) come out in order as `{row, error, raw}`; the parser never throws on them.
 */
export async function* readCsv(file: string, delimiter: Delimiter, limit = MAX_RECORD_BYTES): AsyncGenerator<CsvItem> {
  const sentinel = `__lb_oversized_${randomBytes(8).toString('hex')}__`;
  let counter = -1;
  const skipped: CsvItem[] = [];
  const parser = parse({
    delimiter,
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    raw: true,
    // A backstop only: the guard keeps records under `limit`; if this ever fires the parser has lost its place.
    max_record_size: limit * 4,
    on_record: (record: { record: string[] } | string[], context: { bytes: number }) => {
      const cells = Array.isArray(record) ? record : record.record;
      return { row: ++counter, cells, bytes: context.bytes };
    },
    on_skip: (err: (Error & { code?: string }) | undefined, raw: string | undefined) => {
      const row = ++counter;
      if (err?.code === 'CSV_MAX_RECORD_SIZE') throw new Error(`The file could not be read past row ${row}.`);
      skipped.push({ row, error: describeParseError(err), raw: [(raw ?? '').slice(0, RAW_CELL_LIMIT)], bytes: 0 });
    },
  } as never);
  const source = createReadStream(file, { highWaterMark: 256 * 1024 });
  const guard = new RecordGuard(delimiter, sentinel, limit);
  source.on('error', (e) => parser.destroy(e));
  guard.on('error', (e) => parser.destroy(e));
  source.pipe(guard).pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<{ row: number; cells: string[]; bytes: number }>) {
      while (skipped.length && skipped[0]!.row < item.row) yield skipped.shift()!;
      if (item.cells.length === 1 && item.cells[0] === sentinel) {
        yield {
          row: item.row,
          error: `This row is larger than ${Math.round(limit / 1024)} KB (often a quote that is never closed), so it was skipped.`,
          raw: [],
          bytes: item.bytes,
        };
      } else {
        yield { row: item.row, cells: item.cells, bytes: item.bytes };
      }
    }
    while (skipped.length) yield skipped.shift()!;
  } finally {
    source.destroy();
    guard.destroy();
    parser.destroy();
  }
}

function describeParseError(err: (Error & { code?: string }) | undefined): string {
  switch (err?.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'A quoted value is never closed (a " is missing), so this row and the lines after it could not be read.';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'The quotes in this row are broken (text follows a closing ").';
    default:
      return `This row could not be read: ${err?.message ?? 'unknown error'}`;
  }
}
