// Review decisions (issue 14): a scientist marks a well 'exclude' (bad image) or 'suspect_label',
// with an optional note, per dataset (in its catalog, never per run). The one owner of their SQL:
// the migration, set / undo / list / history, and the exclusion list training reads.
//
// Storage: an append-only log, `review_decisions`, one row per change (a decision, or a clear with
// decision NULL). A well's current decision is its newest row that is not undone; undo marks that
// row undone (`undone_at`), so the row before it is current again: undo restores the exact previous
// state and nothing is ever deleted. Rows are keyed by the well's id_code (with its experiment,
// plate and well copied in), not by wells.id, so a re-index that rebuilds well rows loses nothing.
import {
  REVIEW_NOTE_MAX,
  type ReviewChange,
  type ReviewCurrent,
  type ReviewDecisionKind,
} from '../../../src-shared/contract';
import { inputError, notFound, PlateLabError } from '../errors';
import type { Catalog } from './db';
import type { Migration } from './migrations';

export type { ReviewChange, ReviewCurrent, ReviewDecisionKind };

/**
 * Migration 30 (review decisions; numbered after every area's so a catalog from before per-version
 * migration tracking, whose user_version marks 1–20 as applied, still gets it).
 */
export const reviewMigrations: Migration[] = [
  {
    version: 30,
    name: 'catalog-review-decisions',
    sql: `
      CREATE TABLE review_decisions (
        id INTEGER PRIMARY KEY,
        id_code TEXT NOT NULL,
        experiment TEXT NOT NULL,
        plate INTEGER NOT NULL,
        well TEXT NOT NULL,
        -- NULL: the change cleared the well's decision.
        decision TEXT CHECK (decision IS NULL OR decision IN ('exclude', 'suspect_label')),
        note TEXT,
        created_at TEXT NOT NULL,
        -- Set when the change was undone: it no longer counts, but stays in the history.
        undone_at TEXT
      );
      CREATE INDEX review_decisions_by_well ON review_decisions (id_code, id);
    `,
  },
];

interface RawChange {
  id: number;
  id_code: string;
  experiment: string;
  plate: number;
  well: string;
  decision: ReviewDecisionKind | null;
  note: string | null;
  created_at: string;
  undone_at: string | null;
}

const CHANGE_COLUMNS =
  'id, id_code, experiment, plate, well, decision, note, created_at, undone_at';

function change(r: RawChange): ReviewChange {
  return {
    id: r.id,
    idCode: r.id_code,
    experiment: r.experiment,
    plate: r.plate,
    well: r.well,
    decision: r.decision,
    note: r.note,
    createdAt: r.created_at,
    undoneAt: r.undone_at,
  };
}

/** The newest change of each well that is not undone (SQL over review_decisions). */
const CURRENT_ROWS = `
  SELECT ${CHANGE_COLUMNS} FROM review_decisions r
  WHERE r.undone_at IS NULL AND r.id = (
    SELECT MAX(r2.id) FROM review_decisions r2 WHERE r2.id_code = r.id_code AND r2.undone_at IS NULL)`;

function current(r: RawChange): ReviewCurrent {
  return {
    idCode: r.id_code,
    experiment: r.experiment,
    plate: r.plate,
    well: r.well,
    decision: r.decision!,
    note: r.note,
    decidedAt: r.created_at,
    changeId: r.id,
  };
}

/** A well's newest change that is not undone (its current state; decision null = cleared), or undefined. */
function activeChange(db: Catalog, idCode: string): RawChange | undefined {
  return db
    .prepare(
      `SELECT ${CHANGE_COLUMNS} FROM review_decisions
       WHERE id_code = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1`,
    )
    .get(idCode) as RawChange | undefined;
}

/** A well's current decision, or null when it has none. */
export function reviewDecisionOf(db: Catalog, idCode: string): ReviewCurrent | null {
  const r = activeChange(db, idCode);
  return r && r.decision !== null ? current(r) : null;
}

/**
 * Sets (decision 'exclude' | 'suspect_label') or clears (null) the decision of well `idCode`, with
 * an optional note (trimmed; '' = none), as one new change at time `now` (ISO). Setting what is
 * already current (same decision and note), or clearing a well without one, changes nothing and
 * returns `change: null`. Errors: NOT_FOUND for a well not in the catalog; INVALID_INPUT for a
 * note over REVIEW_NOTE_MAX characters.
 */
