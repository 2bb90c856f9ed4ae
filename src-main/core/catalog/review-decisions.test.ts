// Review decisions on a real SQLite catalog file: set / clear / undo / list / history (undo restores
// the exact previous state), and migration 30 on catalogs made before it (nothing lost).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyDataset, type TinyDataset } from '../../../test-support/learn/tiny-dataset';
import { migrate, openCatalog, type Catalog } from './db';
import { MIGRATIONS } from './migrations';
import { readMeta } from './meta';
import {
  listReviewDecisions,
  plateReviewDecisions,
  reviewDecisionOf,
  reviewExclusions,
  reviewHistory,
  setReviewDecision,
  undoReviewDecision,
} from './review-decisions';

let ds: TinyDataset;
beforeAll(async () => {
  ds = await makeTinyDataset({ classes: 4, plates: 1, size: 8 });
});
afterAll(() => ds.cleanup());

/** A fresh copy of the tiny catalog (each test starts from no decisions). */
function freshCatalog(name: string): { db: Catalog; file: string } {
  const file = path.join(ds.root, `${name}.sqlite`);
  fs.copyFileSync(ds.dbFile, file);
  return { db: openCatalog(file), file };
}

const snapshot = (db: Catalog) => ({
  list: listReviewDecisions(db),
  exclusions: reviewExclusions(db),
});

