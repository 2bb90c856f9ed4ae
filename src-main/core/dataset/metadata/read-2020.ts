// Reads the 2020 RxRx1 `metadata.csv`: one row per site (site_id, well_id, cell_type, dataset,
// experiment, plate, well, site, well_type, sirna, sirna_id), folded into one WellMeta per well.
import { csvExists, readCsvTable, requireColumns, UntidyValues } from './csv-table';
import { parseWellRow } from './parse-row';
import type { Problem, WellMeta } from './types';

export const METADATA_2020 = 'metadata.csv';

export function has2020File(root: string): boolean {
  return csvExists(root, METADATA_2020);
}

function sameLabels(a: WellMeta, b: WellMeta): boolean {
  return (
    a.split === b.split &&
    a.wellType === b.wellType &&
    a.sirna === b.sirna &&
    a.sirnaId === b.sirnaId
  );
}

export function read2020(root: string, problems: Problem[]): WellMeta[] {
  const file = METADATA_2020;
  const table = readCsvTable(root, file, problems);
  if (!table || !requireColumns(table, ['experiment', 'plate', 'well', 'dataset'], problems))
    return [];
  const wells = new Map<string, WellMeta>();
  const sites = new Map<string, WellMeta>();
  const untidy = new UntidyValues(problems);
  for (const row of table.rows) {
    const dataset = (row.get('dataset') ?? '').toLowerCase();
    if (dataset !== 'train' && dataset !== 'test') {
      problems.push({
        kind: 'malformed-row',
        path: file,
        message: `line ${row.line}: dataset "${row.get('dataset')}" is neither train nor test`,
      });
      continue;
    }
    const w = parseWellRow(row, { file, split: dataset, style: 'string', problems, untidy });
    if (!w) continue;
    const idText = row.get('sirna_id') ?? '';
    if (/^\d+(\.0+)?$/.test(idText)) w.sirnaId = Number(idText);
    const cellType = row.get('cell_type');
    if (cellType) w.cellType = cellType;
    const siteText = row.get('site') ?? '';
    const siteKey = `${w.idCode}_${siteText}`;
    const prevSite = sites.get(siteKey);
    if (prevSite) {
      problems.push(
        sameLabels(prevSite, w)
          ? {
              kind: 'duplicate-row',
              path: file,
              message: `line ${w.sourceLine}: site ${siteKey} repeats line ${prevSite.sourceLine}`,
            }
          : {
              kind: 'conflicting-label',
              path: file,
              message: `line ${w.sourceLine}: site ${siteKey} is labelled differently from line ${prevSite.sourceLine}; keeping the first`,
            },
      );
      continue;
    }
    sites.set(siteKey, w);
    const prevWell = wells.get(w.idCode);
    if (!prevWell) wells.set(w.idCode, w);
    else if (!sameLabels(prevWell, w))
      problems.push({
        kind: 'conflicting-label',
        path: file,
        message: `line ${w.sourceLine}: well ${w.idCode} is labelled differently from line ${prevWell.sourceLine} (another site); keeping the first`,
      });
  }
  untidy.flush();
  return [...wells.values()];
}
