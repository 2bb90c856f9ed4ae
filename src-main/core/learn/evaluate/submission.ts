// Kaggle submission: header `id_code,sirna`, exactly one row per test.csv row in test.csv's order.
// Any problem (missing prediction, duplicate id, non-integer siRNA) refuses the write with an error
// that names it; the file is written atomically.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { inputError } from '../../errors';
import { writeFileAtomic } from '../runs/run-folder';

/** id_codes of test.csv, in file order. */
export function readTestIds(root: string): string[] {
  const file = path.join(root, 'test.csv');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw inputError(`${file}: cannot read test.csv (the submission lists its rows)`);
  }
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as Record<string, string>[];
  } catch (err) {
    throw inputError(`${file}: not a valid CSV: ${(err as Error).message}`);
  }
  if (records.length === 0) throw inputError(`${file}: has no rows`);
  if (!('id_code' in records[0]!)) throw inputError(`${file}: has no id_code column`);
  return records.map((r, i) => {
    const id = r.id_code ?? '';
    if (!id) throw inputError(`${file}: line ${i + 2} has an empty id_code`);
    return id;
  });
}

/** Builds the CSV text, or throws naming every kind of problem found (first few examples each). */
export function buildSubmission(
  testIds: string[],
  predicted: Map<string, string>,
  source: string,
): string {
  const problems: string[] = [];
  const seen = new Set<string>();
  const dup: string[] = [];
  const missing: string[] = [];
  const bad: string[] = [];
  const lines = ['id_code,sirna'];
  for (const id of testIds) {
    if (seen.has(id)) dup.push(id);
    seen.add(id);
    const s = predicted.get(id);
    if (s === undefined) missing.push(id);
    else if (!/^\d+$/.test(s)) bad.push(`${id}=${s}`);
    else lines.push(`${id},${s}`);
  }
  const few = (xs: string[]) => `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ', …' : ''}`;
  if (dup.length) problems.push(`${dup.length} duplicate id_code(s) in test.csv: ${few(dup)}`);
  if (missing.length)
    problems.push(
      `${missing.length} test well(s) have no prediction (missing images?): ${few(missing)}`,
    );
  if (bad.length)
    problems.push(`${bad.length} prediction(s) are not an integer siRNA id: ${few(bad)}`);
  if (problems.length)
    throw inputError(
      `refusing to write an invalid submission from ${source}: ${problems.join('; ')}`,
    );
  if (lines.length - 1 !== testIds.length)
    throw inputError(
      `submission would have ${lines.length - 1} rows, test.csv has ${testIds.length}`,
    );
  return `${lines.join('\n')}\n`;
}

export function writeSubmission(file: string, csv: string): number {
  writeFileAtomic(file, csv);
  return csv.split('\n').length - 2;
}
