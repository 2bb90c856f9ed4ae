// Reads a CSV file row by row with csv-parse, addressing values by header name and keeping each
// row's line number. Rows are handed to a visitor as they are parsed (no per-row objects kept),
// so the 753,060-row pixel_stats.csv costs little memory; rows with the wrong field count are reported.
import fs from 'node:fs';
import path from 'node:path';
import { parse, type CastingContext } from 'csv-parse/sync';
import type { Problem } from './types';

/** One parsed row; valid only inside the visitor call unless kept by readCsvTable. */
export class CsvRow {
  constructor(
    readonly line: number,
    private readonly record: string[],
    private readonly index: ReadonlyMap<string, number>,
  ) {}

  /** Value by lower-cased header name; undefined when the file has no such column. */
  get(column: string): string | undefined {
    const i = this.index.get(column);
    return i === undefined ? undefined : this.record[i];
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
      skip_empty_lines: true,
      trim: true,
      on_record: (record: string[], context: CastingContext) => {
        if (header === null) {
          header = record.map((h) => h.toLowerCase());
          index = new Map(header.map((h, i) => [h, i]));
          accepted = onHeader(header);
        } else if (!accepted) {
          // refused by the caller: skip the rows
        } else if (record.length !== header.length) {
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
