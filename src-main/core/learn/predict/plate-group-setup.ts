// Plate-group assignment set-up for a prediction set: the siRNA plate groups are learned from the
// run's training wells (treatment, site 1, labelled), then assign/plate-group-assignment.ts assigns
// the predicted treatment wells; controls keep no assignment.
import { inputError } from '../../errors';
import { groupsFromTrainingRows } from '../assign/groups';
import { assignWells } from '../assign/plate-group-assignment';
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
  const groups = groupsFromTrainingRows(allRows, new Set(ctx.split.train), classes.labels);
  assignWells(wells, probs, classes.labels.length, groups);
}
