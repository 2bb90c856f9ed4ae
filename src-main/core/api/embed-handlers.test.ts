// embedding.get / embedding.umap on a real tiny trained run of the tiny demo: the embedding stored by
// predict, PCA points and the organisation numbers, a UMAP 'embed' job on a worker thread (progress,
// catalog:changed, cached, deterministic, cancellable), and clear refusals for a set without one.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../src-shared/contract';
import { invoke } from './dispatch';
import { embedHandlers } from './embed-handlers';
import type { Handlers } from './handler-types';
import { trainTinyRun } from '../../../test-support/learn/tiny-config';
import { makeTestApp, ok, type TestApp } from '../../../test-support/app/test-app';
import { predictRun } from '../learn/predict/predict';
import {
  loadPredictionSet,
  loadSetEmbedding,
  savePredictionSet,
} from '../learn/predict/prediction-files';

let app: TestApp;
let runDir: string;
const runId = 'embed-run';

beforeAll(async () => {
  app = await makeTestApp();
  runDir = path.join(app.ctx.layout.runs, runId);
  await trainTinyRun(app.ctx.dataset!.dbFile, runDir, { epochs: 1 });
  await predictRun({ runDir, split: 'val', dbFile: app.ctx.dataset!.dbFile, assign: false });
}, 240_000);
afterAll(async () => app?.cleanup());

const predictions = (): string => path.join(runDir, 'predictions');

