// Plate-group assignment set-up for a prediction set: the siRNA plate groups are learned from the
// run's training wells (treatment, site 1, labelled), then assign/plate-group-assignment.ts assigns
// the predicted treatment wells; controls keep no assignment.
import { inputError } from '../../errors';
import { groupsFromTrainingRows } from '../assign/groups';
import { assignWells, overfullWarning, type OverfullPlate } from '../assign/plate-group-assignment';
import type { SiteRow } from '../data/site-rows';
import type { RunContext } from '../runs/run-context';
import type { WellPredictionRow } from './types';

/**
 * Sets `assigned` on every treatment well of `wells` (probabilities `probs`, wells × classes) from
 * the groups of the run's training plates in `allRows`; returns the warnings the assignment has
 * (plates holding siRNAs the run was not trained on). Errors: INVALID_INPUT when the run does not
 * predict siRNAs.
 */
export function applyPlateGroupAssignment(
  ctx: RunContext,
  allRows: readonly SiteRow[],
  wells: WellPredictionRow[],
  probs: Float32Array,
): string[] {
  const { config, classes } = ctx;
  if (config.target !== 'sirna')
    throw inputError(
      `plate-group assignment needs target 'sirna', this run predicts '${config.target}'`,
    );
  const groups = groupsFromTrainingRows(allRows, new Set(ctx.split.train), classes.labels);
  const warning = overfullWarning(assignWells(wells, probs, classes.labels.length, groups));
  return warning ? [warning] : [];
}

/**
 * For a set predicted without assignment: the plates whose treatment wells outnumber the run's
 * largest plate group (classes per group from the run's training plates), as a warning (none when
 * the run does not predict siRNAs or every plate fits). At least `wells − classes` wells of such a
 * plate are siRNAs the run was not trained on, whatever it predicts for them.
 */
export function unassignedCoverageWarnings(
  ctx: RunContext,
  allRows: Parameters<typeof groupsFromTrainingRows>[0],
  wells: readonly WellPredictionRow[],
): string[] {
  if (ctx.config.target !== 'sirna') return [];
  const groups = groupsFromTrainingRows(allRows, new Set(ctx.split.train), ctx.classes.labels);
  const most = Math.max(0, ...groups.groups.map((g) => g.length));
  if (most === 0) return [];
  const perPlate = new Map<string, OverfullPlate>();
  for (const w of wells) {
    if (w.wellType !== 'treatment') continue;
    const key = `${w.experiment}/${w.plate}`;
    const p = perPlate.get(key) ?? {
      experiment: w.experiment,
      plate: w.plate,
      wells: 0,
      classes: most,
    };
    p.wells += 1;
    perPlate.set(key, p);
  }
  const warning = overfullWarning([...perPlate.values()].filter((p) => p.wells > p.classes));
  return warning ? [warning] : [];
}
