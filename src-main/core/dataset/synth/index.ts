// Public entry of the synthetic RxRx1 generator: `generateSynthDataset` writes a complete dataset in
// the RxRx1 2019 layout for one of its presets; `describePreset` documents each for README/--help.
import { inputError } from '../../errors';
import { generateFullLayout } from './full-layout';
import { generateRendered } from './generate-rendered';
import type { SynthOptions, SynthSummary } from './types';

export type { SynthOptions, SynthPreset, SynthSummary } from './types';
export { describePreset } from './presets';

export const SYNTH_PRESETS = ['tiny', 'demo', 'hard', 'full', 'full-layout'] as const;

export async function generateSynthDataset(opts: SynthOptions): Promise<SynthSummary> {
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed)) throw inputError(`seed ${seed} must be an integer`);
  switch (opts.preset) {
    case 'tiny':
    case 'demo':
    case 'hard':
    case 'full':
      return generateRendered(opts.preset, opts, seed);
    case 'full-layout':
      return generateFullLayout(opts, seed);
    default:
      throw inputError(
        `unknown synth preset "${String(opts.preset)}"; use one of ${SYNTH_PRESETS.join(', ')}`,
      );
  }
}
