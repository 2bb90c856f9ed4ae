// Reads the 2019 Kaggle metadata (train/test CSVs plus their controls) in either label style:
// integer siRNA ids (original release) or string labels like `sirna_250` / `UNTREATED` (re-release).
import type { Split } from '../layout';
import { WellCollector } from './collect';
import { csvExists, readCsvTable, requireColumns, type CsvTable } from './csv-table';
import { isStringLabel, parseWellRow, type LabelStyle } from './parse-row';
import type { Problem, WellMeta } from './types';

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
  style: LabelStyle;
  wells: WellMeta[];
  testOrder: string[] | null;
  files: string[];
}

export function read2019(root: string, problems: Problem[]): Read2019Result {
  const tables: Array<{ spec: WellFile; table: CsvTable }> = [];
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
  // One string label anywhere means the re-release; its numbers do not follow the 2019 ids.
  const style: LabelStyle = tables.some(({ table }) =>
    table.rows.some((r) => isStringLabel(r.get('sirna') ?? '')),
  )
    ? 'string'
    : 'integer';
  const collector = new WellCollector(problems);
  for (const { spec, table } of tables) {
    const ctx = { file: spec.name, split: spec.split, style, problems };
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
    }
  }
  return { style, wells: collector.wells(), testOrder, files };
}
