// Reads one CSV file into rows addressed by header name, with the line number of every row.
// Parsing goes through csv-parse; rows with the wrong number of fields are kept for the caller to report.
import fs from 'node:fs';
import path from 'node:path';
import { parse, type Info } from 'csv-parse/sync';
import type { Problem } from './types';

export interface CsvRow {
  line: number;
  /** Values by lower-cased header name. */
  get(column: string): string | undefined;
  fieldCount: number;
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
 * Returns null (with a problem) when the file cannot be read or parsed at all. Rows whose field
 * count differs from the header are reported as malformed here and left out of `rows`.
 */
export function readCsvTable(root: string, name: string, problems: Problem[]): CsvTable | null {
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
  let records: Array<{ record: string[]; info: Info }>;
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as Array<{ record: string[]; info: Info }>;
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    problems.push({
      kind: 'malformed-row',
      path: name,
      message: `${line ? `line ${line}: ` : ''}cannot parse ${name} as CSV: ${(err as Error).message}`,
    });
    return null;
  }
  if (records.length === 0) {
    problems.push({
      kind: 'malformed-row',
      path: name,
      message: `${name} is empty (no header line)`,
    });
    return null;
  }
  const header = records[0]!.record.map((h) => h.toLowerCase());
  const index = new Map(header.map((h, i) => [h, i]));
  const rows: CsvRow[] = [];
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r]!;
    if (record.length !== header.length) {
      problems.push({
        kind: 'malformed-row',
        path: name,
        message: `line ${info.lines}: ${record.length} fields, header has ${header.length}`,
      });
      continue;
    }
    rows.push({
      line: info.lines,
      fieldCount: record.length,
      get: (column) => {
        const i = index.get(column);
        return i === undefined ? undefined : record[i];
      },
    });
  }
  return { file: name, header, rows };
}

/** Reports the columns a file must have; returns false (with a problem) when any is absent. */
export function requireColumns(table: CsvTable, columns: string[], problems: Problem[]): boolean {
  const missing = columns.filter((c) => !table.header.includes(c));
  if (missing.length === 0) return true;
  problems.push({
    kind: 'malformed-row',
    path: table.file,
    message: `line 1: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
  });
  return false;
}
