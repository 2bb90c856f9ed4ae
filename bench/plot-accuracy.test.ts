// Tests the accuracy-curve plot: JSON validation errors, the SVG's derived labels and escaping,
// and a real PNG render through sharp written atomically.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildAccuracySvg,
  parseAccuracyReport,
  plotAccuracy,
  saveAccuracyReport,
} from './plot-accuracy';

const curve = (n: number) =>
  Array.from({ length: n }, (_, e) => ({
    epoch: e,
    loss: 3 - e * 0.2,
    accuracy: e / n,
    valLoss: 3.5 - e * 0.3,
    valAccuracy: (e + 1) / (n + 1),
    lr: 0.05,
    seconds: 10,
  }));

const report = (over: Record<string, unknown> = {}) => ({
  preset: 'demo',
  mode: 'full',
  backend: 'wasm',
  backendDetail: 'wasm SIMD, 3 threads, PlateLab kernels: A<B',
  cpus: 4,
  config: { arch: 'resnet-mini' },
  random: {
    split: { strategy: 'random', valFraction: 0.1 },
    trainSeconds: 123.4,
    imagesPerSecond: 55.5,
    valWells: 17,
    wellAccuracy: 0.875,
    wellAccuracyAssigned: 1,
    curve: curve(7),
  },
  experiment: {
    split: { strategy: 'experiment', valFraction: 0.25 },
    trainSeconds: 99,
    imagesPerSecond: null,
    valWells: 128,
    wellAccuracy: 0.5,
    wellAccuracyAssigned: null,
    curve: curve(7),
  },
  ...over,
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('parseAccuracyReport', () => {
  it('names the file when the curves are missing', () => {
    const text = JSON.stringify(report({ experiment: { curve: [] } }));
    expect(() => parseAccuracyReport(text, 'x/acc.json')).toThrow(
      /x\/acc\.json: experiment\.curve is missing or empty/,
    );
    expect(() => parseAccuracyReport('{"random": 1}', 'r.json')).toThrow(/r\.json: random/);
    expect(() => parseAccuracyReport('not json', 'bad.json')).toThrow(
      /bad\.json is not valid JSON/,
    );
  });

  it('skips npm banner lines and accepts a null experiment run', () => {
    const text = `\n> platelab bench\n> run\n\n${JSON.stringify(report({ experiment: null }))}`;
    const r = parseAccuracyReport(text, 'a.json');
    expect(r.runs).toHaveLength(1);
    expect(r.runs[0]!.curve).toHaveLength(7);
  });
});

describe('buildAccuracySvg', () => {
  it('derives titles and labels from the data and escapes text', () => {
    const svg = buildAccuracySvg(parseAccuracyReport(JSON.stringify(report()), 'a.json'));
    expect(svg).toContain('(resnet-mini, wasm, 3 threads, 4-core machine): per-epoch curves');
    expect(svg).toContain('Random 90/10 split (17 val wells)');
    // demo has 16 train experiments; split.ts holds out round(16 × 0.25) of them.
    expect(svg).toContain('4 whole experiments held out (128 val wells)');
    expect(svg).toContain('well acc 87.5%, after assignment 100%, 123 s (56 img/s)');
    expect(svg).toContain('well acc 50%, after assignment n/a, 99 s');
    // 4 series per panel plus the 2 axis frames.
    expect(svg.match(/<path /g)).toHaveLength(10);
    const arch = buildAccuracySvg(
      parseAccuracyReport(JSON.stringify(report({ config: { arch: 'a<b&c' } })), 'a.json'),
    );
    expect(arch).toContain('a&#60;b&#38;c');
    expect(arch).not.toContain('a<b');
  });
});

describe('buildAccuracySvg with runs per normalisation', () => {
  it('titles panels by normalisation, widens the figure and adds the baselines line', () => {
    const run = (normalization: string, wellAccuracy: number) => ({
      ...report().experiment,
      normalization,
      wellAccuracy,
      wellAccuracyAssigned: wellAccuracy + 0.1,
    });
    const r = parseAccuracyReport(
      JSON.stringify(
        report({
          preset: 'hard',
          random: null,
          runs: [
            run('per-image', 0.25),
            run('per-plate-controls', 0.625),
            run('per-experiment', 0.5),
          ],
          baselines: {
            sameSplit: {
              testWells: 128,
              meanIntensity: { raw: 0.04, perExperiment: 0.26, controls: 0.29 },
              shape: { raw: 0.21, perExperiment: 0.42, controls: 0.33 },
            },
          },
        }),
      ),
      'h.json',
    );
    expect(r.runs.map((x) => x.normalization)).toEqual([
      'per-image',
      'per-plate-controls',
      'per-experiment',
    ]);
    const svg = buildAccuracySvg(r);
    expect(svg).toContain('width="1350" height="404"');
    expect(svg).toContain('per-epoch curves; 4 whole experiments held out</text>');
    expect(svg).toContain('normalisation: per-plate-controls (128 val wells)');
    expect(svg).toContain('well acc 62.5%, after assignment 72.5%');
    expect(svg).toContain('per-channel means 4% / 26% / 29%; shape features 21% / 42% / 33%');
    // 4 series per panel plus the 3 axis frames.
    expect(svg.match(/<path /g)).toHaveLength(15);
  });

  it('names a bad run in the runs list by its index', () => {
    const text = JSON.stringify(report({ runs: [report().random, { curve: [] }] }));
    expect(() => parseAccuracyReport(text, 'h.json')).toThrow(/h\.json: runs\[1\]\.curve/);
  });
});

describe('plotAccuracy', () => {
  it('renders a 2× PNG atomically and reports a missing input by name', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-plot-acc-'));
    dirs.push(dir);
    const inFile = path.join(dir, 'acc.json');
    fs.writeFileSync(inFile, JSON.stringify(report()));
    const outFile = path.join(dir, 'out', 'acc.png');
    await plotAccuracy(inFile, outFile);
    const meta = await sharp(outFile).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 1800, 760]);
    expect(fs.readdirSync(path.dirname(outFile))).toEqual(['acc.png']);
    const missing = path.join(dir, 'nope.json');
    await expect(plotAccuracy(missing, outFile)).rejects.toThrow(missing);
  });
});

describe('saveAccuracyReport', () => {
  it('writes the JSON and redraws its PNG next to it, and refuses a report without curves', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-save-acc-'));
    dirs.push(dir);
    const stem = path.join(dir, 'bench', 'accuracy-hard');
    await saveAccuracyReport(report({ preset: 'hard' }), stem);
    expect(fs.readdirSync(path.dirname(stem)).sort()).toEqual([
      'accuracy-hard.json',
      'accuracy-hard.png',
    ]);
    const saved = JSON.parse(fs.readFileSync(`${stem}.json`, 'utf8')) as { preset: string };
    expect(saved.preset).toBe('hard');
    expect((await sharp(`${stem}.png`).metadata()).format).toBe('png');
    const bad = path.join(dir, 'bad');
    await expect(saveAccuracyReport({ preset: 'hard' }, bad)).rejects.toThrow(`${bad}.json`);
    expect(fs.existsSync(`${bad}.png`)).toBe(false);
  });
});
