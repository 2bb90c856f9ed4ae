// zod schemas of the JSON files in a run folder (run.json, config.json, classes.json, split.json,
// manifest.json, a checkpoint's state.json, best/info.json, prediction sets) and the one reader
// that parses them: a corrupt or foreign file is an input error naming the file and each bad field.
import fs from 'node:fs';
import { z } from 'zod';
import {
  CheckpointRef,
  ClassCoverage,
  DatasetRef,
  EpochMetric,
  ReviewCurrent,
  RunStatus,
  StepMetric,
  TrainConfig,
} from '../../../../src-shared/contract';
import { inputError } from '../../errors';

/** run.json: the run's status and where it came from (`dataset` absent before 2026-11-30). */
export const RunInfoFile = z.object({
  runId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: RunStatus,
  backend: z.string(),
  /** Absolute path of the catalog the run was trained from. */
  dbFile: z.string(),
  /** The dataset it was trained on; absent in runs made before 2026-11-30 ('unknown dataset'). */
  dataset: DatasetRef.optional(),
  pid: z.number().int().nullable(),
  epochsDone: z.number().int().min(0),
  bestValAccuracy: z.number().nullable(),
  imagesPerSecond: z.number().nullable(),
  warnings: z.array(z.string()),
  error: z.string().nullable(),
  /** Training-split wells left out by review (review-exclusions.json); absent before issue 14. */
  reviewExcluded: z.number().int().min(0).optional(),
  /** What class coverage left out (classes.json's `coverage`); absent before issue 17. */
  classCoverage: ClassCoverage.optional(),
});

/**
 * review-exclusions.json: the review decisions a run was made with (catalog/review-decisions.ts),
 * written when the run is created and read back on resume, so a resumed run keeps the list it
 * started with whatever was decided since. `applied`: whether the config left the excluded wells
 * out (useReviewExclusions); suspect-label wells are listed but stay in training. Its content
 * (no timestamp) depends on the decisions only, so its manifest hash names the list.
 */
export const ReviewExclusionsFile = z.object({
  applied: z.boolean(),
  excluded: z.array(ReviewCurrent),
  suspectLabel: z.array(ReviewCurrent),
});

/** classes.json: the class list a run trains (learn/data/classes.ts makes it). */
export const ClassListFile = z.object({
  target: TrainConfig.shape.target,
  labels: z.array(z.string()),
  /** Numeric siRNA id per label where the metadata has one (2019 format), else null. */
  ids: z.array(z.number().nullable()),
  cellTypes: z.array(z.string()),
  /** The classes TrainConfig.minClassExperiments left out; absent in runs from before issue 17. */
  coverage: ClassCoverage.optional(),
});

/** split.json: id_codes of training and validation wells (learn/data/split.ts makes it). */
export const SplitFile = z.object({
  strategy: TrainConfig.shape.split.shape.strategy,
  seed: z.number(),
  valFraction: z.number(),
  train: z.array(z.string()),
  val: z.array(z.string()),
  warnings: z.array(z.string()),
});

/**
 * One line of metrics.jsonl: a training step or an epoch (the trainer writes them; epoch-loop.ts
 * stops a run before a non-finite loss is written, so every number is finite).
 */
export const MetricsLine = z.discriminatedUnion('type', [
  StepMetric.extend({ type: z.literal('step') }),
  EpochMetric.extend({ type: z.literal('epoch') }),
]);
export type MetricsLine = z.infer<typeof MetricsLine>;

/**
 * Parses metrics.jsonl text line by line. A line that is not JSON is dropped only when it is the
 * last one (a torn write from a kill); any other bad line is an input error naming `file`, the line
 * number and the bad field, never a silently wrong curve.
 */
export function parseMetricsLines(text: string, file: string): MetricsLine[] {
  const lines = text.split('\n');
  const lastNonEmpty = lines.reduce((last, l, i) => (l.trim() ? i : last), -1);
  const out: MetricsLine[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      if (i === lastNonEmpty) return;
      throw inputError(`${file}: line ${i + 1} is not JSON (the file is damaged)`);
    }
    const r = MetricsLine.safeParse(json);
    if (!r.success)
      throw inputError(
        `${file}: line ${i + 1} is not a step or epoch record: ${r.error.issues
          .map((iss) => `${iss.path.join('.') || '(line)'}: ${iss.message}`)
          .join('; ')}`,
      );
    out.push(r.data);
  });
  return out;
}