describe('review decisions', () => {
  it('sets, replaces, clears and lists decisions with counts; history keeps every change', () => {
    const { db, file } = freshCatalog('set');
    const [a, b, c] = (
      db.prepare('SELECT id_code FROM wells ORDER BY id_code LIMIT 3').all() as {
        id_code: string;
      }[]
    ).map((r) => r.id_code) as [string, string, string];
    expect(reviewDecisionOf(db, a)).toBeNull();
    const first = setReviewDecision(db, a, 'exclude', '  out of focus ', '2026-01-01T00:00:00Z');
    expect(first.change).toMatchObject({ idCode: a, decision: 'exclude', note: 'out of focus' });
    expect(first.current).toMatchObject({ decision: 'exclude', note: 'out of focus' });
    setReviewDecision(db, b, 'suspect_label', null, '2026-01-01T00:00:01Z');
    setReviewDecision(db, c, 'exclude', '', '2026-01-01T00:00:02Z');
    // The same decision again changes nothing.
    expect(setReviewDecision(db, c, 'exclude', null).change).toBeNull();
    let l = listReviewDecisions(db);
    expect(l.counts).toEqual({ exclude: 2, suspect_label: 1, total: 3 });
    expect(
      listReviewDecisions(db, { decision: 'suspect_label' }).decisions.map((d) => d.idCode),
    ).toEqual([b]);
    // Replace and clear.
    setReviewDecision(db, a, 'suspect_label', 'looks like 3', '2026-01-01T00:00:03Z');
    setReviewDecision(db, c, null, null, '2026-01-01T00:00:04Z');
    l = listReviewDecisions(db);
    expect(l.counts).toEqual({ exclude: 0, suspect_label: 2, total: 2 });
    expect(reviewExclusions(db).excluded).toEqual([]);
    expect(reviewExclusions(db).suspectLabel.map((d) => d.idCode)).toEqual([a, b].sort());
    const h = reviewHistory(db);
    expect(h.map((x) => [x.idCode, x.decision])).toEqual([
      [c, null],
      [a, 'suspect_label'],
      [c, 'exclude'],
      [b, 'suspect_label'],
      [a, 'exclude'],
    ]);
    expect(reviewHistory(db, { idCode: a }).length).toBe(2);
    const [experiment, plate, well] = a.split('_') as [string, string, string];
    expect(plateReviewDecisions(db, experiment, Number(plate)).get(well)).toBe('suspect_label');
    db.close();
    // Stored in the file: a second connection sees the same.
    const again = openCatalog(file);
    expect(listReviewDecisions(again).counts.total).toBe(2);
    again.close();
  });

  it('undo restores the exact previous state, step by step, and keeps the undone change in the history', () => {
    const { db } = freshCatalog('undo');
    const [a, b] = (
      db.prepare('SELECT id_code FROM wells ORDER BY id_code LIMIT 2').all() as {
        id_code: string;
      }[]
    ).map((r) => r.id_code) as [string, string];
    const states = [snapshot(db)];
    setReviewDecision(db, a, 'exclude', 'debris');
    states.push(snapshot(db));
    setReviewDecision(db, b, 'suspect_label');
    states.push(snapshot(db));
    setReviewDecision(db, a, 'suspect_label', 'second look');
    states.push(snapshot(db));
    setReviewDecision(db, a, null);
    states.push(snapshot(db));
    // Undo the well's newest change, then the dataset's newest, back to the start.
    const u1 = undoReviewDecision(db, { idCode: a });
    expect(u1.undone.decision).toBeNull();
    expect(u1.current).toMatchObject({ decision: 'suspect_label', note: 'second look' });
    expect(snapshot(db)).toEqual(states[3]);
    undoReviewDecision(db, { idCode: a });
    expect(snapshot(db)).toEqual(states[2]);
    expect(reviewDecisionOf(db, a)).toMatchObject({ decision: 'exclude', note: 'debris' });
    undoReviewDecision(db);
    expect(snapshot(db)).toEqual(states[1]);
    undoReviewDecision(db);
    expect(snapshot(db)).toEqual(states[0]);
    expect(() => undoReviewDecision(db)).toThrow(/no review decision to undo/);
    // Nothing is deleted: every change is still in the history, marked undone.
    const h = reviewHistory(db);
    expect(h).toHaveLength(4);
    expect(h.every((x) => x.undoneAt !== null)).toBe(true);
    db.close();
  });

  it('undoes a given change only while it is the one in force', () => {
    const { db } = freshCatalog('undo-id');
    const a = (db.prepare('SELECT id_code FROM wells LIMIT 1').get() as { id_code: string })
      .id_code;
    const first = setReviewDecision(db, a, 'exclude').change!;
    const second = setReviewDecision(db, a, 'suspect_label').change!;
    expect(() => undoReviewDecision(db, { id: first.id })).toThrow(/changed again/);
    expect(undoReviewDecision(db, { id: second.id }).current?.decision).toBe('exclude');
    expect(() => undoReviewDecision(db, { id: second.id })).toThrow(/already undone/);
    expect(() => undoReviewDecision(db, { id: 9999 })).toThrow(/does not exist/);
    const other = (
      db.prepare('SELECT id_code FROM wells WHERE id_code != ? LIMIT 1').get(a) as {
        id_code: string;
      }
    ).id_code;
    const third = setReviewDecision(db, a, 'suspect_label', 'again').change!;
    expect(() => undoReviewDecision(db, { id: third.id, idCode: other })).toThrow(/not of/);
    db.close();
  });

  it('keeps a decision when a re-index removes and re-adds its well (keyed by id_code)', () => {
    const { db } = freshCatalog('reindex');
    const w = db.prepare('SELECT * FROM wells LIMIT 1').get() as Record<string, unknown> & {
      id: number;
      id_code: string;
    };
    setReviewDecision(db, w.id_code, 'exclude', 'empty well');
    // What metadata-sync does for a well gone from the CSVs: its row goes (sites cascade).
    db.prepare('DELETE FROM wells WHERE id = ?').run(w.id);
    expect(reviewExclusions(db).excluded.map((d) => d.idCode)).toEqual([w.id_code]);
    // Indexed again (a new row id): the decision applies to it as before.
    const cols = Object.keys(w).filter((k) => k !== 'id');
    db.prepare(
      `INSERT INTO wells (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
    ).run(...cols.map((k) => w[k]));
    expect(reviewDecisionOf(db, w.id_code)).toMatchObject({
      decision: 'exclude',
      note: 'empty well',
    });
    db.close();
  });

  it('refuses a well not in the catalog and an over-long note', () => {
    const { db } = freshCatalog('bad');
    expect(() => setReviewDecision(db, 'NOPE-01_1_B02', 'exclude')).toThrow(/not in the catalog/);
    const a = (db.prepare('SELECT id_code FROM wells LIMIT 1').get() as { id_code: string })
      .id_code;
    expect(() => setReviewDecision(db, a, 'exclude', 'x'.repeat(2001))).toThrow(/at most 2000/);
    expect(listReviewDecisions(db).counts.total).toBe(0);
    db.close();
  });
});

describe('migration 30 (review decisions) on an existing catalog', () => {
  const counts = (db: Database.Database) =>
    Object.fromEntries(
      ['experiments', 'plates', 'wells', 'sites', 'images', 'meta'].map((t) => [
        t,
        (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n,
      ]),
    );

  it('adds the table to a catalog made before it; nothing indexed is lost', () => {
    // A catalog as the previous release left it: every migration up to 20, and data.
    const file = path.join(ds.root, 'old.sqlite');
    const old = new Database(file);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version < 30),
    );
    old.close();
    const src = new Database(ds.dbFile, { readonly: true });
    const before = counts(src);
    src.close();
    // Copy the tiny dataset's rows in (the old catalog's own tables).
    const db0 = new Database(file);
    db0.exec(`ATTACH DATABASE '${ds.dbFile}' AS src`);
    for (const t of ['experiments', 'plates', 'wells', 'sites', 'images'])
      db0.exec(`INSERT INTO ${t} SELECT * FROM src.${t}`);
    db0.exec('DELETE FROM meta; INSERT INTO meta SELECT * FROM src.meta');
    db0.exec('DETACH DATABASE src');
    expect(
      db0.prepare("SELECT 1 FROM sqlite_master WHERE name = 'review_decisions'").get(),
    ).toBeUndefined();
    const datasetId = db0.prepare("SELECT value FROM meta WHERE key = 'dataset_id'").get();
    db0.close();

    const db = openCatalog(file);
    expect(counts(db)).toEqual(before);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'dataset_id'").get()).toEqual(datasetId);
    expect(db.prepare('SELECT 1 FROM schema_migrations WHERE version = 30').get()).toBeTruthy();
    expect(db.pragma('user_version', { simple: true })).toBe(
      Math.max(...MIGRATIONS.map((m) => m.version)),
    );
    const a = (db.prepare('SELECT id_code FROM wells LIMIT 1').get() as { id_code: string })
      .id_code;
    expect(setReviewDecision(db, a, 'exclude').current?.decision).toBe('exclude');
    db.close();
  });

  it('runs on a catalog from before per-version tracking (user_version 20), not skipped as legacy', () => {
    const file = path.join(ds.root, 'legacy.sqlite');
    const legacy = new Database(file);
    for (const m of MIGRATIONS.filter((x) => x.version < 30)) legacy.exec(m.sql);
    legacy.pragma('user_version = 20');
    legacy.close();
    const db = openCatalog(file);
    expect(
      db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'review_decisions'").get(),
    ).toBeTruthy();
    expect(readMeta(db, 'dataset_id')).toMatch(/^[0-9a-f]{32}$/);
    db.close();
  });
});