describe('embedding.get', () => {
  it('returns every validation well with PCA coordinates and the organisation numbers', async () => {
    const v = ok(await invoke(app.handlers, 'embedding.get', { runId, split: 'val' }));
    const setJson = JSON.parse(fs.readFileSync(path.join(predictions(), 'val.json'), 'utf8')) as {
      wells: { idCode: string; truth: string | null }[];
      embedding: { file: string; dims: number; sha256: string };
    };
    expect(v.projection).toBe('pca');
    expect(v.umap.state).toBe('missing');
    expect(v.points.map((p) => p.idCode)).toEqual(setJson.wells.map((w) => w.idCode));
    // resnet-mini at the tiny config's width: the pooled features' width, stored with the set.
    expect(v.dims).toBe(setJson.embedding.dims);
    expect(fs.statSync(path.join(predictions(), setJson.embedding.file)).size).toBe(
      setJson.wells.length * v.dims * 4,
    );
    for (const p of v.points) {
      expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
      expect(p.sirnaLabel).toBe(setJson.wells.find((w) => w.idCode === p.idCode)!.truth);
      expect(p.correct).toBe(p.sirna === p.predicted);
    }
    // PCA spreads the wells: not all on one spot.
    expect(new Set(v.points.map((p) => p.x.toFixed(4))).size).toBeGreaterThan(1);
    const o = v.organisation;
    expect(o.wells).toBe(v.points.length);
    for (const f of [o.sameExperiment, o.sameExperimentChance, o.sameCellType, o.sameSirna!]) {
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThanOrEqual(1);
    }
    expect(o.note).toMatch(/nearest neighbours/);
    // Both are cached beside the set, keyed by the embedding's SHA-256.
    const pca = JSON.parse(
      fs.readFileSync(path.join(predictions(), 'val-embed.pca.json'), 'utf8'),
    ) as { embeddingSha256: string };
    expect(pca.embeddingSha256).toBe(setJson.embedding.sha256);
    expect(fs.existsSync(path.join(predictions(), 'val-embed.organisation.json'))).toBe(true);
    // Asking for UMAP before it exists gives the PCA points and says so.
    const u = ok(
      await invoke(app.handlers, 'embedding.get', { runId, split: 'val', projection: 'umap' }),
    );
    expect(u.projection).toBe('pca');
    expect(u.umap.state).toBe('missing');
    expect(u.points.map((p) => p.x)).toEqual(v.points.map((p) => p.x));
  });

  it('runs UMAP as an embed job with progress, caches it, and redraws the same layout', async () => {
    const updates: Job[] = [];
    const changed: string[][] = [];
    const off = app.ctx.events.subscribe((m) => {
      if (m.event === 'job:update' && m.payload.kind === 'embed') updates.push(m.payload);
      if (m.event === 'catalog:changed') changed.push(m.payload.tables);
    });
    const { jobId } = ok(await invoke(app.handlers, 'embedding.umap', { runId, split: 'val' }));
    // A second ask while it runs returns the same job.
    const again = ok(await invoke(app.handlers, 'embedding.umap', { runId, split: 'val' }));
    expect(again.jobId).toBe(jobId);
    const job = await app.ctx.jobs.wait(jobId);
    off();
    expect(job.status, JSON.stringify(job.error)).toBe('done');
    expect(updates.some((u) => u.status === 'running' && /UMAP/.test(u.message))).toBe(true);
    expect(changed).toContainEqual(['embeddings']);
    const v = ok(
      await invoke(app.handlers, 'embedding.get', { runId, split: 'val', projection: 'umap' }),
    );
    expect(v.projection).toBe('umap');
    expect(v.umap.state).toBe('ready');
    // Seeded: computing it again from scratch gives the same coordinates.
    fs.rmSync(path.join(predictions(), 'val-embed.umap.json'));
    const j2 = ok(await invoke(app.handlers, 'embedding.umap', { runId, split: 'val' }));
    expect((await app.ctx.jobs.wait(j2.jobId)).status).toBe('done');
    const w = ok(
      await invoke(app.handlers, 'embedding.get', { runId, split: 'val', projection: 'umap' }),
    );
    expect(w.points.map((p) => [p.x, p.y])).toEqual(v.points.map((p) => [p.x, p.y]));
  });

  it('cancels a UMAP job', async () => {
    fs.rmSync(path.join(predictions(), 'val-embed.umap.json'), { force: true });
    const { jobId } = ok(await invoke(app.handlers, 'embedding.umap', { runId, split: 'val' }));
    ok(await invoke(app.handlers, 'jobs.cancel', { jobId }));
    expect((await app.ctx.jobs.wait(jobId)).status).toBe('cancelled');
    expect(fs.existsSync(path.join(predictions(), 'val-embed.umap.json'))).toBe(false);
  });

  it('refuses clearly: no test predictions, a set predicted before embeddings, a changed file', async () => {
    const none = await invoke(app.handlers, 'embedding.get', { runId, split: 'test' });
    expect(none.ok ? '' : `${none.error.code} ${none.error.message}`).toMatch(
      /NOT_FOUND.*no test predictions.*run predict first/,
    );
    const file = path.join(predictions(), 'val.json');
    const original = fs.readFileSync(file, 'utf8');
    const embedFile = path.join(predictions(), 'val-embed.f32');
    const embedBytes = fs.readFileSync(embedFile);
    try {
      const old = JSON.parse(original) as Record<string, unknown>;
      delete old.embedding;
      fs.writeFileSync(file, JSON.stringify(old));
      const r = await invoke(app.handlers, 'embedding.get', { runId, split: 'val' });
      expect(r.ok ? '' : `${r.error.code} ${r.error.message}`).toMatch(
        /INVALID_INPUT.*before embeddings were stored.*predict val with run embed-run again to get embeddings/,
      );
      // An ensemble folder stores no embedding of its own and says so.
      fs.writeFileSync(path.join(runDir, 'ensemble.json'), '{}');
      const ens = await invoke(app.handlers, 'embedding.get', { runId, split: 'val' });
      fs.rmSync(path.join(runDir, 'ensemble.json'));
      expect(ens.ok ? '' : ens.error.message).toMatch(/is an ensemble: it has no embedding/);
      fs.writeFileSync(file, original);
      const changed = Buffer.from(embedBytes);
      changed.writeFloatLE(Number.NaN, 0);
      fs.writeFileSync(embedFile, changed);
      const t = await invoke(app.handlers, 'embedding.get', { runId, split: 'val' });
      expect(t.ok ? '' : `${t.error.code} ${t.error.message}`).toMatch(
        /INVALID_INPUT.*val-embed\.f32: does not belong to its prediction set.*again/,
      );
    } finally {
      fs.writeFileSync(file, original);
      fs.writeFileSync(embedFile, embedBytes);
    }
    expect(ok(await invoke(app.handlers, 'embedding.get', { runId, split: 'val' })).dims).toBe(
      JSON.parse(original).embedding.dims,
    );
  });

  it('refuses to store an embedding with NaN/Inf and leaves the stored set as it was', () => {
    const set = loadPredictionSet(runDir, 'val')!;
    const emb = loadSetEmbedding(runDir, set);
    const bad = Float32Array.from(emb.values);
    bad[emb.dims + 1] = Number.POSITIVE_INFINITY;
    const files = ['val.json', 'val-embed.f32', 'val-probs.f32'].map((f) =>
      fs.readFileSync(path.join(predictions(), f)),
    );
    expect(() =>
      savePredictionSet(
        runDir,
        { ...set, embedding: { values: bad, dims: emb.dims } },
        { accuracy: set.accuracy, accuracyAssigned: set.accuracyAssigned },
      ),
    ).toThrow(
      new RegExp(
        `1 of ${set.wells.length} well embedding\\(s\\) hold NaN/Inf \\(first: ${set.wells[1]!.idCode}\\).*nothing was saved`,
      ),
    );
    ['val.json', 'val-embed.f32', 'val-probs.f32'].forEach((f, i) =>
      expect(fs.readFileSync(path.join(predictions(), f)).equals(files[i]!)).toBe(true),
    );
  });

  it("estimates a large set's neighbour numbers on a sample until the UMAP job computes them all", async () => {
    const cache = path.join(predictions(), 'val-embed.organisation.json');
    const full = ok(await invoke(app.handlers, 'embedding.get', { runId, split: 'val' }));
    const n = full.points.length;
    fs.rmSync(cache);
    const small = {
      ...app.handlers,
      ...embedHandlers(app.ctx, { inlineOrganisationWells: 3 }),
    } as Handlers;
    const est = ok(await invoke(small, 'embedding.get', { runId, split: 'val' }));
    expect(est.organisation.wells).toBe(3);
    expect(est.organisation.note).toMatch(new RegExp(`^estimated on a random 3 of ${n} wells`));
    expect(est.points.length).toBe(n);
    expect(fs.existsSync(cache)).toBe(false);
    // The job (on the worker thread) computes and caches the whole set's numbers.
    const { jobId } = ok(await invoke(small, 'embedding.umap', { runId, split: 'val' }));
    expect((await app.ctx.jobs.wait(jobId)).status).toBe('done');
    const after = ok(await invoke(small, 'embedding.get', { runId, split: 'val' }));
    expect(after.organisation).toEqual(full.organisation);
  });
});
