// Turns catalog site rows into training/eval samples: siteKey, 6 paths, class index, cell-type index.
import type { TrainConfig } from '../../../../src-shared/contract';
import type { Sample } from './batches';
import { targetLabel, type ClassList } from './classes';
import type { SiteRow } from './site-rows';

export function siteKeyOf(r: SiteRow): string {
  return `${r.split}/${r.experiment}/${r.plate}/${r.well}/${r.site}`;
}

/** Samples for the complete sites of the given wells; label -1 where the class is unknown. */
export function buildSamples(
  rows: SiteRow[],
  wells: Set<string>,
  classes: ClassList,
  target: TrainConfig['target'],
): { samples: Sample[]; rows: SiteRow[] } {
  const index = new Map(classes.labels.map((l, i) => [l, i]));
  const cellIndex = new Map(classes.cellTypes.map((c, i) => [c, i]));
  const picked = rows.filter((r) => wells.has(r.idCode) && r.complete);
  const samples = picked.map((r) => {
    const label = targetLabel(r, target);
    return {
      key: siteKeyOf(r),
      relPaths: r.paths,
      label: label === null ? -1 : (index.get(label) ?? -1),
      cellType: cellIndex.get(r.cellType) ?? 0,
      experiment: r.experiment,
      plate: r.plate,
    };
  });
  return { samples, rows: picked };
}
