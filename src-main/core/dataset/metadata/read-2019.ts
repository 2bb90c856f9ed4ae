// Reads the 2019 Kaggle metadata (train/test CSVs plus their controls) in either label style:
// integer siRNA ids (original release) or string labels like `sirna_250` / `UNTREATED` (re-release).
import type { Split } from '../layout';
import { WellCollector } from './collect';
import { csvExists, readCsvTable, requireColumns, UntidyValues, type CsvTable } from './csv-table';
import { labelStyleOf, parseWellRow, type LabelStyle } from './parse-row';
import type { DatasetLabelStyle, Problem, WellMeta } from './types';

interface WellFile {
  name: string;
  split: Split;
  columns: string[];
}

export const WELL_FILES_2019: readonly WellFile[] = [
  { name: 'train.csv', split: 'train', columns: ['experiment', 'plate', 'well', 'sirna'] },
  {
    name: 'train_controls.csv',
    split: 'train',
    columns: ['experiment', 'plate', 'well', 'sirna', 'well_type'],
  },
  { name: 'test.csv', split: 'test', columns: ['experiment', 'plate', 'well'] },
  {
    name: 'test_controls.csv',
    split: 'test',
    columns: ['experiment', 'plate', 'well', 'sirna', 'well_type'],
  },
];

export function has2019Files(root: string): boolean {
  return WELL_FILES_2019.some((f) => csvExists(root, f.name));
}

export interface Read2019Result {
  /** The style most labels follow (mixed files: each row is read in its own). */
  style: LabelStyle;
  /** The style the files agree on, or 'mixed' (reported as a 'mixed-label-style' problem). */
  labelStyle: DatasetLabelStyle;
  wells: WellMeta[];
  testOrder: string[] | null;
  files: string[];
}

interface FirstLabel {
  file: string;
  line: number;
  value: string;
}

interface LabelScan {
  first: Partial<Record<LabelStyle, FirstLabel>>;
  count: Record<LabelStyle, number>;
}

/** First label of each style across the given tables, in reading order, and how many of each. */
function scanLabels(tables: Array<{ file: string; rows: CsvTable['rows'] }>): LabelScan {
  const first: Partial<Record<LabelStyle, FirstLabel>> = {};
  const count: Record<LabelStyle, number> = { integer: 0, string: 0 };
  for (const { file, rows } of tables)
    for (const r of rows) {
      const value = r.get('sirna') ?? '';
      const style = labelStyleOf(value);
      if (!style) continue;
      count[style]++;
      if (!first[style]) first[style] = { file, line: r.line, value };
    }
  return { first, count };
}

const at = (f: FirstLabel) => `${f.file} line ${f.line}, ${JSON.stringify(f.value)}`;

/** The one problem for a file set whose labels use both numberings. */
function mixedProblem(integer: FirstLabel, string: FirstLabel): Problem {
  const order = (f: FirstLabel) => {
    const i = WELL_FILES_2019.findIndex((w) => w.name === f.file);
    return (i < 0 ? WELL_FILES_2019.length : i) * 1e9 + f.line;
  };
  const later = order(integer) > order(string) ? integer : string;
  return {
    kind: 'mixed-label-style',
    path: later.file,
    message:
      `siRNA labels mix 2019 integer ids (first: ${at(integer)}) and the re-release's ` +
      `string labels (first: ${at(string)}); these are different numberings (sirna_250 is not ` +
      `250), so the labels cannot be compared or submitted until the files use one style`,
  };
}

export function read2019(root: string, problems: Problem[]): Read2019Result {
  const tables: Array<{ spec: WellFile; table: CsvTable }> = [];
  const untidy = new UntidyValues(problems);
  const files: string[] = [];
  for (const spec of WELL_FILES_2019) {
    if (!csvExists(root, spec.name)) {
      problems.push({ kind: 'missing-file', path: spec.name, message: `${spec.name} is missing` });
      continue;
    }
    files.push(spec.name);
    const table = readCsvTable(root, spec.name, problems);
    if (table && requireColumns(table, spec.columns, problems)) tables.push({ spec, table });
  }
  // String labels mean the re-release; its numbers do not follow the 2019 ids. Both styles at
  // once is a problem (one edited cell would otherwise silently make a second class); the files
  // are then taken as the release most of their labels follow, and each row is read in its own style.
  const { first, count } = scanLabels(
    tables.map(({ spec, table }) => ({ file: spec.name, rows: table.rows })),
  );
  const style: LabelStyle = count.string > count.integer ? 'string' : 'integer';
  let labelStyle: DatasetLabelStyle = first.string && !first.integer ? 'string' : 'integer';
  if (first.integer && first.string) {
    problems.push(mixedProblem(first.integer, first.string));
    labelStyle = 'mixed';
  }
  const collector = new WellCollector(problems);
  for (const { spec, table } of tables) {
    const ctx = {
      file: spec.name,
      split: spec.split,
      style,
      mixed: labelStyle === 'mixed',
      problems,
      untidy,
    };
    for (const row of table.rows) {
      const w = parseWellRow(row, ctx);
      if (w) collector.add(w);
    }
  }
  let testOrder: string[] | null = null;
  if (csvExists(root, 'sample_submission.csv')) {
    files.push('sample_submission.csv');
    const table = readCsvTable(root, 'sample_submission.csv', problems);
    if (table && requireColumns(table, ['id_code'], problems)) {
      testOrder = table.rows.map((r) => r.get('id_code') ?? '').filter((id) => id !== '');
      // The sample submission shows the label style Kaggle expects for this release.
      const sample = scanLabels([{ file: table.file, rows: table.rows }]).first;
      const other = labelStyle === 'integer' ? sample.string : sample.integer;
      const mine = labelStyle === 'integer' ? first.integer : first.string;
      if (labelStyle !== 'mixed' && other && mine) {
        problems.push(
          labelStyle === 'integer' ? mixedProblem(mine, other) : mixedProblem(other, mine),
        );
        labelStyle = 'mixed';
      }
    }
  }
  untidy.flush();
  return { style, labelStyle, wells: collector.wells(), testOrder, files };
}
