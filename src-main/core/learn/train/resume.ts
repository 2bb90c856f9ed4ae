// Resume bookkeeping: the fresh training state of a new run, or the latest checkpoint's state with
// the model weights and optimiser slots restored, and the metrics log cut back to that checkpoint
// (steps after it are replayed identically, so their lines would otherwise appear twice).
import fs from 'node:fs';
import type { TrainConfig } from '../../../../src-shared/contract';
import { inputError } from '../../errors';
import type { LayersModel } from '../backend/tf';
import { runPath } from '../runs/run-folder';
import { parseMetricsLines } from '../runs/run-files';
import { latestCheckpoint, loadCheckpoint, type CheckpointState } from './checkpoint';
import type { Optimizer } from './optimizer';
import { setModelWeights } from './weights';

/** The state training starts from, and the global step it resumed at (null: from scratch). */
export interface StartState {
  state: CheckpointState;
  resumedFromStep: number | null;
}

/** Position 0 of a new run. */
export function freshState(
  config: TrainConfig,
  configSha: string,
  optimizer: Optimizer,
): CheckpointState {
  return {
    epoch: 0,
    stepInEpoch: 0,
    globalStep: 0,
    rng: { seed: config.seed, epoch: 0, stepInEpoch: 0 },
    bestValAccuracy: null,
    bestEpoch: null,
    configSha256: configSha,
    optimizer: { kind: optimizer.kind, step: 0 },
  };
}

/**
 * Restores the run's latest checkpoint into `model` and `optimizer` (a resume without one starts
 * from scratch). Errors (INVALID_INPUT, naming the checkpoint): made with another config.json,
 * holding another optimiser's state, or slots that do not fit the optimiser.
 */
export function restoreLatestCheckpoint(
  runDir: string,
  config: TrainConfig,
  configSha: string,
  model: LayersModel,
  optimizer: Optimizer,
): StartState {
  const ckptDir = latestCheckpoint(runDir);
  if (!ckptDir) return { state: freshState(config, configSha, optimizer), resumedFromStep: null };
  const ckpt = loadCheckpoint(ckptDir);
  if (ckpt.state.configSha256 !== configSha)
    throw inputError(`${ckptDir}: checkpoint was made with another config.json`);
  const saved = ckpt.state.optimizer ?? { kind: 'sgd', step: ckpt.state.globalStep };
  if (saved.kind !== optimizer.kind)
    throw inputError(
      `${ckptDir}: checkpoint holds ${saved.kind} optimiser state but config.json asks for ${config.optimizer}` +
        (ckpt.state.optimizer
          ? ''
          : ' (this run was made before Adam was implemented and trained with SGD)') +
        '; resume it with its own optimiser or start a new run',
      { checkpoint: saved.kind, config: config.optimizer },
    );
  setModelWeights(model, ckpt.weights, ckptDir);
  try {
    optimizer.setState({ step: saved.step, slots: ckpt.slots.map((s) => s.values) });
  } catch (err) {
    throw inputError(`${ckptDir}: ${(err as Error).message}`);
  }
  const state = { ...ckpt.state, optimizer: saved };
  return { state, resumedFromStep: state.globalStep };
}

/** Drops metrics lines written after `state` (and a torn last line from a kill -9). */
export function truncateMetrics(runDir: string, state: CheckpointState): void {
  const file = runPath(runDir, 'metrics');
  const lines = fs.existsSync(file) ? parseMetricsLines(fs.readFileSync(file, 'utf8'), file) : [];
  const kept = lines.filter((m) =>
    m.type === 'step' ? m.step <= state.globalStep : m.epoch < state.epoch,
  );
  fs.writeFileSync(file, kept.map((m) => `${JSON.stringify(m)}\n`).join(''));
}
