// Train/validation splits by well (the seed's random 95/5, both sites of a well on one side), by
// plate or by whole experiment, with warnings when validation is not independent of training.
import type { z } from 'zod';
import type { TrainConfig } from '../../../../src-shared/contract';
import { inputError } from '../../errors';
import type { SplitFile } from '../runs/run-files';
import { rngFor, RngPurpose } from '../../util/rng';
import { isUsable } from './classes';
import type { SiteRow } from './site-rows';

/** split.json's shape (schema: learn/runs/run-files.ts SplitFile); id_codes sorted. */
export type SplitResult = z.infer<typeof SplitFile>;

function pickFraction<T>(items: T[], fraction: number, seed: number): Set<T> {
  const shuffled = rngFor(seed, RngPurpose.split).shuffle(items.slice());
  const n =
    items.length <= 1
      ? 0
      : Math.min(items.length - 1, Math.max(1, Math.round(items.length * fraction)));
  return new Set(shuffled.slice(0, n));
}

/**
 * The train/validation split of the usable wells of `rows`. The split is drawn over every usable
 * well; wells for which `keep` is false (review exclusions, classes left out by class coverage) are
 * then dropped from whichever side they fell on, so leaving wells out never moves another well
 * between training and validation. The warnings describe the wells kept. Errors: INVALID_INPUT for
 * valExperiments with another strategy or naming an experiment without usable wells.
 */
export function makeSplit(
  rows: SiteRow[],
  config: TrainConfig,
  labelOf: (r: SiteRow) => string,
  keep: (r: SiteRow) => boolean = () => true,
): SplitResult {
  const { strategy, valFraction, seed } = config.split;
  if (config.split.valExperiments && strategy !== 'experiment')
    throw inputError(
      `split.valExperiments is set but split.strategy is '${strategy}': listed experiments need strategy 'experiment'`,
    );
  const usable = rows.filter((r) => isUsable(r, config));
  const wellInfo = new Map<string, { plateKey: string; experiment: string; label: string }>();
  const dropped = new Set<string>();
  for (const r of usable) {
    wellInfo.set(r.idCode, {
      plateKey: `${r.experiment}/${r.plate}`,
      experiment: r.experiment,
      label: labelOf(r),
    });
    if (!keep(r)) dropped.add(r.idCode);
  }
  const wells = [...wellInfo.keys()].sort();
  let isVal: (w: string) => boolean;
  if (strategy === 'random') {
    const val = pickFraction(wells, valFraction, seed);
    isVal = (w) => val.has(w);
  } else if (strategy === 'plate') {
    const plates = [...new Set([...wellInfo.values()].map((i) => i.plateKey))].sort();
    const val = pickFraction(plates, valFraction, seed);
    isVal = (w) => val.has(wellInfo.get(w)!.plateKey);
  } else {
    const exps = [...new Set([...wellInfo.values()].map((i) => i.experiment))].sort();
    const listed = config.split.valExperiments;
    if (listed) {
      const missing = listed.filter((e) => !exps.includes(e));
      if (missing.length)
        throw inputError(
          `split.valExperiments: ${missing.join(', ')} not among the training experiments (${exps.join(', ')})`,
        );
    }
    const val = listed ? new Set(listed) : pickFraction(exps, valFraction, seed);
    isVal = (w) => val.has(wellInfo.get(w)!.experiment);
  }
  const train = wells.filter((w) => !isVal(w) && !dropped.has(w));
  const val = wells.filter((w) => isVal(w) && !dropped.has(w));
  const warnings: string[] = [];
  if (val.length === 0)
    warnings.push('validation set is empty: too few wells/plates/experiments for this split');
  if (train.length === 0) warnings.push('training set is empty');
  const trainPlates = new Set(train.map((w) => wellInfo.get(w)!.plateKey));
  const shared = new Set(
    val.map((w) => wellInfo.get(w)!.plateKey).filter((p) => trainPlates.has(p)),
  );
  if (shared.size > 0)
    warnings.push(
      `validation shares ${shared.size} plate(s) with training: plate/batch effects are seen in training, so validation accuracy is optimistic for new experiments`,
    );
  const trainLabels = new Set(train.map((w) => wellInfo.get(w)!.label));
  const unseen = new Set(val.map((w) => wellInfo.get(w)!.label).filter((l) => !trainLabels.has(l)));
  if (unseen.size > 0) warnings.push(`${unseen.size} validation class(es) never occur in training`);
  return { strategy, seed, valFraction, train, val, warnings };
}
