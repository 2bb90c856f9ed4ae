// Training defaults: the seed's recipe (84th-place RxRx1 solution) for accelerated backends, and a
// smaller recipe picked when training runs on the wasm/cpu backends of an ordinary CPU.
import fs from 'node:fs';
import { learningRateForSwitch, TrainConfig } from '../../../../src-shared/contract';
import { inputError } from '../../errors';

/** The seed recipe: SGD m=0.9, wd 5e-4, 5 warm-up epochs to 0.01, ÷10 at 15 and 25, BCE, D4, mixup. */
export function defaultTrainConfig(): TrainConfig {
  return {
    arch: 'resnet34',
    target: 'sirna',
    imageSize: 512,
    cropSize: 384,
    epochs: 30,
    batchSize: 32,
    optimizer: 'sgd',
    learningRate: 0.01,
    momentum: 0.9,
    weightDecay: 5e-4,
    warmupEpochs: 5,
    lrDecayEpochs: [15, 25],
    lrDecayFactor: 0.1,
    augment: { d4: true, intensityJitter: 0 },
    mixup: 0.2,
    labelSmoothing: 0.1,
    loss: 'bce',
    dropout: 0.5,
    cellTypeInput: false,
    normalization: 'per-image',
    split: { strategy: 'random', valFraction: 0.05, seed: 42 },
    includeControls: false,
    seed: 42,
    useReviewExclusions: true,
    minClassExperiments: 'auto',
  };
}

/**
 * The CPU recipe: a small net on small crops for few epochs, so a run ends in minutes on wasm.
 * Softmax CE instead of BCE because with few steps the per-class sigmoid loss learns too slowly.
 * Measured on the demo preset (bench/accuracy.ts --full, 2-core machine, wasm): 96% held-out well
 * accuracy on the random split in 588 s, 94% with 4 whole experiments held out, 100% after plate
 * assignment. (resnet-mini costs ~0.3 s CPU per 32-crop step at 64 px; ResNet-18 at 64 px 1.6 s,
 * too slow to see enough epochs in 10 minutes. Adam 2e-3 + cosine reached only ~60% in 300 s.)
 */
export function cpuTrainConfig(): TrainConfig {
  return {
    ...defaultTrainConfig(),
    arch: 'resnet-mini',
    // 96-px images keep enough texture (nucleoli, chromatin) for 64-px random crops.
    imageSize: 96,
    cropSize: 64,
    epochs: 20,
    // Small batches give more updates per epoch on a small dataset at the same cost.
    batchSize: 16,
    learningRate: 0.05,
    warmupEpochs: 1,
    lrDecayEpochs: [14, 18],
    mixup: 0,
    labelSmoothing: 0.05,
    loss: 'softmax',
    dropout: 0.2,
  };
}

/** The default for a backend: accelerated backends get the seed recipe, wasm/cpu the CPU one. */
export function defaultConfigFor(backendName: string): TrainConfig {
  return backendName === 'wasm' || backendName === 'cpu' ? cpuTrainConfig() : defaultTrainConfig();
}

/** The text of a `--config` file (undefined when none is given); an input error names an unreadable one. */
export function readConfigText(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw inputError(`${file}: cannot read config file`);
  }
}

/** Validates a full config, naming the source and each bad field. */
export function parseTrainConfig(value: unknown, source: string): TrainConfig {
  const r = TrainConfig.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw inputError(`${source}: invalid training config: ${issues.join('; ')}`, issues);
  }
  return r.data;
}

/** Deep-merges a partial config (from a JSON file) over a base. */
export function mergeConfig(
  base: TrainConfig,
  partial: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(partial)) {
    const cur = out[k];
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      cur &&
      typeof cur === 'object' &&
      !Array.isArray(cur)
    )
      out[k] = { ...(cur as Record<string, unknown>), ...(v as Record<string, unknown>) };
    else out[k] = v;
  }
  return out;
}

/** Applies `key=value` (dotted keys, JSON or bare-string values), e.g. `split.strategy=plate`. */
export function applySetting(
  config: Record<string, unknown>,
  setting: string,
): Record<string, unknown> {
  const eq = setting.indexOf('=');
  if (eq <= 0) throw inputError(`--set "${setting}": expected key=value`);
  const keys = setting.slice(0, eq).trim().split('.');
  const raw = setting.slice(eq + 1).trim();
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  const out = structuredClone(config);
  let node: Record<string, unknown> = out;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = node[keys[i]!];
    if (!next || typeof next !== 'object' || Array.isArray(next))
      throw inputError(
        `--set "${setting}": "${keys.slice(0, i + 1).join('.')}" is not a config section`,
      );
    node = next as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (!(last in node))
    throw inputError(`--set "${setting}": unknown config key "${keys.join('.')}"`);
  node[last] = value;
  return out;
}

/** Moves an unset learning rate to the chosen optimiser's default (see learningRateForSwitch). */
function withOptimizerRate(
  cfg: Record<string, unknown>,
  base: TrainConfig,
  given: { file: boolean; sets: boolean },
): Record<string, unknown> {
  const next = TrainConfig.shape.optimizer.safeParse(cfg.optimizer);
  if (given.file || given.sets || !next.success) return cfg;
  const lr = learningRateForSwitch(base.optimizer, next.data, base.learningRate, base.learningRate);
  return { ...cfg, learningRate: lr };
}

/**
 * The config of a new run: the backend's default, then a JSON file's fields, then each
 * `--set key=value`, validated at the end (errors name the file or the setting). Choosing Adam or
 * AdamW without a learning rate gives Adam's default rate, not the SGD recipe's.
 */
export function resolveTrainConfig(opts: {
  backendName: string;
  configText?: string;
  configFile?: string;
  sets?: string[];
}): TrainConfig {
  const base = defaultConfigFor(opts.backendName);
  let cfg: Record<string, unknown> = base as unknown as Record<string, unknown>;
  let fileSetsRate = false;
  if (opts.configText !== undefined) {
    let partial: unknown;
    try {
      partial = JSON.parse(opts.configText);
    } catch (err) {
      throw inputError(`${opts.configFile ?? 'config'}: not valid JSON: ${(err as Error).message}`);
    }
    if (!partial || typeof partial !== 'object' || Array.isArray(partial))
      throw inputError(
        `${opts.configFile ?? 'config'}: expected a JSON object of training settings`,
      );
    fileSetsRate = 'learningRate' in partial;
    cfg = mergeConfig(cfg as unknown as TrainConfig, partial as Record<string, unknown>);
  }
  for (const s of opts.sets ?? []) cfg = applySetting(cfg, s);
  cfg = withOptimizerRate(cfg, base, {
    file: fileSetsRate,
    sets: (opts.sets ?? []).some((s) => s.split('=')[0]!.trim() === 'learningRate'),
  });
  return parseTrainConfig(cfg, opts.configFile ?? (opts.sets?.length ? '--set' : 'config'));
}
