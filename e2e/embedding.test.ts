// Browser test of the embedding view on a real tiny run: the scatter draws every well of the
// validation set, hover names the well under the cursor, click opens it in the viewer, a box
// selection shows exactly the boxed wells on their plates, colour-by and the legend follow.
import { describe, expect, it } from 'vitest';
import { EmbeddingView } from '../src-shared/contract';
import { useSession } from './helpers/session';
import { fillTinyConfig, runStatus, startRun, predictSplit } from './helpers/training';

const session = useSession({ dataset: 'tiny', name: 'embedding' }, { waitForDataset: true });

let runId = '';
let view: EmbeddingView;

/** The prediction set's embedding view, straight from the API (the ground truth for the picture). */
async function fetchView(): Promise<EmbeddingView> {
  const res = await session.app.page.request.post(
    new URL('api/call/embedding.get', session.served.url).toString(),
    { data: { runId, split: 'val', projection: 'pca' } },
  );
  const body = (await res.json()) as { ok: boolean; data?: unknown; error?: { message: string } };
  if (!body.ok) throw new Error(`embedding.get failed: ${body.error?.message}`);
  return EmbeddingView.parse(body.data);
}

/** Page coordinates of data point (x, y) under the scatter's current view (its data-view). */
async function toPage(x: number, y: number): Promise<[number, number]> {
  const attr = (await session.app.byTestId('scatter').getAttribute('data-view')) ?? '';
  const [k, tx, ty] = attr.split(' ').map(Number) as [number, number, number];
  const box = await session.app.byTestId('scatter-overlay').boundingBox();
  if (!box || !Number.isFinite(k)) throw new Error(`no scatter view (data-view="${attr}")`);
  return [box.x + x * k + tx, box.y - y * k + ty];
}

/** The point whose nearest neighbour on screen is farthest away (hovering it is unambiguous). */
async function loneliestPoint(): Promise<number> {
  const pos = await Promise.all(view.points.map((p) => toPage(p.x, p.y)));
  let best = 0;
  let bestGap = -1;
  pos.forEach(([x, y], i) => {
    let gap = Infinity;
    pos.forEach(([u, v], j) => {
      if (j !== i) gap = Math.min(gap, Math.hypot(u - x, v - y));
    });
    if (gap > bestGap) {
      bestGap = gap;
      best = i;
    }
  });
  return best;
}

