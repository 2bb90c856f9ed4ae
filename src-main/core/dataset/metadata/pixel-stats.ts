// Reads the optional `pixel_stats.csv` by header name. Only experiment, channel and mean are
// required; plate/well/site/std/median/min/max are read when the columns exist.
import { parseWellName, wellName } from '../plate';
import { csvExists, readCsvTable, requireColumns } from './csv-table';
import type { PixelStat, Problem } from './types';

export const PIXEL_STATS_FILE = 'pixel_stats.csv';

function num(text: string | undefined): number | null | undefined {
  if (text === undefined || text === '') return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : undefined;
}

/** Returns null when the file is absent (it is optional). */
export function readPixelStats(root: string, problems: Problem[]): PixelStat[] | null {
  if (!csvExists(root, PIXEL_STATS_FILE)) return null;
  const table = readCsvTable(root, PIXEL_STATS_FILE, problems);
  if (!table || !requireColumns(table, ['experiment', 'channel', 'mean'], problems)) return [];
  const out: PixelStat[] = [];
  for (const row of table.rows) {
    const fail = (message: string) =>
      problems.push({
        kind: 'malformed-row',
        path: PIXEL_STATS_FILE,
        message: `line ${row.line}: ${message}`,
      });
    const experiment = row.get('experiment') ?? '';
    const channel = num(row.get('channel'));
    const mean = num(row.get('mean'));
    if (experiment === '') {
      fail('empty experiment');
      continue;
    }
    if (typeof channel !== 'number' || !Number.isInteger(channel) || channel < 1) {
      fail(`channel "${row.get('channel')}" is not a channel number`);
      continue;
    }
    if (typeof mean !== 'number') {
      fail(`mean "${row.get('mean')}" is not a number`);
      continue;
    }
    const values = ['plate', 'site', 'std', 'median', 'min', 'max'].map((c) => num(row.get(c)));
    const badAt = values.indexOf(undefined);
    if (badAt >= 0) {
      fail(`${['plate', 'site', 'std', 'median', 'min', 'max'][badAt]} is not a number`);
      continue;
    }
    const [plate, site, std, median, min, max] = values as Array<number | null>;
    const wellText = row.get('well') ?? '';
    const pos = wellText === '' ? null : parseWellName(wellText);
    if (wellText !== '' && !pos) {
      fail(`well "${wellText}" is not a 384-well name`);
      continue;
    }
    out.push({
      experiment,
      plate: plate!,
      well: pos ? wellName(pos) : null,
      site: site!,
      channel,
      mean,
      std: std!,
      median: median!,
      min: min!,
      max: max!,
    });
  }
  return out;
}
