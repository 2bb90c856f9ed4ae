// `platelab evaluate --run RUN_DIR`: accuracy on the run's validation wells (overall, after
// assignment, per plate, per cell type, positive controls) and the most confused pairs.
import { describeUnscored } from '../../../src-shared/class-coverage';
import type { Command } from 'commander';
import { evaluateRun } from '../../core/learn/evaluate/evaluate-run';
import { formatTable, interruptSignal, printJsonSummary, runCommand } from '../output';
import { createProgress } from '../progress';

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);

export function register(program: Command): void {
  program
    .command('evaluate')
    .description('Evaluate a run on its validation wells (predicts them first if needed)')
    .requiredOption('--run <dir>', 'run folder')
    .option('--repredict', 'predict the validation wells again even if stored')
    .option('--tta', 'with prediction: average the 8 flips/rotations')
    .option('--backend <name>', 'TensorFlow.js backend (default: auto)')
    .option('--allow-incomplete', 'use a run that did not complete (its newest checkpoint)')
    .option('--json', 'print a one-line JSON summary as the last line')
    .action(
      (opts: {
        run: string;
        repredict?: boolean;
        tta?: boolean;
        backend?: string;
        allowIncomplete?: boolean;
        json?: boolean;
      }) =>
        runCommand('evaluate', async () => {
          const bar = createProgress('predict');
          const s = await evaluateRun({
            runDir: opts.run,
            repredict: opts.repredict,
            tta: opts.tta,
            backend: opts.backend,
            allowIncomplete: opts.allowIncomplete,
            onProgress: bar.update,
            signal: interruptSignal(),
          }).finally(() => bar.stop());
          if (opts.json) return printJsonSummary(s);
          console.log(
            `${s.wells} validation wells: accuracy ${pct(s.accuracy)}, after assignment ${pct(s.accuracyAssigned)}, positive controls ${pct(s.positiveControlsAccuracy)}`,
          );
          const unscored = describeUnscored(s.unscoredWells);
          if (unscored) console.log(unscored);
          console.log(
            formatTable(
              ['cell type', 'accuracy'],
              s.perCellType.map((c) => [c.cellType, pct(c.accuracy)]),
            ),
          );
          console.log(
            formatTable(
              ['experiment', 'plate', 'accuracy', 'controls'],
              s.perPlate.map((p) => [
                p.experiment,
                p.plate,
                pct(p.accuracy),
                pct(p.controlsAccuracy),
              ]),
            ),
          );
          if (s.confusedPairs.length)
            console.log(
              formatTable(
                ['truth', 'predicted', 'wells'],
                s.confusedPairs.slice(0, 10).map((c) => [c.truth, c.predicted, c.count]),
              ),
            );
        }),
    );
}