/** manifest.json: sha256 and size of every file of the run folder. */
export const ManifestFile = z.object({
  files: z.record(z.string(), z.object({ sha256: z.string(), bytes: z.number() })),
});

/** A checkpoint's state.json (learn/train/checkpoint.ts CheckpointState). */
export const CheckpointStateFile = z.object({
  epoch: z.number().int().min(0),
  stepInEpoch: z.number().int().min(0),
  globalStep: z.number().int().min(0),
  rng: z.object({ seed: z.number(), epoch: z.number(), stepInEpoch: z.number() }),
  bestValAccuracy: z.number().nullable(),
  bestEpoch: z.number().nullable(),
  configSha256: z.string(),
  /** Absent in checkpoints made before Adam existed (those runs trained with SGD). */
  optimizer: z
    .object({ kind: TrainConfig.shape.optimizer, step: z.number().int().min(0) })
    .optional(),
});

/** weights.json / optimizer.json: where each tensor of the matching .bin lies (float32 elements). */
export const BlobIndexFile = z.array(
  z.object({
    shape: z.array(z.number().int().min(0)),
    offset: z.number().int().min(0),
    length: z.number().int().min(0),
  }),
);

/** best/info.json: which epoch the best weights come from. */
export const BestInfoFile = z.object({ epoch: z.number(), valAccuracy: z.number().nullable() });

const WellPredictionFile = z.object({
  idCode: z.string(),
  experiment: z.string(),
  plate: z.number(),
  well: z.string(),
  cellType: z.string(),
  wellType: z.string(),
  truth: z.string().nullable(),
  top: z.number().int().min(0),
  prob: z.number(),
  assigned: z.number().int().min(0).nullable(),
  sites: z.number().int().min(0),
  sitesDisagree: z.boolean(),
  topK: z.array(z.object({ label: z.number().int().min(0), prob: z.number() })),
});

/**
 * predictions/{split}[.{datasetId}].json: a stored prediction set without its probabilities
 * ({stem}-probs.f32). Provenance fields are absent in sets stored before 2026-11-30, probsSha256
 * before 2026-11-29.
 */
export const PredictionSetFile = z.object({
  runId: z.string(),
  split: z.enum(['val', 'test']),
  dataset: DatasetRef.nullable().optional(),
  checkpoint: CheckpointRef.nullable().optional(),
  runStatus: RunStatus.nullable().optional(),
  createdAt: z.string().nullable().optional(),
  tta: z.boolean(),
  assigned: z.boolean().optional(),
  labels: z.array(z.string()),
  accuracy: z.number().nullable(),
  accuracyAssigned: z.number().nullable(),
  probsSha256: z.string().optional(),
  /** The well embeddings' file (predictions/<stem>-embed.f32, wells × dims float32); absent before 2026-11-30. */
  embedding: z
    .object({ file: z.string(), dims: z.number().int().positive(), sha256: z.string() })
    .optional(),
  warnings: z.array(z.string()).optional(),
  wells: z.array(WellPredictionFile),
});

/**
 * Reads and validates a run-folder JSON file. `what` names the file's role in messages ('run
 * status', 'training config'). Returns the value as read (keys in the file's order, fields a newer
 * PlateLab added kept), so rewriting or hashing it changes nothing. Throws an input error naming
 * the file when it cannot be read, is not JSON, or does not match `schema` (each bad field named).
 */
export function readRunFile<S extends z.ZodType>(
  file: string,
  schema: S,
  what: string,
): z.output<S> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(
      `${file}: cannot read the ${what}${code === 'ENOENT' ? ' (missing: is this a run folder?)' : `: ${(err as Error).message}`}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw inputError(`${file}: the ${what} is not valid JSON: ${(err as Error).message}`);
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw inputError(
      `${file}: not a valid ${what} (a damaged file or one from another program): ${issues.join('; ')}`,
      issues,
    );
  }
  return value as z.output<S>;
}
