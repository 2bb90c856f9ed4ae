// Inference weights are read with errors that say what is wrong: no checkpoint yet (not found), a
// truncated weights.bin or a missing index (input error naming the run and the file).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PlateLabError } from '../../errors';
import { loadInferenceWeights, saveBestWeights } from './checkpoint';

const dirs: string[] = [];
function runDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-ckpt-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    return err instanceof PlateLabError ? `${err.code}: ${err.message}` : `other: ${String(err)}`;
  }
  return 'no error';
};

describe('loadInferenceWeights', () => {
  it('reads the best weights back exactly', () => {
    const dir = runDir();
    const weights = [
      { shape: [2, 2], values: new Float32Array([1, 2, 3, 4]) },
      { shape: [3], values: new Float32Array([0.5, -1, 7]) },
    ];
    saveBestWeights(dir, weights, { epoch: 1, valAccuracy: 0.5 });
    const got = loadInferenceWeights(dir);
    expect(got.source).toBe(path.join(dir, 'best'));
    expect(got.weights.map((w) => [w.shape, [...w.values]])).toEqual(
      weights.map((w) => [w.shape, [...w.values]]),
    );
  });

  it('says a run without a checkpoint has none yet', () => {
    expect(code(() => loadInferenceWeights(runDir()))).toMatch(/^NOT_FOUND: .*no checkpoint yet/);
  });

  it('refuses a truncated weights file, naming the run and the file', () => {
    const dir = runDir();
    saveBestWeights(dir, [{ shape: [4], values: new Float32Array([1, 2, 3, 4]) }], {
      epoch: 1,
      valAccuracy: 0.5,
    });
    const bin = path.join(dir, 'best', 'weights.bin');
    fs.truncateSync(bin, 8);
    expect(code(() => loadInferenceWeights(dir))).toMatch(
      /^INVALID_INPUT: .*cannot read the model weights: .*weights\.bin: 8 bytes, but its index .* 4 float32 values/,
    );
  });
});
