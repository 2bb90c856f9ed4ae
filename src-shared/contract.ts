// The PlateLab API contract: every call the UI makes and every event it receives, declared once
// as zod schemas; TypeScript types are inferred from them. Both transports validate against these.
import { z } from 'zod';

// ---------- shared shapes ----------
export const Split = z.enum(['train', 'test']);
/** The split a prediction set is made on: the run's validation wells or the dataset's test wells. */
export const PredictionSplit = z.enum(['val', 'test']);
export type PredictionSplit = z.infer<typeof PredictionSplit>;
export const WellType = z.enum(['treatment', 'positive_control', 'negative_control', 'unknown']);
export type WellType = z.infer<typeof WellType>;
export const ExperimentName = z.string().min(1).max(100);
export const PlateNumber = z.number().int().min(1).max(99);
export const WellName = z.string().regex(/^[A-Pa-p]\d{1,2}$/, 'a 384-well name like B02');
export const IdCode = z.string().min(3).max(200);
export const RunId = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'a run id (letters, digits, _ . -)');
export const JobId = z.string().min(1).max(100);

export const ErrorInfo = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

export const JobKind = z.enum([
  'index',
  'synth',
  'thumbnails',
  'train',
  'predict',
  'export',
  /** Image statistics computed on demand (e.g. a plate's mean intensities without pixel_stats.csv). */
  'stats',
  /** A per-channel saliency map of one site (issue 14), computed in the prediction child. */
  'saliency',
  /** A prediction set's UMAP projection and neighbour numbers (learn/embed). */
  'embed',
]);
export const JobStatus = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export const Job = z.object({
  id: JobId,
  kind: JobKind,
  title: z.string(),
  status: JobStatus,
  progress: z.number().min(0).max(1),
  message: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  error: ErrorInfo.optional(),
  result: z.unknown().optional(),
});
export type Job = z.infer<typeof Job>;

export const ChannelDisplay = z.object({
  visible: z.boolean(),
  color: z.tuple([
    z.number().int().min(0).max(255),
    z.number().int().min(0).max(255),
    z.number().int().min(0).max(255),
  ]),
  range: z.tuple([z.number().min(0).max(255), z.number().min(0).max(255)]),
  gamma: z.number().min(0.1).max(5),
});
export const DisplayState = z.object({ channels: z.array(ChannelDisplay).length(6) });
export type DisplayState = z.infer<typeof DisplayState>;

/** The WebGPU adapter in use, in its own words (GPUAdapterInfo); software = a CPU implementation. */
export const GpuAdapterInfo = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  software: z.boolean(),
});

export const BackendInfo = z.object({
  name: z.string(),
  detail: z.string(),
  /** Only for the webgpu backend. */
  adapter: GpuAdapterInfo.optional(),
  tried: z.array(z.object({ name: z.string(), ok: z.boolean(), reason: z.string().optional() })),
});

