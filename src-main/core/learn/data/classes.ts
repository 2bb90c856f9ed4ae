// The class list of a run: which target (siRNA, cell type, well type), its labels in a fixed order
// (siRNA by numeric id), the classes class coverage left out, and the cell types for the optional
// cell-type input. Saved as classes.json. Also the one rule for which true labels can be scored.
import type { z } from 'zod';
import type { ClassCoverage, TrainConfig } from '../../../../src-shared/contract';
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
export function isUsable(row: SiteRow, config: ClassListConfig): boolean {
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

/** The config fields the class list depends on. */
export type ClassListConfig = Pick<TrainConfig, 'target' | 'includeControls'> &
  Partial<Pick<TrainConfig, 'minClassExperiments'>>;

/**
 * The resolved class-coverage threshold: the minimum number of distinct training experiments a
 * class must be seen in. A number is itself; absent (configs from before the setting) is 1; 'auto'
 * is max(1, ceil(3/4 · mostExperiments)), where `mostExperiments` is the most experiments any class
 * is seen in: on RxRx1 every siRNA is in 29–33 of the 33 training experiments (threshold 25), so
 * nothing is left out, while classes seen in a few experiments only are (the demo's siRNAs that
 * sit on its filled plate 1 only: 2, 6 or 8 of its 16 training experiments). For target
 * 'cell_type' 'auto' is 1: each experiment is one cell type, so a cell type's experiment count says
 * nothing about whether it can be learnt.
 */
export function coverageThreshold(
  setting: TrainConfig['minClassExperiments'],
  target: TrainConfig['target'],
  mostExperiments: number,
): number {
  if (setting === undefined) return 1;
  if (setting !== 'auto') return setting;
  if (target === 'cell_type') return 1;
  return Math.max(1, Math.ceil((3 * mostExperiments) / 4));
}

/**
 * The run's classes from the usable training sites (`rows`: review exclusions already applied,
 * before any train/validation split, so neither the split nor a held-out experiment changes it):
 * labels seen in fewer distinct experiments than the class-coverage threshold are left out, and
 * `coverage` says how many classes and usable wells that was. Throws an input error for mixed
 * siRNA label styles.
 */
export function buildClassList(
  rows: SiteRow[],
  config: ClassListConfig,
): ClassList & { coverage: ClassCoverage } {
  const ids = new Map<string, number | null>();
  const experiments = new Map<string, Set<string>>();
  const wells = new Map<string, Set<string>>();
  const cellTypes = new Set<string>();
  for (const r of rows) {
    cellTypes.add(r.cellType);
    if (!isUsable(r, config)) continue;
    const label = targetLabel(r, config.target)!;
    if (!ids.has(label)) {
      ids.set(label, config.target === 'sirna' ? r.sirnaId : null);
      experiments.set(label, new Set());
      wells.set(label, new Set());
    }
    experiments.get(label)!.add(r.experiment);
    wells.get(label)!.add(r.idCode);
  }
  if (config.target === 'sirna') refuseMixedLabels([...ids.keys()]);
  const mostExperiments = Math.max(0, ...[...experiments.values()].map((e) => e.size));
  const setting = config.minClassExperiments ?? 1;
  const threshold = coverageThreshold(config.minClassExperiments, config.target, mostExperiments);
  let leftOutClasses = 0;
  let leftOutWells = 0;
  for (const [label, exps] of experiments) {
    if (exps.size >= threshold) continue;
    leftOutClasses++;
    leftOutWells += wells.get(label)!.size;
    ids.delete(label);
  }
  const labels = [...ids.keys()].sort((a, b) => {
    const ia = ids.get(a);
    const ib = ids.get(b);
    if (ia != null && ib != null && ia !== ib) return ia - ib;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const coverage: ClassCoverage = {
    setting,
    threshold,
    mostExperiments,
    leftOutClasses,
    leftOutWells,
  };
  return {
    target: config.target,
    labels,
    ids: labels.map((l) => ids.get(l) ?? null),
    cellTypes: [...cellTypes].sort(),
    coverage,
  };
}

/**
 * Whether a well's true label can be scored against a run's predictions: it has one and it is one
 * of the run's classes (`known`: the run's class labels). A well of a class the run was not
 * trained on (left out by class coverage, or absent from its data) is neither right nor wrong; the
 * places that show accuracy count such wells separately. The one owner of this rule.
 */
export function isScorable(label: string | null, known: ReadonlySet<string>): label is string {
  return label !== null && known.has(label);
}
