// `platelab synth --preset P --out DIR [--seed N] [--experiments T[,E]] [--image-size N] [--metadata DIR]
// [--json]`: writes a synthetic
// dataset in the RxRx1 2019 layout through the core generator, with a progress bar on stderr.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import {
  describePreset,
  generateSynthDataset,
  SYNTH_PRESETS,
  type SynthPreset,
} from '../../core/dataset/synth';
import { inputError } from '../../core/errors';
import { interruptSignal, printJsonSummary, runCommand } from '../output';
import { createProgress } from '../progress';

/** The real RxRx1 CSVs shipped beside the checkout (`../shared/rxrx1`), when present. */
export function defaultMetadataDir(): string | undefined {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const dir = path.resolve(repoRoot, '../shared/rxrx1');
  return fs.existsSync(path.join(dir, 'train.csv')) ? dir : undefined;
}

function parseSeed(text: string): number {
  if (!/^-?\d+$/.test(text)) throw inputError(`--seed "${text}" is not a whole number`);
  return Number(text);
}

/** `--experiments 4` → first 4 train experiments and all test ones; `4,1` → 4 train and 1 test. */
export function parseExperiments(text: string): { train: number; test?: number } {
  const m = /^(\d+)(?:,(\d+))?$/.exec(text.trim());
  if (!m)
    throw inputError(
      `--experiments "${text}" must be TRAIN or TRAIN,TEST (whole numbers, e.g. 4 or 4,1)`,
    );
  return m[2] === undefined ? { train: Number(m[1]) } : { train: Number(m[1]), test: Number(m[2]) };
}

function parseImageSize(text: string): number {
  if (!/^\d+$/.test(text)) throw inputError(`--image-size "${text}" is not a whole number`);
  return Number(text);
}

export function register(program: Command): void {
  program
    .command('synth')
    .description('Write a synthetic dataset in the RxRx1 2019 layout (CSVs + PNGs)')
    .addOption(
      new Option('--preset <preset>', 'dataset size')
        .choices([...SYNTH_PRESETS])
        .makeOptionMandatory(),
    )
    .requiredOption(
      '--out <dir>',
      'output folder (created; must be empty or an earlier synthetic dataset)',
    )
    .option('--seed <n>', 'random seed (default 1)')
    .option(
      '--experiments <train[,test]>',
      'rendered presets: only the first TRAIN train (and TEST test) experiments, e.g. 1,0',
    )
    .option('--image-size <px>', 'rendered presets: image side in pixels (16..1024)')
    .option(
      '--metadata <dir>',
      'folder with the real RxRx1 CSVs (full-layout; default ../shared/rxrx1 if present)',
    )
    .option('--json', 'print a one-line JSON summary as the last line')
    .addHelpText(
      'after',
      `\nPresets:\n${SYNTH_PRESETS.map((p) => `  ${describePreset(p)}`).join('\n')}`,
    )
    .action(
      (opts: {
        preset: SynthPreset;
        out: string;
        seed?: string;
        experiments?: string;
        imageSize?: string;
        metadata?: string;
        json?: boolean;
      }) =>
        runCommand('synth', async () => {
          const realMetadataDir = opts.metadata
            ? path.resolve(opts.metadata)
            : defaultMetadataDir();
          if (opts.preset === 'full-layout' && !realMetadataDir)
            throw inputError('full-layout needs the real RxRx1 CSVs: pass --metadata DIR');
          if (opts.preset === 'full-layout' && opts.experiments !== undefined)
            throw inputError('--experiments applies to rendered presets, not full-layout');
          if (opts.metadata && !fs.existsSync(realMetadataDir!))
            throw inputError(`metadata folder ${realMetadataDir} does not exist`);
          const bar = createProgress('synth');
          let summary;
          try {
            summary = await generateSynthDataset({
              preset: opts.preset,
              outDir: path.resolve(opts.out),
              seed: opts.seed === undefined ? undefined : parseSeed(opts.seed),
              experiments:
                opts.experiments === undefined ? undefined : parseExperiments(opts.experiments),
              imageSize: opts.imageSize === undefined ? undefined : parseImageSize(opts.imageSize),
              realMetadataDir,
              onProgress: bar.update,
              signal: interruptSignal(),
            });
          } finally {
            bar.stop();
          }
          if (opts.json) {
            printJsonSummary(summary);
            return;
          }
          console.log(
            `wrote ${summary.preset} to ${summary.outDir}: ${summary.experiments} experiments, ${summary.plates} plates, ` +
              `${summary.wells} wells, ${summary.sites} sites, ${summary.images} images, ${summary.classes} classes in ${summary.seconds.toFixed(1)} s`,
          );
        }),
    );
}
