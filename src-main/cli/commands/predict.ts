// `platelab predict --run RUN_DIR --split test|val [--tta] [--assign] --out predictions.csv`:
// per-well predictions (site-averaged), stored in the catalog and written as CSV.
import { describeUnscored } from '../../../src-shared/class-coverage';
import { scoredWells } from '../../core/learn/predict/site-to-well';
import type { Command } from 'commander';
import { inputError } from '../../core/errors';
import { predictRun } from '../../core/learn/predict/predict';
import { writePredictionsCsv } from '../../core/learn/predict/csv';
import { predictionSetInfo } from '../../core/learn/predict/provenance';
import { printJsonSummary, runCommand } from '../output';
import { predictOptionsFrom, type PredictCliOpts } from '../predict-options';
import { createProgress } from '../progress';
import { predictEnsembleCommand } from './sweep';

export function register(program: Command): void {
  program
    .command('predict')
    .description(
      'Predict validation or test wells with a trained run (optionally with D4 TTA and plate-group assignment)',
    )
    .option('--run <dir>', 'run folder')
    .option(
      '--runs <dirs>',
      'ensemble: comma-separated run folders whose probabilities are averaged',
    )
    .option('--sweep <dir>', 'ensemble: the done runs of a sweep folder')
    .option('--weight-by <how>', 'ensemble: equal (default) or val-accuracy')
    .option('--ensemble-dir <dir>', 'ensemble: folder for the set (default: SWEEP/ensemble)')
    .requiredOption('--split <split>', 'val or test')
    .requiredOption('--out <file>', 'predictions CSV to write')
    .option('--tta', 'average the 8 flips/rotations of each site')
    .option('--assign', 'plate-group decoding + per-plate assignment (siRNA runs)')
    .option('--db <file>', "catalog to read sites from (default: the run's)")
    .option('--backend <name>', 'TensorFlow.js backend (default: auto)')
    .option('--allow-other-dataset', 'use a run trained on another dataset than --db')
    .option('--allow-incomplete', 'use a run that did not complete (its newest checkpoint)')
    .option('--json', 'print a one-line JSON summary as the last line')
    .action(
      (
        opts: Omit<PredictCliOpts, 'split'> & {
          run?: string;
          runs?: string;
          sweep?: string;
          weightBy?: string;
          ensembleDir?: string;
          split: string;
          out: string;
          json?: boolean;
        },
      ) =>
        runCommand('predict', async () => {
          if (opts.split !== 'val' && opts.split !== 'test')
            throw inputError(`--split must be val or test, got "${opts.split}"`);
          if (opts.runs || opts.sweep)
            return predictEnsembleCommand({ ...opts, split: opts.split });
          if (!opts.run) throw inputError('give --run, --runs or --sweep');
          const bar = createProgress('predict');
          const r = await predictRun({
            runDir: opts.run,
            ...predictOptionsFrom({ ...opts, split: opts.split }, bar.update),
          }).finally(() => bar.stop());
          writePredictionsCsv(opts.out, r.set);
          const source = predictionSetInfo(r.set);
          const out = {
            out: opts.out,
            source,
            split: opts.split,
            wells: r.set.wells.length,
            tta: Boolean(opts.tta),
            assigned: r.assignedApplied,
            accuracy: r.accuracy,
            accuracyAssigned: r.accuracyAssigned,
            sitesDisagree: r.set.wells.filter((w) => w.sitesDisagree).length,
            unscoredWells: scoredWells(r.set.wells, r.set.labels).unscored,
            warnings: r.warnings,
          };
          for (const w of r.warnings) console.error(`warning: ${w}`);
          if (opts.json) return printJsonSummary(out);
          console.log(
            `${out.wells} wells predicted → ${opts.out}; sites disagree in ${out.sitesDisagree}`,
          );
          console.log(`prediction set: ${source.label}`);
          if (r.accuracy !== null)
            console.log(
              `well accuracy ${(r.accuracy * 100).toFixed(2)}%${r.accuracyAssigned !== null ? `, after assignment ${(r.accuracyAssigned * 100).toFixed(2)}%` : ''}`,
            );
          const unscored = describeUnscored(out.unscoredWells);
          if (unscored) console.log(unscored);
        }),
    );
}
