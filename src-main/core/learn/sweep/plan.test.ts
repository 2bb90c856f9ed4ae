// Sweep plans (grid × seeds × folds, settings validated by the contract's schema, folds balanced by
// cell type), Slurm's state outputs parsed and mapped onto run states, and ensemble averaging.
import { describe, expect, it } from 'vitest';
import { averageProbabilities, checkSameValidationWells, memberWeights } from '../predict/ensemble';
import { tinyTrainConfig } from '../../../../test-support/learn/tiny-config';
import { assignFolds, parseFolds, parseGridAxis, planSweep } from './plan';
import { arraySpec, parseSacct, parseScontrol, parseSqueueJson, parseTaskList } from './slurm';
import {
  crossValidationSummary,
  stateFromRun,
  stateFromSlurm,
  type SweepRunState,
  type SweepRunStatus,
} from './status';

const exps = [
  ...['HUVEC-01', 'HUVEC-02', 'HUVEC-03', 'HUVEC-04'].map((name) => ({ name, cellType: 'HUVEC' })),
  ...['RPE-01', 'RPE-02'].map((name) => ({ name, cellType: 'RPE' })),
  ...['U2OS-01', 'U2OS-02'].map((name) => ({ name, cellType: 'U2OS' })),
];

describe('planSweep', () => {
  it('makes grid points × seeds × folds with the settings applied', () => {
    const runs = planSweep(
      {
        base: tinyTrainConfig({ seed: 10 }),
        grid: [parseGridAxis('learningRate=0.01,0.03'), parseGridAxis('arch=resnet18,resnet34')],
        seeds: 2,
        folds: parseFolds('experiment:4'),
      },
      exps,
    );
    expect(runs).toHaveLength(2 * 2 * 2 * 4);
    expect(new Set(runs.map((r) => r.name)).size).toBe(runs.length);
    expect(runs.map((r) => r.index)).toEqual([...runs.keys()]);
    const r = runs.find(
      (x) =>
        x.settings.learningRate === '0.03' &&
        x.settings.arch === 'resnet34' &&
        x.seed === 11 &&
        x.fold === 2,
    )!;
    expect(r.config.learningRate).toBe(0.03);
    expect(r.config.arch).toBe('resnet34');
    expect(r.config.seed).toBe(11);
    expect(r.config.split.strategy).toBe('experiment');
    expect(r.config.split.valExperiments).toEqual(r.valExperiments);
    expect(r.name).toBe(
      `r${String(r.index).padStart(3, '0')}_learningRate-0.03_arch-resnet34_seed-11_fold-3`,
    );
  });

  it('rejects settings the contract schema rejects, naming the run', () => {
    const base = tinyTrainConfig();
    expect(() =>
      planSweep({ base, grid: [parseGridAxis('arch=resnet99')], seeds: 1, folds: null }),
    ).toThrow(/sweep run arch=resnet99.*arch/);
    expect(() =>
      planSweep({ base, grid: [parseGridAxis('learningRate=-1')], seeds: 1, folds: null }),
    ).toThrow(/learningRate/);
    expect(() =>
      planSweep({ base, grid: [parseGridAxis('nosuch=1,2')], seeds: 1, folds: null }),
    ).toThrow(/unknown config key "nosuch"/);
    expect(() => parseGridAxis('seed=1,2')).toThrow(/--seeds/);
    expect(() => parseGridAxis('epochs=1,1')).toThrow(/twice/);
    expect(() => parseFolds('plate:3')).toThrow(/experiment:K/);
    // Bracketed JSON values keep their commas.
    expect(parseGridAxis('lrDecayEpochs=[10,20],[5]').values).toEqual(['[10,20]', '[5]']);
  });

  it('balances folds by cell type and refuses more folds than experiments', () => {
    const folds = assignFolds(exps, 2);
    for (const f of folds) {
      expect(f.filter((e) => e.startsWith('HUVEC'))).toHaveLength(2);
      expect(f.filter((e) => e.startsWith('RPE'))).toHaveLength(1);
      expect(f.filter((e) => e.startsWith('U2OS'))).toHaveLength(1);
    }
    expect(folds.flat().sort()).toEqual(exps.map((e) => e.name).sort());
    const four = assignFolds(exps, 4);
    expect(four.map((f) => f.length)).toEqual([2, 2, 2, 2]);
    expect(() => assignFolds(exps.slice(0, 3), 4)).toThrow(
      /3 training experiment\(s\), fewer than 4/,
    );
  });
});

