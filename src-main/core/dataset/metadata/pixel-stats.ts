// Reads the optional `pixel_stats.csv` by header name, row by row. Only experiment, channel and
// mean are required; plate/well/site/std/median/min/max are read when the columns exist.
import { parseWellName, wellName } from '../plate';
import { csvExists, forEachCsvRow, requireColumns } from './csv-table';
import type { PixelStat, Problem } from './types';

export const PIXEL_STATS_FILE = 'pixel_stats.csv';
const OPTIONAL = ['plate', 'site', 'std', 'median', 'min', 'max'] as const;

/** null for an empty or absent value, undefined for one that is not a number. */
function num(text: string | undefined): number | null | undefined {
  if (text === undefined || text === '') return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : undefined;
}

/** Returns null when the file is absent (it is optional). */
export function readPixelStats(root: string, problems: Problem[]): PixelStat[] | null {
  if (!csvExists(root, PIXEL_STATS_FILE)) return null;
  const out: PixelStat[] = [];
  const wells = new Map<string, string | null>();
  const required = ['experiment', 'channel', 'mean'];
  const header = forEachCsvRow(
    root,
    PIXEL_STATS_FILE,
    problems,
    (row) => {
      const fail = (message: string) =>
        problems.push({
          kind: 'malformed-row',
          path: PIXEL_STATS_FILE,
          message: `line ${row.line}: ${message}`,
        });
      const experiment = row.get('experiment') ?? '';
      const channel = num(row.get('channel'));
      const mean = num(row.get('mean'));
      if (experiment === '') return fail('empty experiment');
      if (typeof channel !== 'number' || !Number.isInteger(channel) || channel < 1)
        return fail(`channel "${row.get('channel')}" is not a channel number`);
      if (typeof mean !== 'number') return fail(`mean "${row.get('mean')}" is not a number`);
      const values = OPTIONAL.map((c) => num(row.get(c)));
      const badAt = values.indexOf(undefined);
      if (badAt >= 0)
        return fail(`${OPTIONAL[badAt]} "${row.get(OPTIONAL[badAt]!)}" is not a number`);
      const [plate, site, std, median, min, max] = values as Array<number | null>;
      const wellText = row.get('well') ?? '';
      let well = wells.get(wellText);
      if (well === undefined) {
        const pos = wellText === '' ? null : parseWellName(wellText);
        // '' marks a value that is not a well name (null: no well given).
        well = pos ? wellName(pos) : wellText === '' ? null : '';
        wells.set(wellText, well);
      }
      if (well === '') return fail(`well "${wellText}" is not a 384-well name`);
      out.push({
        experiment,
        plate: plate!,
        well,
        site: site!,
        channel,
        mean,
        std: std!,
        median: median!,
        min: min!,
        max: max!,
      });
    },
    (h) => requireColumns({ file: PIXEL_STATS_FILE, header: h }, required, problems),
  );
  return header ? out : [];
}