describe('embedding view', () => {
  it('trains a tiny run and predicts its validation split', async () => {
    await session.app.go('training');
    await session.app.byTestId('tf-epochs').waitFor();
    await fillTinyConfig(session.app, 2);
    runId = await startRun(session.app, null);
    await expect
      .poll(() => runStatus(session.app), { timeout: 180_000, interval: 1000 })
      .toBe('done');
    await predictSplit(session.app, 'Validation', { summary: false });
  });

  it('draws one point per well of the prediction set and says how it is organised', async () => {
    view = await fetchView();
    expect(view.points.length).toBeGreaterThan(2);
    await session.app.go('embedding');
    const scatter = session.app.byTestId('scatter');
    await expect
      .poll(() => scatter.getAttribute('data-point-count'), { timeout: 60_000 })
      .toBe(String(view.points.length));
    // The fitted view shows them all.
    await expect
      .poll(() => scatter.getAttribute('data-drawn-count'))
      .toBe(String(view.points.length));
    await expect(session.app.byTestId('organisation-headline').innerText()).resolves.toMatch(
      new RegExp(`^\\d+% of each well's ${view.organisation.k} nearest neighbours`),
    );
    await expect(session.app.byTestId('organisation-verdict').innerText()).resolves.toMatch(/^→/);
    await session.app.screenshot('embedding');
  });

  it('hovering a point names its well; clicking it opens the well viewer there', async () => {
    const i = await loneliestPoint();
    const p = view.points[i]!;
    const [x, y] = await toPage(p.x, p.y);
    await session.app.page.mouse.move(x - 30, y - 30);
    await session.app.page.mouse.move(x, y, { steps: 4 });
    const tip = session.app.byTestId('tooltip-well');
    await tip.waitFor({ timeout: 10_000 });
    expect(await tip.getAttribute('data-idcode')).toBe(p.idCode);
    const text = await tip.innerText();
    expect(text).toContain(`${p.experiment} · plate ${p.plate} · ${p.well}`);
    expect(text).toContain(`predicted ${p.predictedLabel}`);
    expect(text).toContain(`siRNA ${p.sirnaLabel ?? 'unknown'}`);
    await session.app.page.mouse.click(x, y);
    await session.app.byTestId('screen-well').waitFor();
    await expect.poll(() => session.app.byTestId('well-title').innerText()).toBe(p.idCode);
  });

  it('a shift-drag box selects exactly the wells inside it and shows them on their plates', async () => {
    await session.app.go('embedding');
    await session.app.byTestId('scatter').waitFor();
    await expect
      .poll(() => session.app.byTestId('scatter').getAttribute('data-drawn-count'))
      .toBe(String(view.points.length));
    const pos = await Promise.all(view.points.map((p) => toPage(p.x, p.y)));
    // A box around the middle of the picture, from the points' own extent.
    const xsSorted = pos.map((q) => q[0]).sort((a, b) => a - b);
    const ysSorted = pos.map((q) => q[1]).sort((a, b) => a - b);
    const mid = (s: number[], f: number) => s[Math.floor((s.length - 1) * f)]!;
    const [x0, x1] = [mid(xsSorted, 0.1) - 1, mid(xsSorted, 0.9) + 1];
    const [y0, y1] = [mid(ysSorted, 0.1) - 1, mid(ysSorted, 0.9) + 1];
    const inside = view.points.filter((_, i) => {
      const [x, y] = pos[i]!;
      return x >= x0 && x <= x1 && y >= y0 && y <= y1;
    });
    expect(inside.length).toBeGreaterThan(0);
    const { page } = session.app;
    await page.keyboard.down('Shift');
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, { steps: 3 });
    await page.mouse.move(x1, y1, { steps: 3 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    const selection = session.app.byTestId('selection');
    await selection.waitFor({ timeout: 10_000 });
    expect(await selection.getAttribute('data-count')).toBe(String(inside.length));
    const want = new Map<string, string[]>();
    for (const p of inside) {
      const key = `${p.experiment}_${p.plate}`;
      want.set(key, [...(want.get(key) ?? []), p.well]);
    }
    const plates = session.app.byTestId('selection-plate');
    await expect.poll(() => plates.count()).toBe(Math.min(6, want.size));
    const shown = await plates.evaluateAll((els) =>
      els.map((e) => [e.getAttribute('data-plate'), e.getAttribute('data-wells')]),
    );
    for (const [plate, wells] of shown) {
      expect(wells).toBe([...(want.get(plate ?? '') ?? [])].sort().join(' '));
    }
    // On each plate the selected wells are lit, the others dimmed.
    const first = plates.first();
    await first.locator('[data-testid="well-cell"][data-has-well="true"]').first().waitFor();
    const lit = await first
      .locator('[data-testid="well-cell"][data-has-well="true"][data-dimmed="false"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-well')));
    expect(lit.sort().join(' ')).toBe(await first.getAttribute('data-wells'));
    await session.app.screenshot('embedding-selection');
    await session.app.byTestId('selection-clear').click();
    await session.app.byTestId('selection-hint').waitFor();
  });

  it('the lasso (mode toggle) selects the wells inside its path', async () => {
    const pos = await Promise.all(view.points.map((p) => toPage(p.x, p.y)));
    const box = (await session.app.byTestId('scatter-overlay').boundingBox())!;
    // A triangle over the left-hand half of the canvas, corners well outside the points' margin.
    const tri: [number, number][] = [
      [box.x + 2, box.y + 2],
      [box.x + box.width / 2, box.y + box.height / 2],
      [box.x + 2, box.y + box.height - 2],
    ];
    const inTri = ([x, y]: [number, number]) => {
      let inside = false;
      for (let i = 0, j = tri.length - 1; i < tri.length; j = i++) {
        const [xi, yi] = tri[i]!;
        const [xj, yj] = tri[j]!;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    };
    const want = view.points.filter((_, i) => inTri(pos[i]!)).length;
    await session.app.byTestId('scatter-mode').getByText('Lasso', { exact: false }).click();
    const { page } = session.app;
    await page.mouse.move(...tri[0]!);
    await page.mouse.down();
    for (const corner of [...tri.slice(1), tri[0]!]) await page.mouse.move(...corner, { steps: 8 });
    await page.mouse.up();
    if (want === 0) {
      await session.app.byTestId('selection-hint').waitFor();
    } else {
      await expect
        .poll(() => session.app.byTestId('selection').getAttribute('data-count'))
        .toBe(String(want));
      await session.app.byTestId('selection-clear').click();
    }
    await session.app.byTestId('scatter-mode').getByText('Pan', { exact: false }).click();
  });

  it('the wheel zooms around the cursor and a drag pans by the drag', async () => {
    const p = view.points[0]!;
    const [x, y] = await toPage(p.x, p.y);
    const k0 = Number(
      ((await session.app.byTestId('scatter').getAttribute('data-view')) ?? '').split(' ')[0],
    );
    const { page } = session.app;
    await page.mouse.move(x, y);
    await page.mouse.wheel(0, -300);
    await expect
      .poll(async () =>
        Number(
          ((await session.app.byTestId('scatter').getAttribute('data-view')) ?? '').split(' ')[0],
        ),
      )
      .toBeGreaterThan(k0 * 1.5);
    // The point under the cursor stays under it.
    const [zx, zy] = await toPage(p.x, p.y);
    expect(Math.abs(zx - x)).toBeLessThan(1);
    expect(Math.abs(zy - y)).toBeLessThan(1);
    await page.mouse.move(x + 5, y + 5);
    await page.mouse.down();
    await page.mouse.move(x + 45, y + 25, { steps: 5 });
    await page.mouse.up();
    // Pointer positions land on whole pixels: within a pixel of the drag.
    await expect
      .poll(async () => Math.abs((await toPage(p.x, p.y))[0] - x - 40))
      .toBeLessThanOrEqual(1);
    expect(Math.abs((await toPage(p.x, p.y))[1] - y - 20)).toBeLessThanOrEqual(1);
    // A drag is not a click: no well opened; the reset button fits the view again.
    expect(await session.app.byTestId('screen-embedding').count()).toBe(1);
    await session.app.byTestId('scatter-reset').click();
    await expect
      .poll(async () =>
        Number(
          ((await session.app.byTestId('scatter').getAttribute('data-view')) ?? '').split(' ')[0],
        ),
      )
      .toBeCloseTo(k0, 6);
  });

  it('UMAP: computed on request as a job, then swapped in for PCA', async () => {
    const plot = session.app.byTestId('embedding-plot');
    await session.app.byTestId('embedding-projection').getByText('UMAP').click();
    await expect.poll(() => new URL(session.app.page.url()).hash).toMatch(/projection=umap/);
    // Until it is computed the PCA points stay, and the screen says so.
    const state = session.app.byTestId('umap-state');
    await state.waitFor({ timeout: 30_000 });
    expect(await state.getAttribute('data-state')).toBe('missing');
    expect(await plot.getAttribute('data-projection')).toBe('pca');
    await session.app.byTestId('umap-compute').click();
    await expect
      .poll(() => plot.getAttribute('data-projection'), { timeout: 120_000, interval: 500 })
      .toBe('umap');
    expect(await state.count()).toBe(0);
    await expect
      .poll(() => session.app.byTestId('scatter').getAttribute('data-drawn-count'))
      .toBe(String(view.points.length));
    await session.app.screenshot('embedding-umap');
    await session.app.byTestId('embedding-projection').getByText('PCA').click();
    await expect.poll(() => plot.getAttribute('data-projection')).toBe('pca');
  });

  it('colour-by changes the legend; a legend click hides that group', async () => {
    const legend = session.app.byTestId('embedding-legend');
    const labels = () =>
      legend
        .getByTestId('legend-entry')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));
    const experiments = [...new Set(view.points.map((p) => p.experiment))].sort((a, b) =>
      a.localeCompare(b, 'en', { numeric: true }),
    );
    expect(await legend.getAttribute('data-title')).toBe('Experiment');
    expect(await labels()).toEqual(experiments);

    await session.app.byTestId('embedding-color').click();
    await session.app.page.getByRole('option', { name: 'Cell type' }).click();
    await expect.poll(() => legend.getAttribute('data-title')).toBe('Cell type');
    const cellTypes = [...new Set(view.points.map((p) => p.cellType))].sort();
    expect(await labels()).toEqual(cellTypes);
    expect(new URL(session.app.page.url()).hash).toMatch(/[?&]color=cell-type(&|$)/);

    await session.app.byTestId('embedding-color').click();
    await session.app.page.getByRole('option', { name: 'Well type' }).click();
    await expect.poll(() => legend.getAttribute('data-title')).toBe('Well type');
    const entry = legend.getByTestId('legend-entry').first();
    const label = (await entry.getAttribute('data-label')) ?? '';
    const inGroup = view.points.filter((p) => p.wellType.replace('_', ' ') === label).length;
    expect(inGroup).toBeGreaterThan(0);
    await entry.click();
    expect(await entry.getAttribute('data-hidden')).toBe('true');
    await expect
      .poll(() => session.app.byTestId('scatter').getAttribute('data-drawn-count'))
      .toBe(String(view.points.length - inGroup));
    await entry.click();
    await expect
      .poll(() => session.app.byTestId('scatter').getAttribute('data-drawn-count'))
      .toBe(String(view.points.length));
  });

  it('says so when the split has no predictions yet', async () => {
    await session.app.byTestId('embedding-split').getByText('Test').click();
    await session.app.byTestId('embedding-no-predictions').waitFor({ timeout: 30_000 });
    expect(await session.app.byTestId('scatter').count()).toBe(0);
    await session.app.byTestId('embedding-split').getByText('Validation').click();
    await session.app.byTestId('scatter').waitFor({ timeout: 30_000 });
    expect(session.tracked.errors).toEqual([]);
  });
});
