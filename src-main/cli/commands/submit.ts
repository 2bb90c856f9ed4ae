// `platelab submit --run RUN_DIR --out submission.csv`: a Kaggle submission (id_code,sirna), one row
// per test.csv row, from the run's test predictions made on that dataset (--db), named in the output;
// predicts the test split with assignment first when there are none for that dataset.
import type { Command } from 'commander';
import { makeSubmission } from '../../core/learn/evaluate/make-submission';
import { interruptSignal, printJsonSummary, runCommand } from '../output';
import { createProgress } from '../progress';

export function register(program: Command): void {
  program
    .command('submit')
    .description("Write a Kaggle submission CSV from a run's test predictions")
    .requiredOption('--run <dir>', 'run folder')
    .requiredOption('--out <file>', 'submission CSV to write')
    .option('--db <file>', "the dataset's catalog to submit for (default: the run's)")
    .option('--allow-other-dataset', 'use a run trained on another dataset than --db')
    .option('--allow-incomplete', 'use a run that did not complete (its newest checkpoint)')
    .option(
      '--backend <name>',
      'TensorFlow.js backend when predictions must be made (default: auto)',
    )
    .option('--json', 'print a one-line JSON summary as the last line')
    .action(
      (opts: {
        run: string;
        out: string;
        db?: string;
        backend?: string;
        allowOtherDataset?: boolean;
        allowIncomplete?: boolean;
        json?: boolean;
      }) =>
        runCommand('submit', async () => {
          const bar = createProgress('predict');
          const r = await makeSubmission({
            runDir: opts.run,
            out: opts.out,
            dbFile: opts.db,
            backend: opts.backend,
            allowOtherDataset: opts.allowOtherDataset,
            allowIncomplete: opts.allowIncomplete,
            onProgress: bar.update,
            signal: interruptSignal(),
          }).finally(() => bar.stop());
          if (opts.json) return printJsonSummary(r);
          console.log(
            `${r.rows} rows → ${r.path}${r.assigned ? ' (plate-group assignment applied)' : ''}`,
          );
          console.log(`from ${r.source.label}`);
          for (const w of r.source.warnings) console.error(`warning: ${w}`);
        }),
    );
}
