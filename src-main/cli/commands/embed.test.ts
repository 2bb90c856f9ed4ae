// `platelab embed` through the real CLI on a tiny trained and predicted run: the CSV's columns and
// rows, the .npy (our reader and, where Python has NumPy, np.load) holding the stored embedding,
// the printed organisation numbers, UMAP with --json, and exit code 1 for bad input.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyDataset, type TinyDataset } from '../../../test-support/learn/tiny-dataset';
import { trainTinyRun } from '../../../test-support/learn/tiny-config';
import { platelabIn } from '../../../test-support/cli/run-cli';
import { predictRun } from '../../core/learn/predict/predict';
import { readNpyFloat32 } from '../../core/learn/embed/npy';

let ds: TinyDataset;
let run: string;
beforeAll(async () => {
  ds = await makeTinyDataset({ classes: 8, plates: 2, trainExperiments: ['HUVEC-01', 'RPE-01'] });
  run = path.join(ds.root, 'run');
  await trainTinyRun(ds.dbFile, run, {
    epochs: 1,
    split: { strategy: 'random', valFraction: 0.4, seed: 1 },
  });
  await predictRun({ runDir: run, split: 'val' });
}, 240_000);
afterAll(() => ds.cleanup());

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

describe('platelab embed', () => {
  it('writes the CSV and the .npy and prints the organisation numbers', async () => {
    const out = path.join(ds.root, 'emb.csv');
    const r = await platelabIn(ds.root, 'embed', '--run', run, '--split', 'val', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const set = JSON.parse(fs.readFileSync(path.join(run, 'predictions', 'val.json'), 'utf8')) as {
      wells: { idCode: string; truth: string }[];
      embedding: { dims: number };
    };
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id_code,experiment,cell_type,plate,well,well_type,sirna,predicted,x,y');
    expect(lines.length - 1).toBe(set.wells.length);
    const first = lines[1]!.split(',');
    expect(first[0]).toBe(set.wells[0]!.idCode);
    expect(first[6]).toBe(set.wells[0]!.truth);
    expect(Number.isFinite(Number(first[8])) && Number.isFinite(Number(first[9]))).toBe(true);

    const npy = path.join(ds.root, 'emb.npy');
    const { values, shape } = readNpyFloat32(new Uint8Array(fs.readFileSync(npy)), npy);
    expect(shape).toEqual([set.wells.length, set.embedding.dims]);
    const stored = new Float32Array(
      new Uint8Array(fs.readFileSync(path.join(run, 'predictions', 'val-embed.f32'))).buffer,
    );
    expect(Array.from(values)).toEqual(Array.from(stored));
    if (hasNumpy) {
      const py = spawnSync(
        'python3',
        [
          '-c',
          `import numpy as n; a=n.load(${JSON.stringify(npy)}); print(a.dtype, a.shape, repr(float(a.astype('float64').sum())))`,
        ],
        { encoding: 'utf8' },
      );
      const [dtype, rows, cols, sum] = py.stdout.trim().replace(/[(),]/g, ' ').split(/\s+/);
      expect([dtype, Number(rows), Number(cols)]).toEqual([
        'float32',
        set.wells.length,
        set.embedding.dims,
      ]);
      expect(Number(sum)).toBeCloseTo(
        stored.reduce((a, b) => a + b, 0),
        6,
      );
    }
    expect(r.stdout).toMatch(/grouping\s+same in 10-NN\s+chance/);
    expect(r.stdout).toMatch(/^experiment\s+\d\.\d{3}\s+\d\.\d{3}/m);
    expect(r.stdout).toMatch(/nearest neighbours/);
  });

  it('projects with UMAP and prints a JSON summary', async () => {
    const out = path.join(ds.root, 'umap.csv');
    const r = await platelabIn(
      ds.root,
      ...['embed', '--run', run, '--split', 'val', '--projection', 'umap', '--out', out, '--json'],
    );
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      projection: string;
      wells: number;
      organisation: { k: number; sameExperiment: number };
    };
    expect(j.projection).toBe('umap');
    expect(j.organisation.k).toBe(Math.min(10, j.wells - 1));
    expect(fs.existsSync(path.join(run, 'predictions', 'val-embed.umap.json'))).toBe(true);
  });

  it('exits 1 with a clear reason for bad input and for a set without embeddings', async () => {
    const bad = await platelabIn(ds.root, 'embed', '--run', run, '--split', 'train');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--split must be val or test/);
    const none = await platelabIn(ds.root, 'embed', '--run', run, '--split', 'test');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no test predictions/);
    const file = path.join(run, 'predictions', 'val.json');
    const original = fs.readFileSync(file, 'utf8');
    const old = JSON.parse(original) as Record<string, unknown>;
    delete old.embedding;
    fs.writeFileSync(file, JSON.stringify(old));
    try {
      const r = await platelabIn(ds.root, 'embed', '--run', run, '--split', 'val');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/predict val with run .* again to get embeddings/);
    } finally {
      fs.writeFileSync(file, original);
    }
  });
});
