// `platelab index ROOT --db FILE [--json]`: indexes an RxRx1 folder into a catalog (incremental),
// with a progress bar on stderr and, with --json, a one-line summary as the last stdout line.
import type { Command } from 'commander';
import { indexDataset } from '../../core/catalog/indexer';
import { listProblems } from '../../core/catalog/queries';
import { openCatalog } from '../../core/catalog/db';
import { formatTable, interruptSignal, printJsonSummary, runCommand } from '../output';
import { createProgress } from '../progress';

/** Problem kinds that concern the whole dataset rather than one file. */
const DATASET_WIDE_KINDS = ['no-image-folder', 'mixed-label-style'] as const;

export function register(program: Command): void {
  program
    .command('index')
    .description(
      'Index an RxRx1 dataset folder (2019 CSVs + {train,test}/EXP/PlateN/*.png, or the 2020 metadata.csv + images/[train|test/]EXP/PlateN/*.png) into a catalog',
    )
    .argument('<root>', 'dataset folder')
    .requiredOption('--db <file>', 'catalog database file (created if missing)')
    .option('--json', 'print a one-line JSON summary as the last line')
    .action((root: string, opts: { db: string; json?: boolean }) =>
      runCommand('index', async () => {
        const bar = createProgress('index');
        let result;
        try {
          result = await indexDataset({
            root,
            dbFile: opts.db,
            signal: interruptSignal(),
            onProgress: bar.update,
          });
        } finally {
          bar.stop();
        }
        const { experiments, plates, wells, sites, images, problems, format, seconds } = result;
        // Problems about the whole dataset are said at once (stderr), not only stored.
        if (problems > 0) {
          const db = openCatalog(opts.db, { readonly: true });
          try {
            for (const kind of DATASET_WIDE_KINDS)
              for (const p of listProblems(db, { kind, limit: 5 }).items)
                console.error(`warning: ${p.path === '.' ? '' : `${p.path}: `}${p.message}`);
          } finally {
            db.close();
          }
        }
        if (opts.json) {
          printJsonSummary({
            experiments,
            plates,
            wells,
            sites,
            images,
            problems,
            format,
            seconds,
            changed: result.changed,
          });
          return;
        }
        console.log(`format ${format}; indexed in ${seconds} s`);
        console.log(
          formatTable(
            ['experiments', 'plates', 'wells', 'sites', 'images', 'problems'],
            [[experiments, plates, wells, sites, images, problems]],
          ),
        );
        const c = result.changed;
        console.log(`images added ${c.added}, updated ${c.updated}, removed ${c.removed}`);
        if (problems > 0) {
          const db = openCatalog(opts.db, { readonly: true });
          try {
            const kinds = listProblems(db, { limit: 1 }).kinds;
            console.log(
              `problems by kind:\n${formatTable(
                ['kind', 'count'],
                kinds.map((k) => [k.kind, k.count]),
              )}`,
            );
          } finally {
            db.close();
          }
        }
      }),
    );
}
