// How a run's class coverage (TrainConfig.minClassExperiments, learn/data/classes.ts) and the wells
// of classes it never saw read in the CLI, the training log, the forms and prediction-set warnings.
import type { ClassCoverage } from './contract';

/** A count with thousands separators: 1076 → "1,076". */
export const n = (x: number): string => x.toLocaleString('en-US');
/** A count and its noun: (1, 'plate', 'plates') → "1 plate", (1076, …) → "1,076 plates". */
export const plural = (x: number, one: string, many: string): string =>
  `${n(x)} ${x === 1 ? one : many}`;

/**
 * "left out 1,076 classes seen in fewer than 8 training experiments (4,304 wells)", or null when
 * nothing was left out (or the run predates the setting).
 */
export function describeCoverage(c: ClassCoverage | null | undefined): string | null {
  if (!c || c.leftOutClasses === 0) return null;
  return (
    `left out ${plural(c.leftOutClasses, 'class', 'classes')} seen in fewer than ` +
    `${plural(c.threshold, 'training experiment', 'training experiments')} ` +
    `(${plural(c.leftOutWells, 'well', 'wells')})`
  );
}

/** "3 wells of classes this run was not trained on" (not scored), or null for none. */
export function describeUnscored(wells: number): string | null {
  if (wells === 0) return null;
  return `${plural(wells, 'well', 'wells')} of classes this run was not trained on (not scored)`;
}
