// The class list of a run: which target (siRNA, cell type, well type), its labels in a fixed order
// (siRNA by numeric id), and the cell types for the optional cell-type input. Saved as classes.json.
import type { z } from 'zod';
import type { TrainConfig } from '../../../../src-shared/contract';
import type { ClassListFile } from '../runs/run-files';
import { labelStyleOf } from '../../dataset/metadata';
import { inputError } from '../../errors';
import type { SiteRow } from './site-rows';

/** classes.json's shape (schema: learn/runs/run-files.ts ClassListFile). */
export type ClassList = z.infer<typeof ClassListFile>;

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

/**
 * siRNA labels in both styles (2019 integer ids and the re-release's strings) are two numberings:
 * training on them would silently make two classes of one siRNA, so it is refused.
 */
function refuseMixedLabels(labels: string[]): void {
  const int = labels.find((l) => labelStyleOf(l) === 'integer');
  const str = labels.find((l) => labelStyleOf(l) === 'string');
  if (int !== undefined && str !== undefined)
    throw inputError(
      `the siRNA labels mix 2019 integer ids (e.g. ${int}) and the re-release's string labels (e.g. ${str}); ` +
        "they are different numberings, so training would split one siRNA into two classes: make the metadata use one style (see the 'mixed-label-style' problem)",
    );
}

/** The run's classes from the usable training sites; throws an input error for mixed siRNA label styles. */
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
  if (config.target === 'sirna') refuseMixedLabels([...ids.keys()]);
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
