// Model configuration shared by the builders, the memory estimate and the CPU defaults.

export const modelArchs = ['resnet18', 'resnet34', 'se-resnext50', 'resnet-mini'] as const;
export type ModelArch = (typeof modelArchs)[number];

export interface ModelConfig {
  arch: ModelArch;
  /** Square input crop in pixels. */
  inputSize: number;
  /** Image channels (RxRx1: 6). */
  channels: number;
  numClasses: number;
  /** Dropout rate before the classifier head (default 0.5). */
  dropout?: number;
  /** Length of an optional one-hot cell-type input concatenated to the pooled features. */
  cellTypeInputs?: number;
  /** Scales every layer's width (default 1). */
  widthMultiplier?: number;
  /** 'linear' gives logits (use softmax cross-entropy with logits); default 'linear'. */
  outputActivation?: 'linear' | 'softmax';
  /** Seed for weight initialisation (reproducible runs). */
  seed?: number;
  /**
   * 'fused' (default): PlateLabBatchNorm with a hand-written training gradient (one wasm kernel
   * each way); 'keras': tfjs' BatchNormalization (kept for comparisons and old checkpoints).
   */
  batchNorm?: 'fused' | 'keras';
}

export function validateModelConfig(config: ModelConfig): void {
  const bad = (what: string) => {
    throw new Error(`model config: ${what} (got ${JSON.stringify(config)})`);
  };
  if (!(modelArchs as readonly string[]).includes(config.arch))
    bad(`arch must be one of ${modelArchs.join(', ')}`);
  if (!Number.isInteger(config.inputSize) || config.inputSize < 8)
    bad('inputSize must be an integer ≥ 8');
  if (!Number.isInteger(config.channels) || config.channels < 1)
    bad('channels must be a positive integer');
  if (!Number.isInteger(config.numClasses) || config.numClasses < 2)
    bad('numClasses must be an integer ≥ 2');
  const dropout = config.dropout ?? 0.5;
  if (!(dropout >= 0 && dropout < 1)) bad('dropout must be in [0, 1)');
  if (
    config.cellTypeInputs !== undefined &&
    (!Number.isInteger(config.cellTypeInputs) || config.cellTypeInputs < 1)
  ) {
    bad('cellTypeInputs must be a positive integer when given');
  }
  if (
    config.batchNorm !== undefined &&
    config.batchNorm !== 'fused' &&
    config.batchNorm !== 'keras'
  )
    bad("batchNorm must be 'fused' or 'keras'");
  const wm = config.widthMultiplier ?? 1;
  if (!(wm > 0 && wm <= 4)) bad('widthMultiplier must be in (0, 4]');
}

/** Width after the multiplier, kept a multiple of `unit` (grouped convs need whole groups). */
export function scaledWidth(base: number, multiplier: number, unit = 8): number {
  return Math.max(unit, Math.round((base * multiplier) / unit) * unit);
}
