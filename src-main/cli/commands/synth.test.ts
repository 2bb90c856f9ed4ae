// `platelab synth` option parsing: --experiments TRAIN[,TEST] and the CLI run of a reduced hard
// preset (the experiments and image size reach the generator; a bad value exits 1 naming it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { PlateLabError } from '../../core/errors';
import { platelab } from '../../../test-support/cli/run-cli';
import { parseExperiments } from './synth';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-cli-synth-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('platelab synth --experiments', () => {
  it('parses TRAIN and TRAIN,TEST and rejects anything else as input errors', () => {
    expect(parseExperiments('4')).toEqual({ train: 4 });
    expect(parseExperiments('1,0')).toEqual({ train: 1, test: 0 });
    for (const bad of ['', 'x', '1,', '-1', '1,2,3', '1.5'])
      expect(() => parseExperiments(bad), bad).toThrow(PlateLabError);
  });

  it('writes a reduced hard preset at the asked size', async () => {
    const out = path.join(work, 'hard');
    const r = await platelab(
      'synth',
      '--preset',
      'hard',
      '--out',
      out,
      '--experiments',
      '1,0',
      '--image-size',
      '32',
      '--json',
    );
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(s).toMatchObject({ preset: 'hard', experiments: 1, plates: 4, wells: 52 });
    const meta = await sharp(path.join(out, 'train/HUVEC-01/Plate1/B02_s1_w1.png')).metadata();
    expect([meta.width, meta.height]).toEqual([32, 32]);
    const bad = await platelab('synth', '--preset', 'hard', '--out', out, '--experiments', 'two');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--experiments "two"');
  });
});
