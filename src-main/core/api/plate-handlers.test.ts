// wells.detail through the real handler table on the tiny demo: each site carries its source image
// size as indexed (the viewer's scale bar uses it), equal to what sharp reads from the PNG on disk.
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, ok, type TestApp } from '../../../test-support/app/test-app';
import { requireDataset } from './context-guards';
import { invoke } from './dispatch';

let app: TestApp;
beforeAll(async () => {
  app = await makeTestApp();
});
afterAll(async () => app?.cleanup());

describe('wells.detail', () => {
  it("gives each site its image's real width and height", async () => {
    const h = app.handlers;
    const summary = ok(await invoke(h, 'dataset.summary', {}));
    const p = summary!.plates[0]!;
    const plate = ok(await invoke(h, 'plates.wells', { experiment: p.experiment, plate: p.plate }));
    const well = plate.wells.find((w) => w.hasImages && !w.broken)!;
    const d = ok(await invoke(h, 'wells.detail', { idCode: well.idCode }));
    expect(d.sites.length).toBeGreaterThan(0);
    const root = requireDataset(app.ctx).root;
    for (const s of d.sites) {
      const file = s.channels.find((c) => c.ok)!.path;
      const meta = await sharp(path.resolve(root, file)).metadata();
      expect([s.width, s.height]).toEqual([meta.width, meta.height]);
    }
  });
});