export function setReviewDecision(
  db: Catalog,
  idCode: string,
  decision: ReviewDecisionKind | null,
  note: string | null = null,
  now: string = new Date().toISOString(),
): { change: ReviewChange | null; current: ReviewCurrent | null } {
  const text = note?.trim() ? note.trim() : null;
  if (text && text.length > REVIEW_NOTE_MAX)
    throw inputError(
      `review note for ${idCode}: ${text.length} characters, at most ${REVIEW_NOTE_MAX}`,
    );
  const well = db
    .prepare(
      `SELECT w.id_code AS idCode, e.name AS experiment, p.plate, w.well
       FROM wells w JOIN plates p ON p.id = w.plate_id JOIN experiments e ON e.id = p.experiment_id
       WHERE w.id_code = ?`,
    )
    .get(idCode) as { idCode: string; experiment: string; plate: number; well: string } | undefined;
  if (!well) throw notFound(`well ${idCode} is not in the catalog`);
  return db.transaction(() => {
    const before = reviewDecisionOf(db, idCode);
    const unchanged =
      decision === null ? before === null : before?.decision === decision && before.note === text;
    if (unchanged) return { change: null, current: before };
    const id = db
      .prepare(
        `INSERT INTO review_decisions (id_code, experiment, plate, well, decision, note, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        well.idCode,
        well.experiment,
        well.plate,
        well.well,
        decision,
        text,
        now,
      ).lastInsertRowid;
    const row = db
      .prepare(`SELECT ${CHANGE_COLUMNS} FROM review_decisions WHERE id = ?`)
      .get(id) as RawChange;
    return { change: change(row), current: reviewDecisionOf(db, idCode) };
  })();
}

/**
 * Undoes one change at time `now`: change `id` when given, else the newest change of well
 * `idCode`, else the newest change of the catalog. The well's previous change becomes current
 * again (exact: the row is only marked undone). Errors: NOT_FOUND when there is nothing to undo
 * (or no such change); CONFLICT when change `id` is already undone or a later change of its well
 * is still in force (undo that one first, so undo never skips over a decision).
 */
export function undoReviewDecision(
  db: Catalog,
  target: { id?: number; idCode?: string } = {},
  now: string = new Date().toISOString(),
): { undone: ReviewChange; current: ReviewCurrent | null } {
  return db.transaction(() => {
    let row: RawChange | undefined;
    if (target.id !== undefined) {
      row = db
        .prepare(`SELECT ${CHANGE_COLUMNS} FROM review_decisions WHERE id = ?`)
        .get(target.id) as RawChange | undefined;
      if (!row) throw notFound(`review change ${target.id} does not exist`);
      if (target.idCode !== undefined && target.idCode !== row.id_code)
        throw inputError(
          `review change ${row.id} is a change of ${row.id_code}, not of ${target.idCode}`,
        );
      if (row.undone_at !== null)
        throw new PlateLabError(
          'CONFLICT',
          `review change ${row.id} of ${row.id_code} is already undone`,
        );
      const newest = activeChange(db, row.id_code)!;
      if (newest.id !== row.id)
        throw new PlateLabError(
          'CONFLICT',
          `${row.id_code} was changed again after review change ${row.id}: undo its newer change first`,
          { newer: newest.id },
        );
    } else if (target.idCode !== undefined) {
      row = activeChange(db, target.idCode);
      if (!row) throw notFound(`well ${target.idCode} has no review decision to undo`);
    } else {
      row = db
        .prepare(
          `SELECT ${CHANGE_COLUMNS} FROM review_decisions WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1`,
        )
        .get() as RawChange | undefined;
      if (!row) throw notFound('there is no review decision to undo');
    }
    db.prepare('UPDATE review_decisions SET undone_at = ? WHERE id = ?').run(now, row.id);
    return {
      undone: change({ ...row, undone_at: now }),
      current: reviewDecisionOf(db, row.id_code),
    };
  })();
}

export interface ReviewCounts {
  exclude: number;
  suspect_label: number;
  total: number;
}

/**
 * The current decisions (wells whose newest change in force is a decision), ordered by experiment,
 * plate, well; `decision` keeps one kind only. Counts are over all current decisions, whatever
 * the filter.
 */
export function listReviewDecisions(
  db: Catalog,
  filter: { decision?: ReviewDecisionKind; experiment?: string; plate?: number } = {},
): { decisions: ReviewCurrent[]; counts: ReviewCounts } {
  const rows = (
    db
      .prepare(`${CURRENT_ROWS} AND r.decision IS NOT NULL ORDER BY r.experiment, r.plate, r.well`)
      .all() as RawChange[]
  ).map(current);
  const counts: ReviewCounts = {
    exclude: rows.filter((r) => r.decision === 'exclude').length,
    suspect_label: rows.filter((r) => r.decision === 'suspect_label').length,
    total: rows.length,
  };
  const decisions = rows.filter(
    (r) =>
      (filter.decision === undefined || r.decision === filter.decision) &&
      (filter.experiment === undefined || r.experiment === filter.experiment) &&
      (filter.plate === undefined || r.plate === filter.plate),
  );
  return { decisions, counts };
}

/** Every change, newest first (undone ones included, with `undoneAt`); one well's with `idCode`. */
export function reviewHistory(
  db: Catalog,
  opts: { idCode?: string; limit?: number } = {},
): ReviewChange[] {
  const where = opts.idCode !== undefined ? 'WHERE id_code = ?' : '';
  const args: Array<string | number> = opts.idCode !== undefined ? [opts.idCode] : [];
  return (
    db
      .prepare(`SELECT ${CHANGE_COLUMNS} FROM review_decisions ${where} ORDER BY id DESC LIMIT ?`)
      .all(...args, opts.limit ?? -1) as RawChange[]
  ).map(change);
}

/** A plate's current decisions by well name ('B02' → 'exclude'), for the plate view. */
export function plateReviewDecisions(
  db: Catalog,
  experiment: string,
  plate: number,
): Map<string, ReviewDecisionKind> {
  return new Map(
    listReviewDecisions(db, { experiment, plate }).decisions.map((d) => [d.well, d.decision]),
  );
}

/** The wells training leaves out (current 'exclude') and the ones it keeps but lists (suspect label). */
export interface ReviewExclusions {
  /** Current 'exclude' decisions, sorted by id_code. */
  excluded: ReviewCurrent[];
  /** Current 'suspect_label' decisions, sorted by id_code: kept in training, recorded with the run. */
  suspectLabel: ReviewCurrent[];
}

/** The current exclusion list, in a stable order (id_code) so its file hash depends on content only. */
export function reviewExclusions(db: Catalog): ReviewExclusions {
  const byId = (a: ReviewCurrent, b: ReviewCurrent) =>
    a.idCode < b.idCode ? -1 : a.idCode > b.idCode ? 1 : 0;
  const { decisions } = listReviewDecisions(db);
  return {
    excluded: decisions.filter((d) => d.decision === 'exclude').sort(byId),
    suspectLabel: decisions.filter((d) => d.decision === 'suspect_label').sort(byId),
  };
}
