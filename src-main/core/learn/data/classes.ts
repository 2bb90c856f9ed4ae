// The class list of a run: which target (siRNA, cell type, well type), its labels in a fixed order
// (siRNA by numeric id), and the cell types for the optional cell-type input. Saved as classes.json.
import type { TrainConfig } from '../../../../src-shared/contract';
import type { SiteRow } from './site-rows';

export interface ClassList {
  target: TrainConfig['target'];
  labels: string[];
  /** Numeric siRNA id per label where the metadata has one (2019 format), else null. */
  ids: (number | null)[];
  cellTypes: string[];
}

/** The label of a site for a target, or null when the site cannot be used for that target. */
export function targetLabel(row: SiteRow, target: TrainConfig['target']): string | null {
  if (target === 'cell_type') return row.cellType;
  if (target === 'well_type') return row.wellType === 'unknown' ? null : row.wellType;
  return row.sirna;
}

/** Whether a training-split site takes part in a run with this config. */
export function isUsable(
  row: SiteRow,
  config: Pick<TrainConfig, 'target' | 'includeControls'>,
): boolean {
  if (row.split !== 'train' || !row.complete) return false;
  if (targetLabel(row, config.target) === null) return false;
  if (config.target === 'sirna' && !config.includeControls && row.wellType !== 'treatment')
    return false;
  return true;
}

export function buildClassList(
  rows: SiteRow[],
  config: Pick<TrainConfig, 'target' | 'includeControls'>,
): ClassList {
  const ids = new Map<string, number | null>();
  const cellTypes = new Set<string>();
  for (const r of rows) {
    cellTypes.add(r.cellType);
    if (!isUsable(r, config)) continue;
    const label = targetLabel(r, config.target)!;
    if (!ids.has(label)) ids.set(label, config.target === 'sirna' ? r.sirnaId : null);
  }
  const labels = [...ids.keys()].sort((a, b) => {
    const ia = ids.get(a);
    const ib = ids.get(b);
    if (ia != null && ib != null && ia !== ib) return ia - ib;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return {
    target: config.target,
    labels,
    ids: labels.map((l) => ids.get(l) ?? null),
    cellTypes: [...cellTypes].sort(),
  };
}
