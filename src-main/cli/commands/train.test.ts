// The learning commands through the real CLI (bin/platelab.js): train → evaluate → predict → submit
// on a tiny dataset, --json summaries as the last line, and exit code 1 for bad input.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyDataset, type TinyDataset } from '../../../test-support/learn/tiny-dataset';
import { tinyTrainConfig } from '../../../test-support/learn/tiny-config';
import { platelabIn } from '../../../test-support/cli/run-cli';

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

let ds: TinyDataset;
beforeAll(async () => {
  ds = await makeTinyDataset({ classes: 4, plates: 2, testExperiments: ['U2OS-01'] });
});
afterAll(() => ds.cleanup());

describe('platelab train/evaluate/predict/submit', () => {
  it('runs the whole flow with --json', () => {
    const cfg = path.join(ds.root, 'cfg.json');
    fs.writeFileSync(cfg, JSON.stringify(tinyTrainConfig({ epochs: 2 })));
    const run = path.join(ds.root, 'run');
    const t = cli([
      'train',
      '--db',
      ds.dbFile,
      '--out',
      run,
      '--config',
      cfg,
      '--set',
      'epochs=1',
      '--json',
    ]);
    expect(t.code, t.stderr).toBe(0);
    const tj = t.json();
    expect(tj.epochs).toBe(1);
    expect(typeof tj.backend).toBe('string');
    expect(tj).toHaveProperty('bestValAccuracy');
    expect(tj.imagesPerSecond as number).toBeGreaterThan(0);

    const e = cli(['evaluate', '--run', run, '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.json().wells).toBeGreaterThan(0);

    const out = path.join(ds.root, 'test-preds.csv');
    const p = cli(['predict', '--run', run, '--split', 'test', '--assign', '--out', out, '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.json().wells).toBe(ds.testTruth.size);
    expect(fs.readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(ds.testTruth.size + 1);

    const sub = path.join(ds.root, 'submission.csv');
    const s = cli(['submit', '--run', run, '--out', sub, '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.json().rows).toBe(ds.testTruth.size);
  });

  it('trains from a working folder outside the repository (the child finds tsx itself)', async () => {
    // A folder with no node_modules above it: `--import tsx` resolved from the cwd fails here.
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-cwd-'));
    try {
      const cfg = path.join(elsewhere, 'cfg.json');
      fs.writeFileSync(cfg, JSON.stringify(tinyTrainConfig({ epochs: 1 })));
      const t = await platelabIn(
        elsewhere,
        'train',
        '--db',
        ds.dbFile,
        '--out',
        'run',
        '--config',
        cfg,
        '--json',
      );
      expect(t.code, t.stderr).toBe(0);
      const lines = t.stdout.trim().split('\n');
      expect((JSON.parse(lines[lines.length - 1]!) as { epochs: number }).epochs).toBe(1);
      // `--out run` is relative to the working folder, and the run really was written there.
      expect(fs.existsSync(path.join(elsewhere, 'run', 'run.json'))).toBe(true);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 120_000);

  it('exits 1 naming the problem on bad input', () => {
    const a = cli([
      'train',
      '--db',
      path.join(ds.root, 'missing.sqlite'),
      '--out',
      path.join(ds.root, 'x'),
    ]);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/missing\.sqlite/);
    const b = cli([
      'train',
      '--db',
      ds.dbFile,
      '--out',
      path.join(ds.root, 'y'),
      '--set',
      'nosuchkey=3',
    ]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/unknown config key "nosuchkey"/);
    const c = cli([
      'predict',
      '--run',
      path.join(ds.root, 'nope'),
      '--split',
      'val',
      '--out',
      'x.csv',
    ]);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/not a run folder/);
  });
});
