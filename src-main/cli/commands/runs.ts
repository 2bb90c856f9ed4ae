// `platelab runs --db FILE [--json]`: the runs trained on that catalog's dataset (under the data
// folder's runs/, or --runs DIR), newest first, with status, checkpoint epochs and dataset identity.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { resolveDataDir, dataLayout } from '../../core/app/data-dir';
import { datasetIdentity, describeDataset } from '../../core/catalog/dataset-identity';
import { openCatalog } from '../../core/catalog/db';
import { inputError } from '../../core/errors';
import { listRuns } from '../../core/learn/runs/list-runs';
import { sweepNameOfRun } from '../../core/learn/sweep/sweep-folder';
import { formatTable, printJsonSummary, runCommand } from '../output';

export function register(program: Command): void {
  program
    .command('runs')
    .description("List the dataset's training runs with status and dataset identity")
    .requiredOption('--db <file>', "the dataset's catalog")
    .option('--runs <dir>', 'folder of run folders (default: runs/ of the data folder)')
    .option('--data <dir>', 'data folder (default: $PLATELAB_DATA or ~/.platelab)')
    .option('--all', 'also runs trained on other datasets (or whose dataset is not recorded)')
    .option('--json', 'print a one-line JSON summary as the last line')
    .action((opts: { db: string; runs?: string; data?: string; all?: boolean; json?: boolean }) =>
      runCommand('runs', async () => {
        const dbFile = path.resolve(opts.db);
        if (!fs.existsSync(dbFile)) throw inputError(`${dbFile}: catalog database not found`);
        const db = openCatalog(dbFile);
        let dataset;
        try {
          dataset = datasetIdentity(db, dbFile);
        } finally {
          db.close();
        }
        const runsDir = path.resolve(opts.runs ?? dataLayout(resolveDataDir(opts.data)).runs);
        const all = listRuns(runsDir, dataset);
        const runs = opts.all
          ? all
          : all.filter((r) => r.datasetMatch === 'same' || r.datasetMatch === 'changed');
        if (opts.json) return printJsonSummary({ dataset, runsDir, runs });
        console.log(`dataset ${describeDataset(dataset)}, digest ${dataset.digest}: ${dbFile}`);
        console.log(
          formatTable(
            ['run', 'sweep', 'status', 'epochs', 'best val', 'dataset', 'match', 'created'],
            runs.map((r) => [
              r.runId,
              sweepNameOfRun(path.join(runsDir, r.runId)) ?? '',
              r.status,
              r.epochsDone,
              r.bestValAccuracy === null ? 'n/a' : `${(r.bestValAccuracy * 100).toFixed(1)}%`,
              describeDataset(r.dataset),
              r.datasetMatch ?? '',
              r.createdAt,
            ]),
          ),
        );
        if (all.length === 0)
          console.log(
            `no run folders in ${runsDir} (a run made with 'platelab train --out DIR' is listed with --runs <its parent folder>)`,
          );
        const hidden = all.length - runs.length;
        if (hidden)
          console.log(
            `${hidden} run(s) of other or unrecorded datasets not shown (--all lists them)`,
          );
      }),
    );
}
