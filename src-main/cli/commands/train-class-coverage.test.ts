// `platelab train --min-class-experiments` through the real CLI: the flag is the config's setting
// (recorded in config.json), the start line and summary say what it left out, a bad value is an
// input error, and --resume refuses it (a resumed run keeps its recorded setting).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platelab } from '../../../test-support/cli/run-cli';
import { makeTinyDataset, type TinyDataset } from '../../../test-support/learn/tiny-dataset';
import { tinyTrainConfig } from '../../../test-support/learn/tiny-config';

let ds: TinyDataset;
beforeAll(async () => {
  // Class 3 is seen in 1 of the 3 training experiments, classes 0–2 in all of them.
  ds = await makeTinyDataset({
    classes: 4,
    trainExperiments: ['HUVEC-01', 'HUVEC-02', 'RPE-01'],
    plates: 1,
    size: 8,
    classExperiments: { 3: ['RPE-01'] },
  });
});
afterAll(() => ds.cleanup());

describe('platelab train --min-class-experiments', () => {
  it('trains on the classes seen in at least N experiments and says what it left out', async () => {
    const cfg = path.join(ds.root, 'cfg.json');
    fs.writeFileSync(cfg, JSON.stringify(tinyTrainConfig({ epochs: 1 })));
    const out = path.join(ds.root, 'run-2');
    const r = await platelab(
      'train',
      ...['--db', ds.dbFile, '--out', out, '--config', cfg, '--backend', 'cpu'],
      ...['--min-class-experiments', '2'],
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /3 classes \(left out 1 class seen in fewer than 2 training experiments \(1 well\)\)/,
    );
    expect(r.stdout).toMatch(/left out 1 class seen in fewer than 2 training experiments/);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as {
      minClassExperiments: unknown;
    };
    expect(config.minClassExperiments).toBe(2);
    const classes = JSON.parse(fs.readFileSync(path.join(out, 'classes.json'), 'utf8')) as {
      labels: string[];
      coverage: unknown;
    };
    expect(classes.labels).toEqual(['0', '1', '2']);
    expect(classes.coverage).toEqual({
      setting: 2,
      threshold: 2,
      mostExperiments: 3,
      leftOutClasses: 1,
      leftOutWells: 1,
    });

    const resume = await platelab(
      ...['train', '--db', ds.dbFile, '--out', out, '--resume'],
      ...['--min-class-experiments', 'auto'],
    );
    expect(resume.code).toBe(1);
    expect(resume.stderr).toMatch(/--resume continues with the run's own config\.json, class list/);
  }, 120_000);

  it('refuses a value that is neither auto nor a whole number ≥ 1', async () => {
    const r = await platelab(
      ...['train', '--db', ds.dbFile, '--out', path.join(ds.root, 'run-bad')],
      ...['--backend', 'cpu', '--min-class-experiments', '0'],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--min-class-experiments 0: expected 'auto' or a whole number/);
    expect(fs.existsSync(path.join(ds.root, 'run-bad'))).toBe(false);
  }, 60_000);
});
