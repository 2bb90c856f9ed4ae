// Run set-up: checks the job, reads the catalog's training sites, and either creates the run folder
// (config, class list, split, review exclusions, metrics, run.json) for a new run or reloads it for
// a resume. Wells review marked 'exclude' are left out of training and validation (by default), and
// so are the wells of classes seen in too few experiments (class coverage, classes.json records it).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describeCoverage } from '../../../../src-shared/class-coverage';
import type { TrainConfig } from '../../../../src-shared/contract';
import { datasetIdentity, type DatasetRef } from '../../catalog/dataset-identity';
import { openCatalog } from '../../catalog/db';
import { reviewExclusions } from '../../catalog/review-decisions';
import { inputError } from '../../errors';
import { buildClassList, isScorable, targetLabel, type ClassList } from '../data/classes';
import { datasetRoot, loadSiteRows, type SiteRow } from '../data/site-rows';
import { makeSplit, type SplitResult } from '../data/split';
import {
  readClassList,
  readReviewExclusions,
  readRunConfig,
  readSplit,
  runFiles,
  runPath,
  sha256File,
  updateRunInfo,
  type ReviewExclusionsRecord,
  type RunInfo,
} from '../runs/run-folder';
import { ManifestFile, readRunFile } from '../runs/run-files';
import { writeJsonAtomic } from '../../util/atomic-write';
import type { TrainJob } from './messages';

/** A run ready to train: where it lives, what it trains on, and whether it continues one. */
export interface RunSetup {
  runDir: string;
  dbFile: string;
  runId: string;
  resuming: boolean;
  /** Dataset root of the catalog. */
  root: string;
  rows: SiteRow[];
  config: TrainConfig;
  /** SHA-256 of config.json's content: a checkpoint made with another config is refused. */
  configSha: string;
  classes: ClassList;
  split: SplitResult;
  /** The review exclusions the run uses (recorded in review-exclusions.json; null: none recorded). */
  review: { applied: boolean; excludedWells: number; record: ReviewExclusionsRecord | null };
}

/**
 * Leaves out the sites of the wells in `excluded` (id_codes): the one exclusion filter, used by the
 * run set-up and training.validate. Returns the rows kept and how many distinct wells went.
 */
export function withoutExcludedWells(
  rows: SiteRow[],
  excluded: ReadonlySet<string>,
): { rows: SiteRow[]; excludedWells: number } {
  if (excluded.size === 0) return { rows, excludedWells: 0 };
  const gone = new Set<string>();
  const kept = rows.filter((r) => {
    if (!excluded.has(r.idCode)) return true;
    gone.add(r.idCode);
    return false;
  });
  return { rows: kept, excludedWells: gone.size };
}

/**
 * The rows, class list and split of a new run (and of training.validate's counts). The class list
 * comes from the kept rows (review exclusions applied) before any split, with class coverage
 * (minClassExperiments) leaving out classes seen in too few experiments. The split is drawn over
 * every well, excluded or not, and excluded wells and wells of left-out classes are then dropped
 * from whichever side they fell on: a review decision or the coverage setting never moves another
 * well between training and validation, so runs made before and after stay comparable on the same
 * validation wells. `excluded` null: exclusions not applied.
 */
export function trainingSet(
  allRows: SiteRow[],
  config: TrainConfig,
  excluded: ReadonlySet<string> | null,
): {
  rows: SiteRow[];
  classes: ReturnType<typeof buildClassList>;
  split: SplitResult;
  excludedWells: number;
} {
  const { rows, excludedWells } = excluded
    ? withoutExcludedWells(allRows, excluded)
    : { rows: allRows, excludedWells: 0 };
  const classes = buildClassList(rows, config);
  const known = new Set(classes.labels);
  const split = makeSplit(
    allRows,
    config,
    (r) => targetLabel(r, config.target) ?? '',
    (r) => !excluded?.has(r.idCode) && isScorable(targetLabel(r, config.target), known),
  );
  return { rows, classes, split, excludedWells };
}

/**
 * The recorded review exclusions of a run being resumed, checked against its manifest (a file
 * changed since it was recorded is refused: the run would no longer train on what it started
 * with). Null for runs from before review decisions (nothing was excluded).
 */
function recordedExclusions(runDir: string): ReviewExclusionsRecord | null {
  const record = readReviewExclusions(runDir);
  const manifestFile = runPath(runDir, 'manifest');
  if (!record || !fs.existsSync(manifestFile)) return record;
  const listed = readRunFile(manifestFile, ManifestFile, 'manifest').files[
    runFiles.reviewExclusions
  ];
  const file = runPath(runDir, 'reviewExclusions');
  if (listed && sha256File(file) !== listed.sha256)
    throw inputError(
      `${file}: does not match the run's manifest.json (changed since the run started); resuming would train on another exclusion list`,
    );
  return record;
}