describe('Slurm state', () => {
  it('parses squeue --json, scontrol and sacct task lists', () => {
    expect(parseTaskList('0-3,7%2')).toEqual([0, 1, 2, 3, 7]);
    expect(parseTaskList('[4-6]')).toEqual([4, 5, 6]);
    expect(arraySpec([5, 0, 1, 2, 7])).toBe('0-2,5,7');
    const squeue = JSON.stringify({
      jobs: [
        {
          job_id: 12,
          array_job_id: 12,
          array_task_id: null,
          array_task_string: '2-3',
          job_state: 'PENDING',
          state_reason: 'Resources',
        },
        {
          job_id: 13,
          array_job_id: 12,
          array_task_id: 0,
          job_state: 'RUNNING',
          state_reason: 'None',
        },
        {
          job_id: 14,
          array_job_id: { number: 12, set: true },
          array_task_id: { number: 1, set: true },
          job_state: ['CANCELLED'],
        },
        { job_id: 99, array_job_id: 98, array_task_id: 0, job_state: 'RUNNING' },
      ],
    });
    const s = parseSqueueJson(squeue, new Set(['12']));
    expect(s.map((x) => [x.task, x.state, x.reason])).toEqual([
      [2, 'PENDING', 'Resources'],
      [3, 'PENDING', 'Resources'],
      [0, 'RUNNING', null],
      [1, 'CANCELLED', null],
    ]);
    const sc = parseScontrol(
      'JobId=1 ArrayJobId=1 ArrayTaskId=1 JobName=t.sh JobState=CANCELLED Reason=None ExitCode=0:15\n' +
        'JobId=3 ArrayJobId=1 ArrayTaskId=2-4 JobState=PENDING Reason=Priority\n',
      new Set(['1']),
    );
    expect(sc.map((x) => `${x.task}:${x.state}`).join(' ')).toBe(
      '1:CANCELLED 2:PENDING 3:PENDING 4:PENDING',
    );
    const sa = parseSacct(
      '7_0|COMPLETED\n7_1|CANCELLED by 0\n7_[2-3]|PENDING\n8_0|FAILED\n',
      new Set(['7']),
    );
    expect(sa.map((x) => `${x.task}:${x.state}`).join(' ')).toBe(
      '0:COMPLETED 1:CANCELLED 2:PENDING 3:PENDING',
    );
  });

  it("maps Slurm's states onto run states, with run.json deciding done", () => {
    const t = (state: string) => ({
      jobId: '1',
      task: 0,
      state,
      reason: null,
      source: 'squeue' as const,
    });
    const info = (status: 'done' | 'running') => ({ status, error: null }) as never;
    expect(stateFromSlurm(t('PENDING'), null).state).toBe('queued');
    expect(stateFromSlurm(t('RUNNING'), info('running')).state).toBe('running');
    expect(stateFromSlurm(t('COMPLETED'), info('done')).state).toBe('done');
    expect(stateFromSlurm(t('COMPLETED'), info('running')).state).toBe('failed');
    expect(stateFromSlurm(t('CANCELLED'), info('running')).state).toBe('cancelled');
    expect(stateFromSlurm(t('PREEMPTED'), info('running')).state).toBe('preempted');
    expect(stateFromSlurm(t('TIMEOUT'), info('running')).state).toBe('timeout');
    expect(stateFromSlurm(t('NODE_FAIL'), info('running')).state).toBe('lost');
    expect(stateFromSlurm(t('OUT_OF_MEMORY'), info('running')).state).toBe('failed');
  });

  it('summarises cross-validation as per-fold accuracy, mean and sample sd', () => {
    const run = (fold: number, acc: number | null, state: SweepRunState = 'done'): SweepRunStatus =>
      ({
        index: fold,
        runDir: `/runs/f${fold}`,
        detail: '',
        slurmTask: null,
        epochsDone: 1,
        epochs: 1,
        bestValAccuracy: acc,
        fold,
        settings: { arch: 'resnet18' },
        seed: 1,
        name: `f${fold}`,
        state,
        lastValAccuracy: acc,
      }) satisfies SweepRunStatus;
    const [g] = crossValidationSummary([run(1, 0.5), run(0, 0.7), run(2, 0.6)]);
    expect(g!.label).toBe('arch=resnet18 seed=1');
    expect(g!.folds.map((f) => f.accuracy)).toEqual([0.7, 0.5, 0.6]);
    expect(g!.mean).toBeCloseTo(0.6, 12);
    expect(g!.sd).toBeCloseTo(0.1, 12);
    expect(crossValidationSummary([run(0, 0.5), run(1, 0.4, 'running')])[0]!.mean).toBeNull();
  });
});

