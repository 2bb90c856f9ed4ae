// The provenance commands through the real CLI: `platelab runs` lists a dataset's runs with status
// and dataset identity; predict/submit with --db of another dataset exit 1 naming both datasets
// unless --allow-other-dataset; an incomplete run needs --allow-incomplete.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/db';
import { updateRunInfo } from '../../core/learn/runs/run-folder';
import { makeTinyDataset, type TinyDataset } from '../../../test-support/learn/tiny-dataset';
import { trainTinyRun } from '../../../test-support/learn/tiny-config';

const bin = path.resolve('bin/platelab.js');
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 110_000 });
  const lines = r.stdout.trim().split('\n');
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    json: () => JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>,
  };
}

function datasetId(dbFile: string): string {
  const db = openCatalog(dbFile);
  try {
    return db.prepare(`SELECT value FROM meta WHERE key = 'dataset_id'`).pluck().get() as string;
  } finally {
    db.close();
  }
}

let a: TinyDataset;
let b: TinyDataset;
let runs: string;
let run: string;
beforeAll(async () => {
  const opts = { classes: 4, plates: 2, testExperiments: ['U2OS-01'] };
  a = await makeTinyDataset(opts);
  b = await makeTinyDataset({ ...opts, seed: 5 });
  runs = path.join(a.root, 'runs');
  run = path.join(runs, 'r1');
  await trainTinyRun(a.dbFile, run, { epochs: 1 });
});
afterAll(() => {
  a.cleanup();
  b.cleanup();
});

describe('platelab runs', () => {
  it("lists the dataset's runs with status and dataset identity, others only with --all", () => {
    const r = cli(['runs', '--db', a.dbFile, '--runs', runs, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json() as {
      dataset: { id: string };
      runs: Array<{ runId: string; status: string; dataset: { id: string }; datasetMatch: string }>;
    };
    expect(j.dataset.id).toBe(datasetId(a.dbFile));
    expect(j.runs.map((x) => [x.runId, x.status, x.dataset.id, x.datasetMatch])).toEqual([
      ['r1', 'done', datasetId(a.dbFile), 'same'],
    ]);
    const text = cli(['runs', '--db', a.dbFile, '--runs', runs]);
    expect(text.stdout).toMatch(/r1\s+done\s+1\s/);

    const other = cli(['runs', '--db', b.dbFile, '--runs', runs, '--json']);
    expect(other.code, other.stderr).toBe(0);
    expect((other.json() as { runs: unknown[] }).runs).toEqual([]);
    const all = cli(['runs', '--db', b.dbFile, '--runs', runs, '--all', '--json']);
    expect(
      (all.json() as { runs: Array<{ datasetMatch: string }> }).runs.map((x) => x.datasetMatch),
    ).toEqual(['other']);
    // An empty runs folder says where it looked and how to point elsewhere.
    const empty = cli(['runs', '--db', a.dbFile, '--runs', path.join(a.root, 'no-runs-here')]);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toContain(`no run folders in ${path.join(a.root, 'no-runs-here')}`);
  });

  it('predict and submit on another dataset need --allow-other-dataset and name both datasets', () => {
    const sub = path.join(a.root, 'sub-b.csv');
    const s = cli(['submit', '--run', run, '--db', b.dbFile, '--out', sub]);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain(`trained on ${path.basename(a.root)}`);
    expect(s.stderr).toContain(`not on the open dataset ${path.basename(b.root)}`);
    expect(fs.existsSync(sub)).toBe(false);
    const ok = cli([
      'submit',
      '--run',
      run,
      '--db',
      b.dbFile,
      '--out',
      sub,
      '--allow-other-dataset',
      '--json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const source = ok.json().source as { dataset: { id: string }; label: string };
    expect(source.dataset.id).toBe(datasetId(b.dbFile));
    expect(source.label).toContain('test predictions of run r1');
  });

  it('an incomplete run predicts only with --allow-incomplete', () => {
    updateRunInfo(run, { status: 'cancelled' });
    const out = path.join(a.root, 'p.csv');
    const p = cli(['predict', '--run', run, '--split', 'val', '--out', out]);
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/run r1 is cancelled, not completed: its weights would be best/);
    const ok = cli(['predict', '--run', run, '--split', 'val', '--out', out, '--allow-incomplete']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /prediction set: val predictions of run r1 \(best \(epoch 1\), run cancelled\)/,
    );
  });
});
