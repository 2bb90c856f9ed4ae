// `platelab train --db FILE --out RUN_DIR [--config cfg.json] [--set key=value ...] [--resume]`:
// trains in a child process with a progress bar; Ctrl-C cancels gracefully (checkpoint, then exit).
// `platelab train --list-settings [--backend B] [--json]` prints every setting, default and range.
import fs from 'node:fs';
import type { Command } from 'commander';
import { describeCoverage } from '../../../src-shared/class-coverage';
import { PlateLabError, inputError } from '../../core/errors';
import {
  defaultConfigFor,
  readConfigText,
  resolveTrainConfig,
} from '../../core/learn/config/default-config';
import { formatSettingsTable, settingsTable } from '../settings-table';
import {
  selectBackend,
  describeSelection,
  resolvePreference,
} from '../../core/learn/backend/select-backend';
import { startTraining } from '../../core/learn/train/start-training';
import { interruptSignal, printJsonSummary, runCommand } from '../output';
import { createProgress } from '../progress';

interface TrainOpts {
  db?: string;
  out?: string;
  listSettings?: boolean;
  config?: string;
  set: string[];
  resume?: boolean;
  backend?: string;
  decodeWorkers?: string;
  cacheGib?: string;
  cacheFile?: string;
  json?: boolean;
  /** commander's --no-review-exclusions: false when given. */
  reviewExclusions: boolean;
  /** 'auto' or a whole number ≥ 1 (minClassExperiments). */
  minClassExperiments?: string;
}

