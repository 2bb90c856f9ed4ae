// `platelab info --db FILE [--json]`: what a catalog holds: format, root, counts per experiment
// and per plate, problem kinds. A table for humans, one JSON line with --json.
import fs from 'node:fs';
import type { Command } from 'commander';
import { openCatalog, type Catalog } from '../../core/catalog/db';
import { readMeta } from '../../core/catalog/meta';
import { datasetSummary, listExperiments, listProblems } from '../../core/catalog/queries';
import { inputError } from '../../core/errors';
import { formatTable, printJsonSummary, runCommand } from '../output';

function openExisting(file: string): Catalog {
  if (!fs.existsSync(file))
    throw inputError(`catalog ${file} does not exist (run platelab index first)`);
  try {
    const db = openCatalog(file, { readonly: true });
    readMeta(db, 'root'); // throws when the file has no meta table
    return db;
  } catch (err) {
    throw inputError(`${file} is not a PlateLab catalog: ${(err as Error).message}`);
  }
}

export function register(program: Command): void {
  program
    .command('info')
    .description('Show what a catalog holds: counts per experiment and plate, problem kinds')
    .requiredOption('--db <file>', 'catalog database file')
    .option('--json', 'print the summary as one JSON line')
    .action((opts: { db: string; json?: boolean }) =>
      runCommand('info', async () => {
        const db = openExisting(opts.db);
        try {
          const summary = datasetSummary(db);
          const experiments = listExperiments(db);
          const problems = listProblems(db, { limit: 1 }).kinds;
          if (opts.json) {
            printJsonSummary({ ...summary, experiments, problemKinds: problems });
            return;
          }
          const c = summary.counts;
          console.log(`root      ${summary.root ?? '(not indexed)'}`);
          console.log(`format    ${summary.format}`);
          console.log(`indexed   ${summary.indexedAt ?? 'never'}`);
          console.log(
            `counts    ${c.experiments} experiments and ${c.plates} plates with images, ${c.wells} wells, ${c.sites} sites, ${c.images} images, ${c.problems} problems\n`,
          );
          console.log(
            formatTable(
              [
                'experiment',
                'split',
                'cell type',
                'plates',
                'with images',
                'wells',
                'sites',
                'images',
              ],
              experiments.map((e) => [
                e.name,
                e.split,
                e.cellType,
                e.plates,
                e.platesWithImages,
                e.wells,
                e.sites,
                e.images,
              ]),
            ),
          );
          console.log();
          console.log(
            formatTable(
              ['experiment', 'plate', 'wells', 'sites', 'images'],
              summary.plates.map((p) => [p.experiment, p.plate, p.wells, p.sites, p.images]),
            ),
          );
          if (problems.length) {
            console.log();
            console.log(
              formatTable(
                ['problem kind', 'count'],
                problems.map((k) => [k.kind, k.count]),
              ),
            );
          }
        } finally {
          db.close();
        }
      }),
    );
}
