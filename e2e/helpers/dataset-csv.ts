// Reads the synthetic dataset's own CSVs so tests compare the UI with the ground truth on disk.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CsvWell {
  idCode: string;
  experiment: string;
  plate: number;
  well: string;
}

function rows(file: string): Record<string, string>[] {
  if (!existsSync(file)) return [];
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const cols = head.split(',');
  return lines
    .filter(Boolean)
    .map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

/** Every well of the 2019 CSVs (train, test and both controls files), unique by id_code. */
export function datasetWells(root: string): CsvWell[] {
  const seen = new Map<string, CsvWell>();
  for (const f of ['train.csv', 'test.csv', 'train_controls.csv', 'test_controls.csv']) {
    for (const r of rows(join(root, f))) {
      seen.set(r.id_code, {
        idCode: r.id_code,
        experiment: r.experiment,
        plate: Number(r.plate),
        well: r.well,
      });
    }
  }
  return [...seen.values()];
}

export function testCsvRows(root: string): number {
  return rows(join(root, 'test.csv')).length;
}