describe('ensemble averaging', () => {
  const set = (runId: string, ids: string[], probs: number[]) => ({
    runId,
    labels: ['a', 'b'],
    wells: ids.map((idCode) => ({ idCode })) as never,
    probs: Float32Array.from(probs),
  });
  it('averages by id_code with the given weights', () => {
    const w = memberWeights(
      [
        { runId: 'A', valAccuracy: 0.6 },
        { runId: 'B', valAccuracy: 0.2 },
      ],
      'val-accuracy',
    );
    expect(w[0]).toBeCloseTo(0.75, 12);
    const p = averageProbabilities(
      [set('A', ['x', 'y'], [1, 0, 0.2, 0.8]), set('B', ['y', 'x'], [0.6, 0.4, 0, 1])],
      w,
    );
    expect([...p].map((v) => Number(v.toFixed(4)))).toEqual([0.75, 0.25, 0.3, 0.7]);
  });
  it('refuses members with other wells or without validation accuracy', () => {
    expect(() =>
      averageProbabilities([set('A', ['x'], [1, 0]), set('B', ['z'], [1, 0])], [0.5, 0.5]),
    ).toThrow(/different wells/);
    expect(() => memberWeights([{ runId: 'A', valAccuracy: null }], 'val-accuracy')).toThrow(
      /A have no/,
    );
  });
});

describe('ensembling on the validation split', () => {
  it('refuses members that hold out different validation wells (folds), before predicting', () => {
    expect(() =>
      checkSameValidationWells([
        { runId: 'fold0', val: ['HUVEC-01_1_B02', 'HUVEC-01_1_C03'] },
        { runId: 'fold1', val: ['RPE-01_1_B02', 'RPE-01_1_C03'] },
      ]),
    ).toThrow(/fold0 and fold1 hold out different validation wells/);
    // Same wells in another order (seeds of one split) are fine; a subset is not.
    expect(() =>
      checkSameValidationWells([
        { runId: 'seed1', val: ['a_1_B02', 'a_1_C03'] },
        { runId: 'seed2', val: ['a_1_C03', 'a_1_B02'] },
      ]),
    ).not.toThrow();
    expect(() =>
      checkSameValidationWells([
        { runId: 'seed1', val: ['a_1_B02', 'a_1_C03'] },
        { runId: 'seed2', val: ['a_1_C03'] },
      ]),
    ).toThrow(/different validation wells/);
  });
});

describe('a local pass', () => {
  const sub = (pid?: number) => ({
    scheduler: 'local' as const,
    jobId: null,
    tasks: [0, 1],
    submittedAt: '2026-11-30T00:00:00.000Z',
    ...(pid === undefined ? {} : { pid }),
  });

  it('shows a run that has not started as queued while its pass lives, lost once it is gone', () => {
    expect(stateFromRun(null, undefined).state).toBe('planned');
    expect(stateFromRun(null, sub(process.pid))).toEqual({
      state: 'queued',
      detail: `waiting its turn in the local pass (pid ${process.pid})`,
    });
    // A pid no process has (above Linux's pid_max) and a pass recorded without one.
    expect(stateFromRun(null, sub(2 ** 22 + 1)).state).toBe('lost');
    expect(stateFromRun(null, sub()).state).toBe('lost');
    // An ended pass: its never-started runs are not waiting any more, whatever the pid.
    const ended = (outcome: 'done' | 'cancelled' | 'failed') => ({
      ...sub(process.pid),
      endedAt: '2026-11-30T00:01:00.000Z',
      outcome,
    });
    expect(stateFromRun(null, ended('cancelled')).state).toBe('cancelled');
    expect(stateFromRun(null, ended('failed')).state).toBe('cancelled');
    expect(stateFromRun(null, ended('done')).state).toBe('lost');
  });
});
