// Plate-group assignment set-up for a prediction set: the siRNA plate groups are learned from the
// run's training wells (treatment, site 1, labelled), then assign/plate-group-assignment.ts assigns
// the predicted treatment wells; controls keep no assignment.
import { inputError } from '../../errors';
import { learnGroups } from '../assign/groups';
import { assignPlateGroups } from '../assign/plate-group-assignment';
import type { SiteRow } from '../data/site-rows';
import type { RunContext } from '../runs/run-context';
import type { WellPredictionRow } from './types';

/**
 * Sets `assigned` on every treatment well of `wells` (probabilities `probs`, wells × classes) from
 * the groups of the run's training plates in `allRows`. Errors: INVALID_INPUT when the run does not
 * predict siRNAs.
 */
export function applyPlateGroupAssignment(
  ctx: RunContext,
  allRows: readonly SiteRow[],
  wells: WellPredictionRow[],
  probs: Float32Array,
): void {
  const { config, classes } = ctx;
  if (config.target !== 'sirna')
    throw inputError(
      `plate-group assignment needs target 'sirna', this run predicts '${config.target}'`,
    );
  const K = classes.labels.length;
  const index = new Map(classes.labels.map((l, i) => [l, i]));
  const train = new Set(ctx.split.train);
  const perPlate = new Map<string, number[]>();
  for (const r of allRows) {
    if (
      r.split !== 'train' ||
      r.wellType !== 'treatment' ||
      !train.has(r.idCode) ||
      r.site !== 1 ||
      r.sirna === null
    )
      continue;
    const c = index.get(r.sirna);
    if (c === undefined) continue;
    const key = `${r.experiment}/${r.plate}`;
    if (!perPlate.has(key)) perPlate.set(key, []);
    perPlate.get(key)!.push(c);
  }
  const groups = learnGroups(
    [...perPlate].map(([plateKey, cls]) => ({ plateKey, classes: cls })),
    K,
  );
  const assigned = assignPlateGroups(
    wells.map((w) => ({
      experiment: w.experiment,
      plate: w.plate,
      eligible: w.wellType === 'treatment',
    })),
    probs,
    K,
    groups,
  );
  wells.forEach((w, i) => (w.assigned = w.wellType === 'treatment' ? assigned.assigned[i]! : null));
}
