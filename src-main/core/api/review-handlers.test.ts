// The review.* calls on the tiny demo through the handler table: set / clear / undo with
// catalog:changed, the list with counts and history, the well's decision in wells.detail, the CSV
// export (parsed back), and training.validate counting (and leaving out) the excluded wells.
import fs from 'node:fs';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../src-shared/contract';
import { makeTestApp, type TestApp } from '../../../test-support/app/test-app';
import { defaultConfigFor } from '../learn/config/default-config';
import { invoke } from './dispatch';
import { REVIEW_CSV_COLUMNS } from './review-handlers';

function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.data;
}

let app: TestApp;
let trainWells: string[];
beforeAll(async () => {
  app = await makeTestApp();
  trainWells = (
    app.ctx
      .dataset!.db.prepare(
        `SELECT w.id_code FROM wells w JOIN plates p ON p.id = w.plate_id
         JOIN experiments e ON e.id = p.experiment_id
         WHERE e.split = 'train' AND w.well_type = 'treatment' ORDER BY w.id_code`,
      )
      .all() as { id_code: string }[]
  ).map((r) => r.id_code);
});
afterAll(async () => app?.cleanup());

describe('review calls', () => {
  it('set, list, detail, undo: each change announces the table; undo restores the list', async () => {
    const [a, b] = trainWells as [string, string];
    const changed: string[][] = [];
    const off = app.ctx.events.subscribe((m) => {
      if (m.event === 'catalog:changed') changed.push(m.payload.tables);
    });
    const empty = ok(await invoke(app.handlers, 'review.list', {}));
    const set = ok(
      await invoke(app.handlers, 'review.set', {
        idCode: a,
        decision: 'exclude',
        note: 'out of focus, "blurry"',
      }),
    );
    expect(set.current).toMatchObject({ idCode: a, decision: 'exclude' });
    ok(await invoke(app.handlers, 'review.set', { idCode: b, decision: 'suspect_label' }));
    // Unchanged: no change, no event.
    const same = ok(
      await invoke(app.handlers, 'review.set', { idCode: b, decision: 'suspect_label' }),
    );
    expect(same.change).toBeNull();
    expect(changed).toEqual([['review_decisions'], ['review_decisions']]);

    const list = ok(await invoke(app.handlers, 'review.list', {}));
    expect(list.counts).toEqual({ exclude: 1, suspect_label: 1, total: 2 });
    expect(list.history.map((h) => h.idCode)).toEqual([b, a]);
    const onlyEx = ok(await invoke(app.handlers, 'review.list', { decision: 'exclude' }));
    expect(onlyEx.decisions.map((d) => d.idCode)).toEqual([a]);
    expect(onlyEx.counts.total).toBe(2);
    const detail = ok(await invoke(app.handlers, 'wells.detail', { idCode: a }));
    expect(detail.well.review).toBe('exclude');

    // Undo through the notification's change id, then the well's newest change.
    const u = ok(await invoke(app.handlers, 'review.undo', { id: set.change!.id }));
    expect(u.undone.id).toBe(set.change!.id);
    expect(u.current).toBeNull();
    ok(await invoke(app.handlers, 'review.undo', { idCode: b }));
    const after = ok(await invoke(app.handlers, 'review.list', {}));
    expect(after.decisions).toEqual(empty.decisions);
    expect(after.counts).toEqual(empty.counts);
    expect(after.history.every((h) => h.undoneAt !== null)).toBe(true);
    const nothing = await invoke(app.handlers, 'review.undo', { idCode: a });
    expect(!nothing.ok && nothing.error.code).toBe('NOT_FOUND');
    const unknown = await invoke(app.handlers, 'review.set', {
      idCode: 'NOPE-01_1_B02',
      decision: 'exclude',
    });
    expect(!unknown.ok && unknown.error.code).toBe('NOT_FOUND');
    expect(changed).toHaveLength(4);
    off();
  });

  it('exports the current decisions as CSV in exports/, notes quoted, one kind on request', async () => {
    const [a, b, c] = trainWells as [string, string, string];
    ok(
      await invoke(app.handlers, 'review.set', {
        idCode: a,
        decision: 'exclude',
        note: 'debris, "lots"\nand dust',
      }),
    );
    ok(await invoke(app.handlers, 'review.set', { idCode: b, decision: 'suspect_label' }));
    ok(await invoke(app.handlers, 'review.set', { idCode: c, decision: 'exclude' }));
    ok(await invoke(app.handlers, 'review.set', { idCode: c, decision: null }));
    const r = ok(await invoke(app.handlers, 'review.export', {}));
    expect(r.path.startsWith(app.ctx.layout.exports)).toBe(true);
    expect(r.url).toContain('exports');
    expect(r.rows).toBe(2);
    const parsed = Papa.parse<Record<string, string>>(fs.readFileSync(r.path, 'utf8'), {
      header: true,
      skipEmptyLines: true,
    });
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual([...REVIEW_CSV_COLUMNS]);
    const byId = new Map(parsed.data.map((row) => [row.id_code, row]));
    expect([...byId.keys()].sort()).toEqual([a, b].sort());
    const [experiment, plate, well] = a.split('_');
    expect(byId.get(a)).toMatchObject({
      experiment,
      plate,
      well,
      decision: 'exclude',
      note: 'debris, "lots"\nand dust',
    });
    expect(byId.get(b)).toMatchObject({ decision: 'suspect_label', note: '' });
    const only = ok(await invoke(app.handlers, 'review.export', { decision: 'exclude' }));
    expect(only.rows).toBe(1);
    expect(only.path).toMatch(/review-decisions-exclude\.csv$/);
    for (const w of [b, a]) ok(await invoke(app.handlers, 'review.undo', { idCode: w }));
    ok(await invoke(app.handlers, 'review.undo', { idCode: c }));
    ok(await invoke(app.handlers, 'review.undo', { idCode: c }));
    expect(ok(await invoke(app.handlers, 'review.list', {})).counts.total).toBe(0);
  });

  it('training.validate counts the excluded wells and leaves them out unless switched off', async () => {
    const config = {
      ...defaultConfigFor('cpu'),
      split: { strategy: 'random' as const, valFraction: 0.2, seed: 1 },
      // Every class kept: on this 2-experiment dataset an excluded well can leave its class in 1
      // experiment, which class coverage 'auto' (2 of 2) would then leave out as well.
      minClassExperiments: 1,
    };
    const before = ok(await invoke(app.handlers, 'training.validate', { config }));
    expect(before.reviewExcluded).toBe(0);
    const [a, b, c] = trainWells as [string, string, string];
    for (const w of [a, b])
      ok(await invoke(app.handlers, 'review.set', { idCode: w, decision: 'exclude' }));
    ok(await invoke(app.handlers, 'review.set', { idCode: c, decision: 'suspect_label' }));
    const on = ok(await invoke(app.handlers, 'training.validate', { config }));
    expect(on.reviewExcluded).toBe(2);
    expect(on.trainWells + on.valWells).toBe(before.trainWells + before.valWells - 2);
    const offCfg = { ...config, useReviewExclusions: false };
    const offR = ok(await invoke(app.handlers, 'training.validate', { config: offCfg }));
    expect(offR.reviewExcluded).toBe(2);
    expect(offR.trainWells + offR.valWells).toBe(before.trainWells + before.valWells);
    for (let i = 0; i < 3; i++) ok(await invoke(app.handlers, 'review.undo', {}));
  });
});
