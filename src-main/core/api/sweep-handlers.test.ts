// The sweep calls through the real handler table on the tiny demo dataset: plan (count, folds, the
// Slurm script, nothing written), a local 2-fold sweep trained by real child processes as one job,
// its status with the CV mean ± sd, an ensemble of the sweep read back like any prediction set, and
// Slurm submission (on a real one-node Slurm where there is one, else the clear refusal).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallInput } from '../../../src-shared/contract';
import { tinyTrainConfig } from '../../../test-support/learn/tiny-config';
import { makeTestApp, ok, type TestApp } from '../../../test-support/app/test-app';
import { readRunMetrics } from '../learn/runs/list-runs';
import { planSweep } from '../learn/sweep/plan';
import { createSweepFolder, writeSweep } from '../learn/sweep/sweep-folder';
import { invoke } from './dispatch';

let app: TestApp;

beforeAll(async () => {
  app = await makeTestApp();
});
afterAll(async () => app?.cleanup());

const slurm = { partition: 'gpu', account: 'lab', time: '0:30:00', gpus: 1, cpus: 4, mem: null };

describe('sweep calls', () => {
  it('plans grid × folds without writing anything, and shows the Slurm script', async () => {
    const h = app.handlers;
    const base = tinyTrainConfig({ epochs: 1 });
    const sweeps = path.join(app.ctx.layout.root, 'sweeps');
    const p = ok(
      await invoke(h, 'sweeps.plan', {
        base,
        grid: [{ key: 'dropout', values: ['0', '0.2'] }],
        seeds: 1,
        folds: 2,
        name: 'plan-only',
        slurm,
      }),
    );
    expect(p.count).toBe(4);
    expect(p.runs.map((r) => r.settings.dropout)).toEqual(['0', '0', '0.2', '0.2']);
    // The two folds of a grid point hold out different experiments, together all training ones.
    const [f0, f1] = [p.runs[0]!.valExperiments!, p.runs[1]!.valExperiments!];
    expect(f0.filter((e) => f1.includes(e))).toEqual([]);
    expect(f0.length + f1.length).toBeGreaterThanOrEqual(2);
    expect(p.script).toContain('#SBATCH --partition=gpu');
    expect(p.script).toContain('#SBATCH --gres=gpu:1');
    expect(p.script).toContain(`  3) RUN=`);
    expect(fs.existsSync(sweeps) && fs.readdirSync(sweeps).length).toBeFalsy();
    // A setting the grid may not sweep, and a bad value, are refused with the reason.
    const bad = await invoke(h, 'sweeps.plan', {
      base,
      grid: [{ key: 'seed', values: ['1', '2'] }],
      seeds: 1,
      folds: null,
    });
    expect(!bad.ok && bad.error.message).toMatch(/--seeds/);
    const badValue = await invoke(h, 'sweeps.plan', {
      base,
      grid: [{ key: 'dropout', values: ['0', '7'] }],
      seeds: 1,
      folds: null,
    });
    expect(badValue.ok).toBe(false);
  });

  it('trains a local 2-fold sweep as one job, reports it with CV mean ± sd, and ensembles it', async () => {
    const h = app.handlers;
    const base = tinyTrainConfig({ epochs: 1 });
    const input: CallInput<'sweeps.submit'> = {
      ...{ base, grid: [], seeds: 1, folds: 2 },
      ...{ name: 'cv', scheduler: 'local' },
    };
    const s = ok(await invoke(h, 'sweeps.submit', input));
    expect(s.runs).toBe(2);
    expect(s.jobId).not.toBeNull();
    // One training at a time: a second local sweep is refused while this one trains.
    const again = await invoke(h, 'sweeps.submit', { ...input, name: 'cv2' });
    expect(!again.ok && again.error.code).toBe('CONFLICT');
    const job = await app.ctx.jobs.wait(s.jobId!);
    expect(job.status, JSON.stringify(job.error)).toBe('done');

    const st = ok(await invoke(h, 'sweeps.status', { name: 'cv' }));
    expect(st.runs.map((r) => r.state)).toEqual(['done', 'done']);
    expect(st.scheduler).toBe('local');
    expect(st.error).toBeNull();
    // The CV summary is the folds' last-epoch validation accuracies, read here from metrics.jsonl.
    const accs = st.runs.map((r) => readRunMetrics(r.runDir).epochs.at(-1)!.valAccuracy!);
    const mean = (accs[0]! + accs[1]!) / 2;
    expect(st.crossValidation).toHaveLength(1);
    expect(st.crossValidation[0]!.mean).toBeCloseTo(mean, 10);
    expect(st.crossValidation[0]!.sd).toBeCloseTo(Math.abs(accs[0]! - accs[1]!) / Math.SQRT2, 10);
    expect(ok(await invoke(h, 'sweeps.list', {})).map((x) => x.name)).toEqual(['cv']);

    const e = ok(
      await invoke(h, 'predict.ensemble', {
        sweep: 'cv',
        split: 'test',
        tta: false,
        assign: false,
      }),
    );
    const ej = await app.ctx.jobs.wait(e.jobId);
    expect(ej.status, JSON.stringify(ej.error)).toBe('done');
    // The ensemble is a run folder the Predictions screen reads like any other.
    const sum = ok(await invoke(h, 'predictions.summary', { runId: e.runId, split: 'test' }));
    expect(sum!.source.runId).toBe(e.runId);
    expect(sum!.wells).toBeGreaterThan(0);
    expect(ok(await invoke(h, 'runs.list', {})).map((r) => r.runId)).toContain(e.runId);
    // One run is not an ensemble.
    const one = await invoke(h, 'predict.ensemble', {
      runIds: [e.runId],
      split: 'test',
      tta: false,
      assign: false,
    });
    expect(!one.ok && one.error.message).toMatch(/at least 2/);
  }, 240_000);

  it('submits to Slurm where there is one, else refuses clearly; remembers the fields', async () => {
    const h = app.handlers;
    const r = await invoke(h, 'sweeps.submit', {
      base: tinyTrainConfig({ epochs: 1 }),
      grid: [],
      seeds: 2,
      folds: null,
      name: 'on-slurm',
      scheduler: 'slurm',
      slurm,
    });
    expect(ok(await invoke(h, 'sweeps.clusterDefaults', {}))).toEqual(slurm);
    // A working Slurm (scripts/slurm-local.sh) takes it; without one sbatch is missing or refuses.
    if (r.ok) {
      expect(r.data.slurmJobId).toMatch(/^\d+$/);
      ok(await invoke(h, 'sweeps.cancel', { name: 'on-slurm' }));
    } else {
      expect(!r.ok && r.error.message).toMatch(/sbatch/);
      // Nothing trained there: the folder is gone, so the name can be used again.
      expect(fs.existsSync(path.join(app.ctx.layout.root, 'sweeps', 'on-slurm'))).toBe(false);
    }
  });

  it('cancels a local sweep mid-run: the job ends cancelled and so does its running run', async () => {
    const h = app.handlers;
    const s = ok(
      await invoke(h, 'sweeps.submit', {
        base: tinyTrainConfig({ epochs: 300 }),
        grid: [{ key: 'dropout', values: ['0', '0.1'] }],
        ...{ seeds: 1, folds: null, name: 'stop', scheduler: 'local' },
      }),
    );
    const running = () => app.ctx.jobs.list().find((j) => j.id === s.jobId);
    await expect.poll(() => running()?.progress ?? 0, { timeout: 60_000 }).toBeGreaterThan(0);
    const live = ok(await invoke(h, 'sweeps.status', { name: 'stop' }));
    expect(live.jobId).toBe(s.jobId);
    // The second run waits its turn in the live pass: queued, not lost.
    expect(live.runs[1]!.state).toBe('queued');
    expect(ok(await invoke(h, 'sweeps.cancel', { name: 'stop' })).cancelled).toEqual([s.jobId]);
    const job = await app.ctx.jobs.wait(s.jobId!);
    expect(job.status).toBe('cancelled');
    const st = ok(await invoke(h, 'sweeps.status', { name: 'stop' }));
    expect(st.runs[0]!.state).toBe('cancelled');
    expect(st.runs[0]!.epochsDone).toBeLessThan(300);
    // The run the cancelled pass never started says so (it was shown as lost before).
    expect(st.runs[1]!.state).toBe('cancelled');
    expect(st.jobId).toBeNull();
  }, 120_000);

  it("says 'unknown' with the reason when Slurm cannot be asked, never a guessed state", async () => {
    const h = app.handlers;
    const dir = path.join(app.ctx.layout.root, 'sweeps', 'asked');
    const runs = planSweep({ base: tinyTrainConfig(), grid: [], seeds: 2, folds: null });
    const head = { name: 'asked', dbFile: app.ctx.dataset!.dbFile, grid: [], seeds: 2 };
    const m = createSweepFolder(dir, { ...head, folds: null, slurm }, runs);
    const submittedAt = new Date().toISOString();
    writeSweep(dir, {
      ...m,
      submissions: [{ scheduler: 'slurm', jobId: '999999', tasks: [0, 1], submittedAt }],
    });
    const st = ok(await invoke(h, 'sweeps.status', { name: 'asked' }));
    if (st.error !== null) {
      expect(st.runs.map((r) => r.state)).toEqual(['unknown', 'unknown']);
      expect(st.runs[0]!.detail).toContain(st.error);
    } else {
      // A Slurm that no longer knows job 999999 and no run.json: lost, as the core says.
      expect(st.runs.map((r) => r.state)).toEqual(['lost', 'lost']);
    }
  });
});
