// Reads a well-metadata CSV row by row with csv-parse, addressing values by header name and keeping
// each row's line number; values lose surrounding spaces and stray quotes (`"B02 "` -> B02), and the
// rows where that happened can be asked for. Rows with the wrong field count are reported.
import fs from 'node:fs';
import path from 'node:path';
import { parse, type CastingContext } from 'csv-parse/sync';
import type { Problem } from './types';

const isSpace = (c: number) => c === 32 || c === 9 || c === 0xa0 || c === 0xfeff;
const isQuote = (c: number) => c === 34 || c === 39;

/**
 * A field without surrounding whitespace and without one pair of surrounding quotes left over from
 * sloppy quoting (`' "B02 " '`, `'B02 '`, `"'B02'"` -> 'B02'). Fast path: most fields are tidy.
 */
export function tidyField(raw: string): string {
  const n = raw.length;
  if (n === 0) return raw;
  const a = raw.charCodeAt(0);
  const z = raw.charCodeAt(n - 1);
  if (!isSpace(a) && !isSpace(z) && !isQuote(a) && !isQuote(z)) return raw;
  let v = raw.trim().replace(/^\uFEFF/, '');
  if (v.length >= 2 && isQuote(v.charCodeAt(0)) && v.charCodeAt(v.length - 1) === v.charCodeAt(0))
    v = v.slice(1, -1).trim();
  return v;
}

/** One parsed row; valid only inside the visitor call unless kept by readCsvTable. */
export class CsvRow {
  constructor(
    readonly line: number,
    private readonly record: string[],
    private readonly index: ReadonlyMap<string, number>,
  ) {}

  /** Tidied value (see tidyField) by lower-cased header name; undefined when the file has no such column. */
  get(column: string): string | undefined {
    const i = this.index.get(column);
    return i === undefined ? undefined : tidyField(this.record[i]!);
  }

  /** The value exactly as the file has it (inside CSV quoting), or undefined when there is no such column. */
  raw(column: string): string | undefined {
    const i = this.index.get(column);
    return i === undefined ? undefined : this.record[i];
  }
}

/**
 * Collects values that needed tidying (surrounding spaces or quotes) and reports one problem per
 * file and column: the first line with the value as written, and how many rows had one.
 */
export class UntidyValues {
  private readonly seen = new Map<string, { line: number; raw: string; tidy: string; n: number }>();

  constructor(private readonly problems: Problem[]) {}

  /** Checks the given columns of a row; returns nothing (the value to use is row.get(column)). */
  check(file: string, row: CsvRow, columns: readonly string[]): void {
    for (const c of columns) {
      const raw = row.raw(c);
      if (raw === undefined) continue;
      const tidy = tidyField(raw);
      if (tidy === raw) continue;
      const key = `${file}\0${c}`;
      const prev = this.seen.get(key);
      if (prev) prev.n++;
      else this.seen.set(key, { line: row.line, raw, tidy, n: 1 });
    }
  }

  /** Adds the problems gathered so far (call once, after the files are read). */
  flush(): void {
    for (const [key, v] of this.seen) {
      const [file, column] = key.split('\0') as [string, string];
      const more = v.n > 1 ? ` (${v.n} rows of ${file} in all, first shown)` : '';
      this.problems.push({
        kind: 'untidy-value',
        path: file,
        message: `line ${v.line}: ${column} ${JSON.stringify(v.raw)} has surrounding spaces or quotes; read as ${JSON.stringify(v.tidy)}${more}`,
        count: v.n,
      });
    }
    this.seen.clear();
  }
}

export interface CsvTable {
  file: string;
  header: string[];
  rows: CsvRow[];
}

export function csvExists(root: string, name: string): boolean {
  try {
    return fs.statSync(path.join(root, name)).isFile();
  } catch {
    return false;
  }
}

/**
 * Calls `visit` for every well-formed data row and returns the lower-cased header, or null (with
 * a problem) when the file cannot be read or parsed at all. `onHeader` may refuse the file
 * (returning false), and then no rows are visited.
 */
export function forEachCsvRow(
  root: string,
  name: string,
  problems: Problem[],
  visit: (row: CsvRow) => void,
  onHeader: (header: string[]) => boolean = () => true,
): string[] | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, name), 'utf8');
  } catch (err) {
    problems.push({
      kind: 'missing-file',
      path: name,
      message: `cannot read ${name}: ${(err as Error).message}`,
    });
    return null;
  }
  let header: string[] | null = null;
  let index = new Map<string, number>();
  let accepted = true;
  try {
    parse(text, {
      bom: true,
      relax_column_count: true,
      // Fields are tidied by tidyField (and untidy ones reported by the readers), so spaces and
      // quotes around a value are kept here: `, "B02 " ,` must not fail the whole file.
      relax_quotes: true,
      skip_empty_lines: true,
      on_record: (record: string[], context: CastingContext) => {
        if (header === null) {
          // Header variants: 'Well', ' "siRNA" ', 'Well Type', 'well-type' -> 'well', 'sirna', 'well_type'.
          header = record.map((h) =>
            tidyField(h)
              .toLowerCase()
              .replace(/[\s-]+/g, '_'),
          );
          index = new Map(header.map((h, i) => [h, i]));
          accepted = onHeader(header);
        } else if (!accepted) {
          // refused by the caller: skip the rows
        } else if (record.every((f) => tidyField(f) === '')) {
          // a blank line (spaces or separators only)
        } else if (
          record.length !== header.length &&
          // Trailing empty fields (a separator at the end of each row, as spreadsheets export) are harmless.
          !(
            record.length > header.length &&
            record.slice(header.length).every((f) => tidyField(f) === '')
          )
        ) {
          problems.push({
            kind: 'malformed-row',
            path: name,
            message: `line ${context.lines}: ${record.length} fields, header has ${header.length}`,
          });
        } else {
          visit(new CsvRow(context.lines, record, index));
        }
        return null; // nothing is accumulated by the parser
      },
    });
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    problems.push({
      kind: 'malformed-row',
      path: name,
      message: `${line ? `line ${line}: ` : ''}cannot parse ${name} as CSV: ${(err as Error).message}`,
    });
    return null;
  }
  if (header === null) {
    problems.push({
      kind: 'malformed-row',
      path: name,
      message: `${name} is empty (no header line)`,
    });
    return null;
  }
  return header;
}

/** The whole file as rows (for the small well files); null when unreadable. */
export function readCsvTable(root: string, name: string, problems: Problem[]): CsvTable | null {
  const rows: CsvRow[] = [];
  const header = forEachCsvRow(root, name, problems, (row) => rows.push(row));
  return header ? { file: name, header, rows } : null;
}

/** Reports the columns a file must have; returns false (with a problem) when any is absent. */
export function requireColumns(
  table: { file: string; header: string[] },
  columns: string[],
  problems: Problem[],
): boolean {
  const missing = columns.filter((c) => !table.header.includes(c));
  if (missing.length === 0) return true;
  problems.push({
    kind: 'malformed-row',
    path: table.file,
    message: `line 1: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
  });
  return false;
}