export const Counts = z.object({
  experiments: z.number(),
  plates: z.number(),
  wells: z.number(),
  sites: z.number(),
  images: z.number(),
  problems: z.number(),
});
export const PlateSummary = z.object({
  experiment: z.string(),
  split: Split,
  cellType: z.string(),
  plate: z.number(),
  wells: z.number(),
  sites: z.number(),
});
export const DatasetSummary = z.object({
  root: z.string(),
  db: z.string(),
  format: z.string(),
  indexedAt: z.string().nullable(),
  counts: Counts,
  plates: z.array(PlateSummary),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

export const Problem = z.object({ kind: z.string(), path: z.string(), message: z.string() });

export const WellPrediction = z.object({
  top: z.string(),
  /**
   * The predicted class's probability: the assigned class's when assignment was applied, else the
   * arg-max's. Null only for sets stored before 2026-11-30 whose assigned class was outside the top k.
   */
  prob: z.number().nullable(),
  assigned: z.string().nullable(),
  /** Null without a truth, or when the truth is not one of the run's classes (`unscored`). */
  correct: z.boolean().nullable(),
  /** True for a labelled well of a class the run was not trained on: neither right nor wrong. */
  unscored: z.boolean().optional(),
  sitesDisagree: z.boolean(),
});
/** A review decision on a well (issue 14): a bad image to leave out, or a label in doubt. */
export const ReviewDecisionKind = z.enum(['exclude', 'suspect_label']);
/** Longest review note (characters). */
export const REVIEW_NOTE_MAX = 2000;
export type ReviewDecisionKind = z.infer<typeof ReviewDecisionKind>;
export const PlateWell = z.object({
  well: z.string(),
  row: z.number(),
  col: z.number(),
  idCode: z.string(),
  wellType: WellType,
  sirna: z.string().nullable(),
  sites: z.number(),
  hasImages: z.boolean(),
  broken: z.boolean(),
  /** Mean grey level (0–255) per channel 1–6; null for a channel without a statistic. */
  meanIntensity: z.array(z.number().nullable()).nullable(),
  prediction: WellPrediction.nullable(),
  /** The well's current review decision (null: none; absent where not looked up). */
  review: ReviewDecisionKind.nullable().optional(),
});
export type PlateWell = z.infer<typeof PlateWell>;

export const TrainConfig = z
  .object({
    arch: z.enum(['resnet-mini', 'resnet18', 'resnet34', 'se-resnext50']),
    target: z.enum(['sirna', 'cell_type', 'well_type']),
    imageSize: z.number().int().min(16).max(512),
    cropSize: z.number().int().min(16).max(512),
    epochs: z.number().int().min(1).max(500),
    batchSize: z.number().int().min(1).max(512),
    /** sgd: momentum + L2 decay; adam: Adam + L2 decay; adamw: Adam + decoupled decay (β 0.9/0.999). */
    optimizer: z.enum(['sgd', 'adam', 'adamw']),
    learningRate: z.number().positive().max(10),
    /** SGD only (Adam's β1 is fixed at 0.9). */
    momentum: z.number().min(0).max(1),
    weightDecay: z.number().min(0).max(1),
    warmupEpochs: z.number().int().min(0),
    lrDecayEpochs: z.array(z.number().int().min(1)),
    lrDecayFactor: z.number().positive().max(1),
    augment: z.object({ d4: z.boolean(), intensityJitter: z.number().min(0).max(1) }),
    mixup: z.number().min(0).max(1),
    labelSmoothing: z.number().min(0).max(0.5),
    loss: z.enum(['bce', 'softmax']),
    dropout: z.number().min(0).max(0.95),
    cellTypeInput: z.boolean(),
    normalization: z.enum(['per-image', 'per-experiment', 'per-plate-controls']),
    split: z.object({
      strategy: z.enum(['random', 'plate', 'experiment']),
      valFraction: z.number().min(0.01).max(0.5),
      seed: z.number().int(),
      /**
       * Strategy 'experiment' only: exactly these experiments are the validation set (a
       * cross-validation fold, learn/sweep/plan.ts) instead of a seeded valFraction of them.
       */
      valExperiments: z.array(z.string().min(1)).min(1).optional(),
    }),
    includeControls: z.boolean(),
    seed: z.number().int(),
    /**
     * Leave out the wells review marked 'exclude' (catalog/review-decisions.ts) from training and
     * validation; the list used is recorded in the run folder. Absent (configs from before issue
     * 14) counts as true: such runs had no decisions to leave out.
     */
    useReviewExclusions: z.boolean().optional(),
    /**
     * Class coverage: a class is trained on only if its usable training wells come from at least
     * this many distinct experiments (learn/data/classes.ts classCoverage). 'auto': half the most
     * experiments any class is seen in (at least 1; for target cell_type always 1, each experiment
     * being one cell type). Absent (configs from before issue 17) counts as 1: every class.
     */
    minClassExperiments: z.union([z.literal('auto'), z.number().int().min(1)]).optional(),
  })
  // The random crop is taken from the image: it cannot be larger (the one home of this rule).
  .refine((c) => c.cropSize <= c.imageSize, {
    path: ['cropSize'],
    error: (iss) => {
      const c = iss.input as { cropSize: number; imageSize: number };
      return `crop size ${c.cropSize} must not exceed the image size ${c.imageSize}`;
    },
  });
export type TrainConfig = z.infer<typeof TrainConfig>;

/**
 * What class coverage (TrainConfig.minClassExperiments) left out of a run: the resolved threshold,
 * the most experiments any class was seen in, and the classes and wells below the threshold.
 */
export const ClassCoverage = z.object({
  /** The setting as configured ('auto' or a number; 1 for configs from before the setting). */
  setting: z.union([z.literal('auto'), z.number().int().min(1)]),
  /** Resolved minimum number of distinct training experiments a class must be seen in. */
  threshold: z.number().int().min(1),
  /** The most distinct experiments any class was seen in (0 without usable wells). */
  mostExperiments: z.number().int().min(0),
  leftOutClasses: z.number().int().min(0),
  /** Usable training wells of the left-out classes (in neither the training nor validation set). */
  leftOutWells: z.number().int().min(0),
});
export type ClassCoverage = z.infer<typeof ClassCoverage>;

/** The dataset a run or prediction set came from (catalog/dataset-identity.ts makes it). */
export const DatasetRef = z.object({
  /** Stable random id made with the catalog. */
  id: z.string(),
  /** Digest of the indexed metadata files and image set; changes when a re-index finds changes. */
  digest: z.string(),
  name: z.string(),
  root: z.string(),
  catalog: z.string(),
});
export type DatasetRef = z.infer<typeof DatasetRef>;
/** Recorded dataset vs the open one: same, same but re-indexed with changes, another, not recorded. */
export const DatasetMatch = z.enum(['same', 'changed', 'other', 'unknown']);
export type DatasetMatch = z.infer<typeof DatasetMatch>;
export const RunStatus = z.enum(['running', 'done', 'failed', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;
/** Which weights a prediction set used (learn/runs/run-folder.ts verifyCheckpoint). */
export const CheckpointRef = z.object({
  path: z.string(),
  epoch: z.number().nullable(),
  midEpoch: z.boolean(),
  sha256: z.string(),
});
export type CheckpointRef = z.infer<typeof CheckpointRef>;
/** Where a stored prediction set came from; dataset null = recorded before 2026-11-30 (unknown). */
export const PredictionSetInfo = z.object({
  runId: RunId,
  split: PredictionSplit,
  dataset: DatasetRef.nullable(),
  checkpoint: CheckpointRef.nullable(),
  runStatus: RunStatus.nullable(),
  tta: z.boolean(),
  assigned: z.boolean(),
  wells: z.number(),
  createdAt: z.string().nullable(),
  /** One line naming run, checkpoint, dataset, split and flags (what exports print). */
  label: z.string(),
  /** What makes some of its numbers untrustworthy (e.g. plates holding siRNAs the run never saw). */
  warnings: z.array(z.string()).default([]),
});
export type PredictionSetInfo = z.infer<typeof PredictionSetInfo>;

/** Adam/AdamW's starting learning rate: α = 0.001 as Kingma & Ba (2015) suggest (SGD recipes set their own). */
export const ADAM_LEARNING_RATE = 1e-3;

/**
 * The learning rate after the optimiser changes from `prev` to `next`: a rate still at the old
 * family's default (SGD: `sgdDefault`, the recipe's; Adam/AdamW: ADAM_LEARNING_RATE) becomes the
 * new family's, since Adam's steps are ~lr per weight and an SGD rate like 0.05 would be far too
 * large; any other rate is the user's choice and is kept.
 */
export function learningRateForSwitch(
  prev: TrainConfig['optimizer'],
  next: TrainConfig['optimizer'],
  learningRate: number,
  sgdDefault: number,
): number {
  const familyDefault = (o: TrainConfig['optimizer']) =>
    o === 'sgd' ? sgdDefault : ADAM_LEARNING_RATE;
  return learningRate === familyDefault(prev) ? familyDefault(next) : learningRate;
}

export const RunSummary = z.object({
  runId: RunId,
  createdAt: z.string(),
  status: RunStatus,
  config: TrainConfig,
  /** The dataset it was trained on (null: not recorded, a run from before 2026-11-30). */
  dataset: DatasetRef.nullable(),
  /** How that dataset relates to the open one (null when none is open). */
  datasetMatch: DatasetMatch.nullable(),
  backend: z.string(),
  epochsDone: z.number(),
  bestValAccuracy: z.number().nullable(),
  imagesPerSecond: z.number().nullable(),
  warnings: z.array(z.string()),
  /** Training wells left out by review decisions (null: a run from before they existed). */
  reviewExcluded: z.number().nullable().optional(),
  /** Classes left out by class coverage (null: a run from before the setting). */
  classCoverage: ClassCoverage.nullable().optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const StepMetric = z.object({
  step: z.number(),
  epoch: z.number(),
  loss: z.number(),
  accuracy: z.number(),
  lr: z.number(),
  imagesPerSecond: z.number(),
});
export const EpochMetric = z.object({
  epoch: z.number(),
  loss: z.number(),
  accuracy: z.number(),
  valLoss: z.number().nullable(),
  valAccuracy: z.number().nullable(),
  lr: z.number(),
  imagesPerSecond: z.number(),
  seconds: z.number(),
  etaSeconds: z.number().nullable(),
});
export type StepMetric = z.infer<typeof StepMetric>;
export type EpochMetric = z.infer<typeof EpochMetric>;

export const ReviewQueue = z.enum(['confident-wrong', 'least-confident', 'sites-disagree']);
export type ReviewQueue = z.infer<typeof ReviewQueue>;
export const Metric = z.enum([
  'sirna',
  'well_type',
  'predicted',
  'confidence',
  'correct',
  'intensity',
  'review',
]);

export const PredictionSummary = z.object({
  runId: RunId,
  split: PredictionSplit,
  /** Every predicted well, of which `controlWells` are control wells (not siRNA guesses). */
  wells: z.number(),
  controlWells: z.number(),
  accuracy: z.number().nullable(),
  accuracyAssigned: z.number().nullable(),
  /** Labelled wells whose class the run was not trained on: counted neither right nor wrong. */
  unscoredWells: z.number(),
  perPlate: z.array(
    z.object({
      experiment: z.string(),
      plate: z.number(),
      accuracy: z.number().nullable(),
      controlsAccuracy: z.number().nullable(),
    }),
  ),
  perCellType: z.array(z.object({ cellType: z.string(), accuracy: z.number().nullable() })),
  confusedPairs: z.array(z.object({ truth: z.string(), predicted: z.string(), count: z.number() })),
  source: PredictionSetInfo,
});

/** Where a plate's per-well mean intensities come from, in words for the legend. */
export const PlateIntensityInfo = z.object({
  /** 'pending': job `jobId` is computing them from the images; catalog:changed follows. */
  source: z.enum(['csv', 'computed', 'none', 'pending']),
  sites: z.number(),
  note: z.string(),
  jobId: JobId.optional(),
});

/** What Slurm is asked for per array task: partition, account, time limit, GPUs and CPUs (sweep.json's `slurm`). */
export const SlurmResources = z.object({
  partition: z.string().min(1).nullable(),
  account: z.string().min(1).nullable(),
  /** Slurm's time format, e.g. 2:00:00 or 1-00:00:00. */
  time: z.string().min(1).nullable(),
  gpus: z.number().int().min(0),
  cpus: z.number().int().min(1),
  /** Memory per task in Slurm's format (e.g. 16G); null: the partition's default. */
  mem: z.string().min(1).nullable(),
});
export type SlurmResources = z.infer<typeof SlurmResources>;

/** A sweep's shape: grid axes (config key, dotted for nested ones → values as typed), seeds, k folds by experiment. */
export const SweepSpecInput = {
  base: TrainConfig,
  grid: z
    .array(z.object({ key: z.string().min(1).max(100), values: z.array(z.string()).min(1) }))
    .max(20),
  seeds: z.number().int().min(1).max(1000),
  /** k-fold cross-validation by experiment (k ≥ 2), or null. */
  folds: z.number().int().min(2).max(100).nullable(),
};
export const SweepName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "a sweep name (letters, digits, '.', '_', '-')");
export const PlannedSweepRun = z.object({
  index: z.number(),
  name: z.string(),
  settings: z.record(z.string(), z.string()),
  seed: z.number(),
  fold: z.number().nullable(),
  valExperiments: z.array(z.string()).nullable(),
});
export const SweepRunState = z.enum([
  'planned',
  'queued',
  'running',
  'done',
  'failed',
  'cancelled',
  'preempted',
  'timeout',
  'lost',
  /** Only from the API: Slurm could not be asked (commands missing or failing), so nothing is claimed. */
  'unknown',
]);
export const SweepRunStatus = PlannedSweepRun.omit({ valExperiments: true }).extend({
  runDir: z.string(),
  state: SweepRunState,
  /** Why, in words: Slurm's state and reason, or what run.json says. */
  detail: z.string(),
  slurmTask: z.string().nullable(),
  epochsDone: z.number(),
  epochs: z.number().nullable(),
  bestValAccuracy: z.number().nullable(),
  lastValAccuracy: z.number().nullable(),
});
/** Cross-validation: each fold's held-out accuracy and their mean ± sample sd (n − 1). */
export const CvGroup = z.object({
  label: z.string(),
  folds: z.array(z.object({ fold: z.number(), run: z.string(), accuracy: z.number().nullable() })),
  mean: z.number().nullable(),
  sd: z.number().nullable(),
});
export const SweepSummary = z.object({
  name: z.string(),
  sweepDir: z.string(),
  createdAt: z.string(),
  scheduler: z.enum(['slurm', 'local']).nullable(),
  runs: z.array(SweepRunStatus),
  crossValidation: z.array(CvGroup),
  /** Why the states could not be read (e.g. Slurm commands missing); every run then says 'unknown'. */
  error: z.string().nullable(),
  /** The job training it locally now, if any. */
  jobId: JobId.nullable(),
});
export type SweepSummary = z.infer<typeof SweepSummary>;

const empty = z.object({});
/** Inputs are strict: an unknown top-level key is a validation error, so nothing unexpected reaches the core. */
const noInput = z.strictObject({});
const jobStarted = z.object({ jobId: JobId });
const exported = z.object({
  path: z.string(),
  url: z.string(),
  rows: z.number(),
  /** The prediction set the file was made from (submission and predictions exports). */
  source: PredictionSetInfo.optional(),
});
/** Explicit choices a prediction or export from a run needs (refused otherwise, with the reason). */
const runChoices = {
  /** Use a run trained on another (or an unrecorded) dataset on the open one. */
  allowOtherDataset: z.boolean().default(false),
  /** Use a run that did not complete (cancelled, failed, interrupted, still running). */
  allowIncomplete: z.boolean().default(false),
};

// review decisions (issue 14): catalog/review-decisions.ts stores them as an append-only log.
/** One change of a well's decision (decision null: cleared); undoneAt set once undone. */
export const ReviewChange = z.object({
  id: z.number().int(),
  idCode: z.string(),
  experiment: z.string(),
  plate: z.number(),
  well: z.string(),
  decision: ReviewDecisionKind.nullable(),
  note: z.string().nullable(),
  createdAt: z.string(),
  undoneAt: z.string().nullable(),
});
export type ReviewChange = z.infer<typeof ReviewChange>;
/** A well's decision in force: its newest change not undone (`changeId`). */
export const ReviewCurrent = z.object({
  idCode: z.string(),
  experiment: z.string(),
  plate: z.number(),
  well: z.string(),
  decision: ReviewDecisionKind,
  note: z.string().nullable(),
  decidedAt: z.string(),
  changeId: z.number().int(),
});
export type ReviewCurrent = z.infer<typeof ReviewCurrent>;
const reviewChanged = z.object({
  change: ReviewChange.nullable(),
  current: ReviewCurrent.nullable(),
});
// ---------- embedding view (issue 14) ----------
/** How a prediction set's well embeddings are drawn in 2-D: PCA (on demand) or UMAP (a job). */
export const EmbeddingProjection = z.enum(['pca', 'umap']);
export type EmbeddingProjection = z.infer<typeof EmbeddingProjection>;
/** One well of the embedding view: who it is, what the model said, where it lands in 2-D. */
export const EmbeddingPoint = z.object({
  idCode: IdCode,
  experiment: z.string(),
  cellType: z.string(),
  plate: z.number(),
  well: z.string(),
  wellType: WellType,
  /** The true class, as an index into the run's class labels; null when unknown (test wells). */
  sirna: z.number().int().nullable(),
  /** The predicted class index (the plate-group assignment where the set has one, else the arg-max). */
  predicted: z.number().int(),
  /** The class names of `sirna` and `predicted` (a siRNA id for a siRNA run). */
  sirnaLabel: z.string().nullable(),
  predictedLabel: z.string(),
  /** predicted === sirna; null when the label is unknown. */
  correct: z.boolean().nullable(),
  /** The predicted class's probability (0–1). */
  confidence: z.number(),
  x: z.number(),
  y: z.number(),
});
export type EmbeddingPoint = z.infer<typeof EmbeddingPoint>;
/**
 * How much the embedding is organised by batch rather than by class (learn/embed/organisation.ts):
 * mean fraction of each well's k nearest neighbours sharing its experiment / siRNA / cell type,
 * the fraction random neighbours would give (chance), and silhouette scores (Rousseeuw 1987).
 * Null where it cannot be computed (no known labels, fewer than two groups).
 */
export const EmbeddingOrganisation = z.object({
  k: z.number().int(),
  sameExperiment: z.number(),
  sameExperimentChance: z.number(),
  /** The highest same-experiment fraction the group sizes allow with k neighbours. */
  sameExperimentMax: z.number().optional(),
  sameSirna: z.number().nullable(),
  sameSirnaChance: z.number().nullable(),
  /** The highest same-siRNA fraction possible (few wells per siRNA keep it far below 1). */
  sameSirnaMax: z.number().nullable().optional(),
  sameCellType: z.number(),
  sameCellTypeChance: z.number(),
  silhouetteExperiment: z.number().nullable(),
  silhouetteSirna: z.number().nullable(),
  /** The wells the numbers were computed on (all; siRNA ones: treatment wells with a known label). */
  wells: z.number().int(),
  sirnaWells: z.number().int(),
  /**
   * What the embedding is organised by, from the above-chance shares (same − chance) / (max − chance)
   * of same-experiment and same-siRNA neighbours (learn/embed/organisation.ts decides it): 'batch'
   * or 'class' when one leads by ≥ 0.05, 'tie' when they are within 0.05, 'neither' when both are
   * under 0.05, 'unknown' without siRNA numbers.
   */
  verdict: z.enum(['batch', 'class', 'tie', 'neither', 'unknown']),
  /** One line saying what the numbers mean (or why some are missing). */
  note: z.string(),
});
export type EmbeddingOrganisation = z.infer<typeof EmbeddingOrganisation>;
/** A prediction set's embedding drawn in 2-D with its organisation numbers. */
export const EmbeddingView = z.object({
  runId: RunId,
  split: PredictionSplit,
  /** The projection the points are in (PCA while UMAP is running or missing). */
  projection: EmbeddingProjection,
  /** The embedding's width (pooled features per well). */
  dims: z.number().int(),
  points: z.array(EmbeddingPoint),
  organisation: EmbeddingOrganisation,
  umap: z.object({ state: z.enum(['ready', 'running', 'missing']), jobId: JobId.optional() }),
  source: PredictionSetInfo,
});
export type EmbeddingView = z.infer<typeof EmbeddingView>;

// ---------- calls ----------
export const calls = {
  'app.info': {
    input: noInput,
    output: z.object({
      version: z.string(),
      mode: z.enum(['electron', 'serve']),
      backend: BackendInfo,
      dataset: z.object({ root: z.string(), db: z.string(), format: z.string() }).nullable(),
      dataDir: z.string(),
      /** Dataset folders opened before, most recent first (settings.json; at most 10). */
      recentDatasets: z.array(z.string()),
    }),
  },
  'dataset.open': {
    input: z.strictObject({ root: z.string().min(1).max(4096) }),
    output: jobStarted,
  },
  'dataset.openDemo': { input: noInput, output: jobStarted },
  'dataset.reindex': { input: noInput, output: jobStarted },
  'dataset.summary': { input: noInput, output: DatasetSummary.nullable() },
  'dataset.problems': {
    input: z.strictObject({
      kind: z.string().max(100).optional(),
      search: z.string().max(500).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(100),
    }),
    output: z.object({
      total: z.number(),
      kinds: z.array(z.object({ kind: z.string(), count: z.number() })),
      items: z.array(Problem),
    }),
  },
  'plates.wells': {
    input: z.strictObject({
      experiment: ExperimentName,
      plate: PlateNumber,
      runId: RunId.optional(),
      intensityChannel: z.number().int().min(1).max(6).optional(),
    }),
    output: z.object({
      experiment: z.string(),
      plate: z.number(),
      split: Split,
      cellType: z.string(),
      wells: z.array(PlateWell),
      /** Where meanIntensity comes from (only when intensityChannel was asked), or why it is empty. */
      intensity: PlateIntensityInfo.optional(),
    }),
  },
  'wells.detail': {
    input: z.strictObject({ idCode: IdCode, runId: RunId.optional() }),
    output: z.object({
      well: PlateWell,
      experiment: z.string(),
      plate: z.number(),
      split: Split,
      cellType: z.string(),
      sites: z.array(
        z.object({
          site: z.number(),
          channels: z.array(z.object({ channel: z.number(), path: z.string(), ok: z.boolean() })),
          error: z.string().nullable(),
          /** The site's image size in px as indexed (first readable channel); null when unknown. */
          width: z.number().int().positive().nullable(),
          height: z.number().int().positive().nullable(),
        }),
      ),
      topPredictions: z.array(z.object({ label: z.string(), prob: z.number() })),
    }),
  },
  'display.default': { input: noInput, output: DisplayState },
  'display.auto': {
    input: z.strictObject({
      source: z.enum(['site', 'plate', 'experiment-controls']),
      idCode: IdCode.optional(),
      site: z.number().int().min(1).max(9).optional(),
      experiment: ExperimentName.optional(),
      plate: PlateNumber.optional(),
      percentiles: z
        .tuple([z.number().min(0).max(100), z.number().min(0).max(100)])
        .default([1, 99]),
      base: DisplayState,
    }),
    output: DisplayState,
  },
  'thumbnails.plate': {
    input: z.strictObject({
      experiment: ExperimentName,
      plate: PlateNumber,
      site: z.number().int().min(1).max(9).default(1),
      size: z.number().int().min(16).max(256).default(96),
      display: DisplayState,
    }),
    output: z.object({
      url: z.string(),
      cell: z.number(),
      columns: z.number(),
      wells: z.array(z.object({ well: z.string(), index: z.number() })),
      cached: z.boolean(),
    }),
  },
  'images.site': {
    input: z.strictObject({
      idCode: IdCode,
      site: z.number().int().min(1).max(9),
      display: DisplayState,
      size: z.number().int().min(16).max(2048).optional(),
    }),
    output: z.object({ url: z.string(), width: z.number(), height: z.number() }),
  },
  'training.defaults': { input: noInput, output: TrainConfig },
  'training.validate': {
    input: z.strictObject({ config: TrainConfig }),
    output: z.object({
      warnings: z.array(z.string()),
      trainWells: z.number(),
      valWells: z.number(),
      classes: z.number(),
      /** Training-split wells review marked 'exclude' (left out unless useReviewExclusions is false). */
      reviewExcluded: z.number(),
      /** Classes and wells this config's class coverage leaves out (minClassExperiments). */
      classCoverage: ClassCoverage,
    }),
  },
  'training.start': {
    input: z.strictObject({ config: TrainConfig }),
    output: z.object({ runId: RunId, jobId: JobId }),
  },
  'training.cancel': { input: z.strictObject({ runId: RunId }), output: empty },
  'training.resume': { input: z.strictObject({ runId: RunId }), output: jobStarted },
  /** The open dataset's runs (all datasets' with allDatasets), newest first. */
  'runs.list': {
    input: z.strictObject({ allDatasets: z.boolean().default(false) }),
    output: z.array(RunSummary),
  },
  'runs.metrics': {
    input: z.strictObject({ runId: RunId }),
    output: z.object({ steps: z.array(StepMetric), epochs: z.array(EpochMetric) }),
  },
  'predict.start': {
    input: z.strictObject({
      runId: RunId,
      split: PredictionSplit,
      tta: z.boolean(),
      assign: z.boolean(),
      ...runChoices,
    }),
    output: jobStarted,
  },
  'predictions.summary': {
    input: z.strictObject({ runId: RunId, split: PredictionSplit }),
    output: PredictionSummary.nullable(),
  },
  'predictions.queue': {
    input: z.strictObject({
      runId: RunId,
      split: PredictionSplit,
      queue: ReviewQueue,
      limit: z.number().int().min(1).max(1000).default(50),
    }),
    output: z.array(
      z.object({
        idCode: z.string(),
        experiment: z.string(),
        plate: z.number(),
        well: z.string(),
        truth: z.string().nullable(),
        predicted: z.string(),
        /** `predicted`'s probability (null: an old set whose assigned class was outside its top k). */
        prob: z.number().nullable(),
        sitesDisagree: z.boolean(),
      }),
    ),
  },
  'export.submission': {
    input: z.strictObject({ runId: RunId, ...runChoices }),
    output: exported,
  },
  'export.predictions': {
    input: z.strictObject({ runId: RunId, split: PredictionSplit }),
    output: exported,
  },
  'export.platePng': {
    input: z.strictObject({
      experiment: ExperimentName,
      plate: PlateNumber,
      metric: Metric,
      runId: RunId.optional(),
      /** Sequential (viridis, magma) for a continuous metric, 'categorical' for a category one; default by metric. */
      colormap: z.enum(['viridis', 'magma', 'categorical']).optional(),
      /** The channel (1–6) of the intensity metric. */
      intensityChannel: z.number().int().min(1).max(6).default(1),
    }),
    /** The figure as PNG (path, url; rows = wells with a value) and as SVG, its one source. */
    output: exported.extend({
      svg: z.object({ path: z.string(), url: z.string() }),
      wells: z.number(),
      withImages: z.number(),
    }),
  },
  /** The runs a sweep would make (nothing is created); the batch script when slurm is given. */
  'sweeps.plan': {
    input: z.strictObject({
      ...SweepSpecInput,
      name: SweepName.optional(),
      slurm: SlurmResources.optional(),
    }),
    output: z.object({
      runs: z.array(PlannedSweepRun),
      count: z.number(),
      sweepDir: z.string(),
      script: z.string().nullable(),
    }),
  },
  /** Creates the sweep folder and runs it: locally as a 'train' job, or as one Slurm job array. */
  'sweeps.submit': {
    input: z.strictObject({
      ...SweepSpecInput,
      name: SweepName,
      scheduler: z.enum(['local', 'slurm']),
      slurm: SlurmResources.optional(),
    }),
    output: z.object({
      name: z.string(),
      sweepDir: z.string(),
      runs: z.number(),
      jobId: JobId.nullable(),
      slurmJobId: z.string().nullable(),
    }),
  },
  /** Every sweep of the data folder with its runs' states and metrics, newest first. */
  'sweeps.list': { input: noInput, output: z.array(SweepSummary) },
  'sweeps.status': { input: z.strictObject({ name: SweepName }), output: SweepSummary },
  /** Stops the sweep's local job, or scancels its queued and running Slurm tasks. */
  'sweeps.cancel': {
    input: z.strictObject({ name: SweepName }),
    output: z.object({ cancelled: z.array(z.string()) }),
  },
  /** The Slurm fields last used with the open dataset (null: none yet). */
  'sweeps.clusterDefaults': { input: noInput, output: SlurmResources.nullable() },
  /** Several runs' (or a sweep's done runs') averaged probabilities as one prediction set, stored as run `runId`. */
  'predict.ensemble': {
    input: z.strictObject({
      runIds: z.array(RunId).max(200).optional(),
      sweep: SweepName.optional(),
      split: PredictionSplit,
      tta: z.boolean(),
      assign: z.boolean(),
      weighting: z.enum(['equal', 'val-accuracy']).default('equal'),
      ...runChoices,
    }),
    output: z.object({ jobId: JobId, runId: RunId }),
  },
  'jobs.list': { input: noInput, output: z.array(Job) },
  'jobs.cancel': { input: z.strictObject({ jobId: JobId }), output: empty },
  // review decisions (issue 14)
  /** Marks a well exclude / suspect label (note optional) or clears it (decision null); change null = nothing changed. */
  'review.set': {
    input: z.strictObject({
      idCode: IdCode,
      decision: ReviewDecisionKind.nullable(),
      note: z.string().max(REVIEW_NOTE_MAX).optional(),
    }),
    output: reviewChanged,
  },
  /** Undoes change `id`, else the well's newest change, else the newest change of the dataset. */
  'review.undo': {
    input: z.strictObject({ idCode: IdCode.optional(), id: z.number().int().min(1).optional() }),
    output: z.object({ undone: ReviewChange, current: ReviewCurrent.nullable() }),
  },
  /** Current decisions (filtered), counts over all of them, and the change history (newest first). */
  'review.list': {
    input: z.strictObject({
      decision: ReviewDecisionKind.optional(),
      idCode: IdCode.optional(),
      historyLimit: z.number().int().min(0).max(10000).default(200),
    }),
    output: z.object({
      decisions: z.array(ReviewCurrent),
      counts: z.object({ exclude: z.number(), suspect_label: z.number(), total: z.number() }),
      history: z.array(ReviewChange),
    }),
  },
  /** The current decisions (one kind with `decision`) as CSV in exports/. */
  'review.export': {
    input: z.strictObject({ decision: ReviewDecisionKind.optional() }),
    output: exported,
  },
  // ---------- saliency (issue 14) ----------
  /**
   * Which pixels and stains drove a run's class logit for one site (integrated gradients or
   * gradient × input, learn/explain/). 'ready': per-channel heat overlays and the one summed over
   * `channels` (default all six) as PNG URLs covering the whole site (transparent outside the
   * model's crop), each stain's share of Σ|attribution|; 'computing': job `jobId` makes it (call
   * again when it is done). `sirna` defaults to the well's predicted class.
   */
  'saliency.get': {
    input: z.strictObject({
      runId: RunId,
      idCode: IdCode,
      site: z.number().int().min(1).max(9),
      sirna: z.string().min(1).max(100).optional(),
      method: z.enum(['integrated-gradients', 'gradient-x-input']).default('integrated-gradients'),
      steps: z.number().int().min(1).max(128).default(16),
      channels: z.array(z.number().int().min(1).max(6)).min(1).max(6).optional(),
    }),
    output: z.discriminatedUnion('status', [
      z.object({ status: z.literal('computing'), jobId: JobId, classLabel: z.string() }),
      z.object({
        status: z.literal('ready'),
        classLabel: z.string(),
        /** The class the well's prediction set picked (assigned when assignment was applied). */
        predictedLabel: z.string(),
        /** predictedLabel comes from plate-group assignment (it may differ from the top class). */
        predictedByAssignment: z.boolean(),
        method: z.enum(['integrated-gradients', 'gradient-x-input']),
        steps: z.number(),
        channels: z.array(
          z.object({ channel: z.number(), stain: z.string(), share: z.number(), url: z.string() }),
        ),
        summed: z.object({ channels: z.array(z.number()), url: z.string() }),
        /** |Σ attributions − (logit(x) − logit(0))| / |logit(x) − logit(0)| (IG's completeness). */
        completenessGap: z.number(),
        logit: z.number(),
        baselineLogit: z.number(),
        checkpoint: CheckpointRef,
        /** The prediction set's checkpoint differs from the weights explained here. */
        checkpointDiffers: z.boolean(),
        warnings: z.array(z.string()),
        /** Seconds the map took to compute (when it was computed). */
        seconds: z.number(),
      }),
    ]),
  },
  // ---------- embedding view (issue 14) ----------
  /**
   * A prediction set's well embeddings in 2-D. PCA is computed on demand (fast); asking for 'umap'
   * before it is ready returns the PCA points with umap.state 'running' or 'missing'.
   */
  'embedding.get': {
    input: z.strictObject({
      runId: RunId,
      split: PredictionSplit,
      projection: EmbeddingProjection.default('pca'),
    }),
    output: EmbeddingView,
  },
  /**
   * Starts (or returns the running) UMAP job for a prediction set: kind 'embed', progress like other
   * jobs; catalog:changed { tables: ['embeddings'] } when done.
   */
  'embedding.umap': {
    input: z.strictObject({ runId: RunId, split: PredictionSplit }),
    output: z.object({ jobId: JobId }),
  },
} as const;

// ---------- events ----------
export const events = {
  'job:update': Job,
  'catalog:changed': z.object({ tables: z.array(z.string()) }),
  'training:metrics': z.object({
    runId: RunId,
    step: StepMetric.optional(),
    epoch: EpochMetric.optional(),
  }),
} as const;

export type CallName = keyof typeof calls;
export type EventName = keyof typeof events;
export type CallInput<K extends CallName> = z.input<(typeof calls)[K]['input']>;
export type CallOutput<K extends CallName> = z.output<(typeof calls)[K]['output']>;
/** The input as a handler receives it: validated, defaults applied, unknown keys refused. */
export type CallArgs<K extends CallName> = z.output<(typeof calls)[K]['input']>;
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>;

export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorInfo };

/** What the renderer talks to: one implementation over Electron IPC, one over HTTP/WebSocket. */
export interface ApiClient {
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<Result<CallOutput<K>>>;
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
}

export const callNames = Object.keys(calls) as CallName[];
export const eventNames = Object.keys(events) as EventName[];

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(calls, name);
}

export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}