/** Refuses a job that cannot start (no catalog, nothing to resume, a folder already holding a run). */
function checkJob(job: TrainJob, runDir: string, dbFile: string, resuming: boolean): void {
  if (!fs.existsSync(dbFile)) throw inputError(`${dbFile}: catalog database not found`);
  if (job.resume && !resuming && !job.config)
    throw inputError(`${runDir}: holds no run to resume (no config.json)`);
  if (!resuming && fs.existsSync(runPath(runDir, 'run')))
    throw inputError(
      `${runDir}: already holds a run; pass --resume to continue it or choose another folder`,
    );
}

/** Whether a job continues the run in its folder (asked to resume, and config.json is there). */
export function isResume(job: TrainJob): boolean {
  return Boolean(job.resume) && fs.existsSync(runPath(path.resolve(job.runDir), 'config'));
}

/** Checks the job before the backend starts (errors name the folder or catalog at fault). */
export function checkTrainJob(job: TrainJob): void {
  checkJob(job, path.resolve(job.runDir), path.resolve(job.dbFile), isResume(job));
}

/**
 * Prepares the run folder (after `checkTrainJob`) on `backendName`: a resume reloads config/classes/split and marks the run
 * running; a new run derives the class list and split from the catalog and writes them with an
 * empty metrics log and run.json. Errors: INVALID_INPUT (fewer than 2 classes, no config).
 */
export function setUpRun(job: TrainJob, backendName: string): RunSetup {
  const runDir = path.resolve(job.runDir);
  const dbFile = path.resolve(job.dbFile);
  const runId = path.basename(runDir);
  const resuming = isResume(job);
  const db = openCatalog(dbFile);
  let rows: SiteRow[];
  let root: string;
  let dataset: DatasetRef;
  let current: ReturnType<typeof reviewExclusions>;
  try {
    root = datasetRoot(db, dbFile);
    dataset = datasetIdentity(db, dbFile);
    rows = loadSiteRows(db, 'train');
    current = reviewExclusions(db);
  } finally {
    db.close();
  }

  let config: TrainConfig;
  let classes: ClassList;
  let split: SplitResult;
  let record: ReviewExclusionsRecord | null;
  let excludedWells = 0;
  if (resuming) {
    config = readRunConfig(runDir);
    classes = readClassList(runDir);
    split = readSplit(runDir);
    // The list recorded when the run started, never today's decisions (exact resume).
    record = recordedExclusions(runDir);
    if (record?.applied)
      ({ rows, excludedWells } = withoutExcludedWells(
        rows,
        new Set(record.excluded.map((d) => d.idCode)),
      ));
    updateRunInfo(runDir, {
      status: 'running',
      pid: process.pid,
      backend: backendName,
      error: null,
    });
  } else {
    if (!job.config) throw inputError('a training config is required for a new run');
    config = job.config;
    record = {
      applied: config.useReviewExclusions !== false,
      excluded: current.excluded,
      suspectLabel: current.suspectLabel,
    };
    const set = trainingSet(
      rows,
      config,
      record.applied ? new Set(record.excluded.map((d) => d.idCode)) : null,
    );
    ({ rows, classes, excludedWells } = set);
    if (classes.labels.length < 2) {
      const left = describeCoverage(classes.coverage);
      throw inputError(
        `${dbFile}: only ${classes.labels.length} class(es) for target "${config.target}"; need at least 2 labelled classes` +
          (left ? ` (class coverage ${left}: lower minClassExperiments)` : ''),
      );
    }
    split = set.split;
    fs.mkdirSync(runDir, { recursive: true });
    writeJsonAtomic(runPath(runDir, 'config'), config);
    writeJsonAtomic(runPath(runDir, 'classes'), classes);
    writeJsonAtomic(runPath(runDir, 'split'), split);
    writeJsonAtomic(runPath(runDir, 'reviewExclusions'), record);
    fs.writeFileSync(runPath(runDir, 'metrics'), '');
    const now = new Date().toISOString();
    const info: RunInfo = {
      runId,
      createdAt: now,
      updatedAt: now,
      status: 'running',
      backend: backendName,
      dbFile,
      dataset,
      pid: process.pid,
      epochsDone: 0,
      bestValAccuracy: null,
      imagesPerSecond: null,
      warnings: split.warnings,
      error: null,
      reviewExcluded: excludedWells,
      ...(classes.coverage ? { classCoverage: classes.coverage } : {}),
    };
    writeJsonAtomic(runPath(runDir, 'run'), info);
  }
  const configSha = crypto.createHash('sha256').update(JSON.stringify(config)).digest('hex');
  return {
    runDir,
    dbFile,
    runId,
    resuming,
    root,
    rows,
    config,
    configSha,
    classes,
    split,
    review: { applied: record?.applied ?? false, excludedWells, record },
  };
}
