// `platelab embed --run RUN --split val|test [--projection pca|umap] [--out embedding.csv]`: a
// prediction set's well embeddings projected to 2-D as CSV, the raw embeddings as a NumPy .npy
// beside it, and the batch-vs-class organisation numbers printed (README: the embedding view).
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { EmbeddingOrganisation } from '../../../src-shared/contract';
import { datasetIdentity, type DatasetRef } from '../../core/catalog/dataset-identity';
import { openCatalog } from '../../core/catalog/db';
import { csvText } from '../../core/dataset/synth/csv';
import { inputError } from '../../core/errors';
import {
  embeddingPoints,
  openSetEmbedding,
  organisationOf,
  pcaOf,
  umapOf,
} from '../../core/learn/embed/embedding-view';
import { npyFloat32 } from '../../core/learn/embed/npy';
import { DEFAULT_K } from '../../core/learn/embed/organisation';
import { predictionSetInfo } from '../../core/learn/predict/provenance';
import { runPath } from '../../core/learn/runs/run-folder';
import { writeFileAtomicSync } from '../../core/util/atomic-write';
import { formatTable, interruptSignal, printJsonSummary, runCommand } from '../output';
import { createProgress } from '../progress';

interface EmbedCliOpts {
  run: string;
  split: string;
  projection: string;
  out: string;
  k: string;
  db?: string;
  json?: boolean;
}

/** The .npy beside the CSV: embedding.csv → embedding.npy (any other name gets .npy appended). */
export function npyPathFor(csv: string): string {
  return csv.toLowerCase().endsWith('.csv') ? `${csv.slice(0, -4)}.npy` : `${csv}.npy`;
}

const num = (v: number | null, digits = 3): string => (v === null ? '-' : v.toFixed(digits));

function organisationTable(o: EmbeddingOrganisation): string {
  const ratio = (v: number | null, c: number | null) =>
    v === null || c === null || c === 0 ? '-' : `${(v / c).toFixed(2)}×`;
  return formatTable(
    ['grouping', `same in ${o.k}-NN`, 'chance', 'over chance', 'silhouette'],
    [
      [
        'experiment',
        num(o.sameExperiment),
        num(o.sameExperimentChance),
        ratio(o.sameExperiment, o.sameExperimentChance),
        num(o.silhouetteExperiment),
      ],
      [
        'siRNA',
        num(o.sameSirna),
        num(o.sameSirnaChance),
        ratio(o.sameSirna, o.sameSirnaChance),
        num(o.silhouetteSirna),
      ],
      [
        'cell type',
        num(o.sameCellType),
        num(o.sameCellTypeChance),
        ratio(o.sameCellType, o.sameCellTypeChance),
        '-',
      ],
    ],
  );
}

export function register(program: Command): void {
  program
    .command('embed')
    .description(
      "Project a prediction set's well embeddings to 2-D (CSV + raw .npy) and print how much they are organised by experiment vs siRNA",
    )
    .requiredOption(
      '--run <dir>',
      'run folder (predicted with this version: predict stores the embeddings)',
    )
    .requiredOption('--split <split>', 'val or test')
    .option('--projection <how>', 'pca (fast) or umap (seeded)', 'pca')
    .option('--out <file>', 'CSV to write; the .npy goes beside it', 'embedding.csv')
    .option('--k <n>', 'nearest neighbours for the organisation numbers', String(DEFAULT_K))
    .option('--db <file>', "the set made on this catalog's dataset (default: the run's own set)")
    .option('--json', 'print a one-line JSON summary as the last line')
    .action((opts: EmbedCliOpts) =>
      runCommand('embed', async () => {
        if (opts.split !== 'val' && opts.split !== 'test')
          throw inputError(`--split must be val or test, got "${opts.split}"`);
        if (opts.projection !== 'pca' && opts.projection !== 'umap')
          throw inputError(`--projection must be pca or umap, got "${opts.projection}"`);
        const k = Number(opts.k);
        if (!Number.isInteger(k) || k < 1)
          throw inputError(`--k must be a whole number ≥ 1, got "${opts.k}"`);
        let dataset: DatasetRef | undefined;
        if (opts.db) {
          const db = openCatalog(path.resolve(opts.db));
          try {
            dataset = datasetIdentity(db, path.resolve(opts.db));
          } finally {
            db.close();
          }
        }
        const runDir = path.resolve(opts.run);
        // A run id or a mistyped path is not "no predictions yet": say it is no run folder.
        if (!fs.existsSync(runPath(runDir, 'run')))
          throw inputError(`${runDir}: not a run folder (no run.json)`);
        const e = openSetEmbedding(runDir, opts.split, dataset);
        const signal = interruptSignal();
        const bar = createProgress('embed');
        const organisation = await organisationOf(e, {
          k,
          signal,
          onProgress: (d, t) => bar.update(d, t, 'neighbour numbers'),
        }).finally(() => bar.stop());
        const umapBar = createProgress('umap');
        const xy =
          opts.projection === 'umap'
            ? await umapOf(e, { signal, onProgress: umapBar.update }).finally(() => umapBar.stop())
            : pcaOf(e);
        const points = embeddingPoints(e.set, xy);
        const csv = csvText(
          [
            'id_code',
            'experiment',
            'cell_type',
            'plate',
            'well',
            'well_type',
            'sirna',
            'predicted',
            'x',
            'y',
          ],
          points.map((p) => [
            p.idCode,
            p.experiment,
            p.cellType,
            p.plate,
            p.well,
            p.wellType,
            p.sirnaLabel ?? '',
            p.predictedLabel,
            p.x,
            p.y,
          ]),
        );
        const npy = npyPathFor(opts.out);
        writeFileAtomicSync(opts.out, csv);
        writeFileAtomicSync(
          npy,
          npyFloat32(e.embedding.values, [e.set.wells.length, e.embedding.dims]),
        );
        const source = predictionSetInfo(e.set);
        const summary = {
          out: opts.out,
          npy,
          projection: opts.projection,
          wells: points.length,
          dims: e.embedding.dims,
          organisation,
          source,
        };
        if (opts.json) return printJsonSummary(summary);
        console.log(
          `${points.length} wells × ${e.embedding.dims} dims → ${opts.out} (${opts.projection} x, y) and ${npy} (raw embedding)`,
        );
        console.log(`prediction set: ${source.label}`);
        console.log(organisationTable(organisation));
        console.log(organisation.note);
      }),
    );
}