/** --min-class-experiments as a `--set`; anything but 'auto' or a whole number ≥ 1 is an input error. */
function minClassExperimentsSet(value: string | undefined): string[] {
  if (value === undefined) return [];
  const v = value.trim();
  if (v !== 'auto' && !/^[1-9]\d*$/.test(v))
    throw inputError(
      `--min-class-experiments ${value}: expected 'auto' or a whole number of experiments ≥ 1`,
    );
  return [`minClassExperiments=${v}`];
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** --decode-workers and --cache-gib as TrainJob fields; bad numbers are input errors. */
function pipelineOptions(opts: TrainOpts): {
  decodeWorkers?: number;
  cacheBudgetBytes?: number;
  cacheFile?: string;
} {
  const out: { decodeWorkers?: number; cacheBudgetBytes?: number; cacheFile?: string } = {};
  if (opts.cacheFile !== undefined) out.cacheFile = opts.cacheFile;
  if (opts.decodeWorkers !== undefined) {
    const n = Number(opts.decodeWorkers);
    if (!Number.isInteger(n) || n < 1)
      throw inputError(`--decode-workers ${opts.decodeWorkers}: expected a positive integer`);
    out.decodeWorkers = n;
  }
  if (opts.cacheGib !== undefined) {
    const g = Number(opts.cacheGib);
    if (!(g > 0)) throw inputError(`--cache-gib ${opts.cacheGib}: expected a positive number`);
    out.cacheBudgetBytes = Math.round(g * 1024 ** 3);
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('train')
    .description(
      "Train a classifier on the catalog's training wells; writes a reproducible run folder",
    )
    .option('--db <file>', 'catalog database file (required to train)')
    .option('--out <dir>', 'run folder (created; with --resume, the run to continue; required)')
    .option(
      '--list-settings',
      'list every setting --set/--config accept: its default for the backend and its allowed range',
    )
    .option('--config <file>', "JSON file with training settings (over the backend's defaults)")
    .option(
      '--set <key=value>',
      'override one setting, e.g. --set epochs=3 --set split.strategy=plate',
      collect,
      [],
    )
    .option(
      '--no-review-exclusions',
      "train on the wells review marked 'exclude' too (same as --set useReviewExclusions=false)",
    )
    .option(
      '--min-class-experiments <auto|N>',
      "train only on classes seen in at least N training experiments; 'auto' (default): three quarters of the most any class is seen in, rounded up (same as --set minClassExperiments=…)",
    )
    .option('--resume', 'continue the run in --out from its last checkpoint')
    .option(
      '--backend <name>',
      'auto, tensorflow-gpu, tensorflow, webgpu, wasm or cpu (default: auto or $PLATELAB_BACKEND)',
    )
    .option('--decode-workers <n>', 'decode worker threads (default: one per core but one)')
    .option('--cache-gib <GiB>', 'disk budget of the decoded-site cache (default 20)')
    .option(
      '--cache-file <file>',
      'decoded-site cache file (default: beside the catalog; one per concurrent training)',
    )
    .option('--json', 'print a one-line JSON summary as the last line')
    .action((opts: TrainOpts) =>
      runCommand('train', async () => {
        let pref;
        try {
          pref = resolvePreference(opts.backend);
        } catch (err) {
          throw inputError((err as Error).message);
        }
        if (opts.listSettings) {
          const sel = await selectBackend(pref);
          const rows = settingsTable(defaultConfigFor(sel.name));
          if (opts.json) printJsonSummary({ backend: sel.name, settings: rows });
          else console.log(formatSettingsTable(rows, sel.name));
          return;
        }
        if (!opts.db) throw inputError('train: --db <file> is required (the catalog to train on)');
        if (!opts.out) throw inputError('--out <dir> is required (the run folder)');
        if (!fs.existsSync(opts.db)) throw inputError(`${opts.db}: catalog database not found`);
        const out = opts.out;
        const sel = await selectBackend(pref);
        if (!opts.json) for (const line of describeSelection(sel)) console.error(line);
        let config;
        if (!opts.resume) {
          config = resolveTrainConfig({
            backendName: sel.name,
            configText: readConfigText(opts.config),
            configFile: opts.config,
            sets: [
              ...opts.set,
              ...(opts.reviewExclusions ? [] : ['useReviewExclusions=false']),
              ...minClassExperimentsSet(opts.minClassExperiments),
            ],
          });
        } else if (
          opts.config ||
          opts.set.length ||
          !opts.reviewExclusions ||
          opts.minClassExperiments !== undefined
        ) {
          throw inputError(
            "--resume continues with the run's own config.json, class list and exclusion list; drop --config/--set/--no-review-exclusions/--min-class-experiments",
          );
        }
        const handle = startTraining({
          dbFile: opts.db,
          runDir: out,
          config,
          resume: opts.resume,
          backend: sel.name,
          ...pipelineOptions(opts),
        });
        const signal = interruptSignal();
        signal.addEventListener('abort', () => {
          console.error('\ncancelling: finishing the current step and writing a checkpoint…');
          handle.cancel();
        });
        const bar = createProgress('train');
        let total = 0;
        handle.events.on('started', (i) => {
          total = i.epochs * i.stepsPerEpoch;
          for (const w of i.warnings) console.error(`warning: ${w}`);
          const coverage = describeCoverage(i.classCoverage);
          if (!opts.json)
            console.error(
              `run ${i.runId}: ${i.trainWells} training wells (${i.trainSites} sites), ${i.valWells} validation wells, ${i.classes} classes${coverage ? ` (${coverage})` : ''}, ${i.reviewExcluded} well(s) excluded by review, ${i.stepsPerEpoch} steps/epoch${i.resumedFromStep !== null ? `, resumed at step ${i.resumedFromStep}` : ''}`,
            );
        });
        handle.events.on('step', (m) =>
          bar.update(
            Math.min(m.step, total),
            total,
            `epoch ${m.epoch + 1} loss ${m.loss.toFixed(3)} acc ${(m.accuracy * 100).toFixed(0)}% ${m.imagesPerSecond.toFixed(1)} img/s`,
          ),
        );
        handle.events.on('epoch', (m) => {
          if (!opts.json)
            console.error(
              `epoch ${m.epoch + 1}: loss ${m.loss.toFixed(4)} acc ${(m.accuracy * 100).toFixed(1)}%` +
                (m.valAccuracy !== null
                  ? ` | val loss ${m.valLoss!.toFixed(4)} acc ${(m.valAccuracy * 100).toFixed(1)}%`
                  : '') +
                ` | lr ${m.lr.toExponential(2)} | ${m.imagesPerSecond.toFixed(1)} img/s | ${m.seconds.toFixed(0)} s` +
                (m.etaSeconds !== null ? ` | ETA ${Math.round(m.etaSeconds)} s` : ''),
            );
        });
        const summary = await handle.done.finally(() => bar.stop());
        if (summary.status === 'failed')
          throw new PlateLabError(
            (summary.errorCode ?? 'INTERNAL') as PlateLabError['code'],
            summary.error ?? 'training failed',
          );
        const result = {
          runDir: out,
          status: summary.status,
          backend: summary.backend,
          epochs: summary.epochsDone,
          bestValAccuracy: summary.bestValAccuracy,
          imagesPerSecond: summary.imagesPerSecond,
          reviewExcluded: summary.reviewExcluded ?? 0,
          classCoverage: summary.classCoverage ?? null,
          warnings: summary.warnings,
        };
        if (opts.json) printJsonSummary(result);
        else
          console.log(
            `${summary.status}: ${summary.epochsDone} epoch(s), best validation accuracy ${summary.bestValAccuracy === null ? 'n/a' : `${(summary.bestValAccuracy * 100).toFixed(1)}%`}, ${summary.imagesPerSecond?.toFixed(1) ?? 'n/a'} img/s, ${summary.reviewExcluded ?? 0} well(s) excluded by review${describeCoverage(summary.classCoverage) ? `, ${describeCoverage(summary.classCoverage)}` : ''}; run folder ${out}`,
          );
        if (summary.status === 'cancelled') process.exit(1);
      }),
    );
}
