// Turns catalog site rows into the pipeline's samples (training, validation and prediction alike):
// site key, 6 paths, class index, cell-type index, experiment and plate.
import type { TrainConfig } from '../../../../src-shared/contract';
import type { PipelineSample } from '../../imaging/pipeline/types';
import { targetLabel, type ClassList } from './classes';
import type { SiteRow } from './site-rows';

export function siteKeyOf(r: SiteRow): string {
  return `${r.split}/${r.experiment}/${r.plate}/${r.well}/${r.site}`;
}

/**
 * Samples for the complete sites of the given wells, in row order, with the rows they came from;
 * label -1 where the class is unknown (test wells), cell type 0 when not in the class list.
 */
export function buildSamples(
  rows: SiteRow[],
  wells: Set<string>,
  classes: ClassList,
  target: TrainConfig['target'],
): { samples: PipelineSample[]; rows: SiteRow[] } {
  const index = new Map(classes.labels.map((l, i) => [l, i]));
  const cellIndex = new Map(classes.cellTypes.map((c, i) => [c, i]));
  const picked = rows.filter((r) => wells.has(r.idCode) && r.complete);
  const samples = picked.map((r): PipelineSample => {
    const label = targetLabel(r, target);
    return {
      siteKey: siteKeyOf(r),
      relPaths: r.paths,
      label: label === null ? -1 : (index.get(label) ?? -1),
      cellType: cellIndex.get(r.cellType) ?? 0,
      experiment: r.experiment,
      plate: r.plate,
    };
  });
  return { samples, rows: picked };
}
