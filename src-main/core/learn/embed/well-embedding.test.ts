// Site → well embeddings: each well's embedding is the mean of its sites' pooled features, rows in
// the same well order as siteToWell's probabilities (a hand-made three-well example).
import { describe, expect, it } from 'vitest';
import type { SiteRow } from '../data/site-rows';
import { siteToWell, wellEmbeddings } from '../predict/site-to-well';

const row = (idCode: string, site: number): SiteRow =>
  ({
    idCode,
    site,
    experiment: 'HUVEC-01',
    plate: 1,
    well: idCode.split('_')[2]!,
    cellType: 'HUVEC',
    wellType: 'treatment',
    sirna: '1',
    split: 'train',
  }) as unknown as SiteRow;

describe('wellEmbeddings', () => {
  it("averages each well's sites, wells in siteToWell's order", () => {
    // Sites of B02 are not adjacent: the well order is first appearance (B02, B03, B04).
    const rows = [
      row('HUVEC-01_1_B02', 1),
      row('HUVEC-01_1_B03', 1),
      row('HUVEC-01_1_B02', 2),
      row('HUVEC-01_1_B04', 1),
    ];
    const features = Float32Array.from([1, 10, 5, 50, 3, 30, -2, 0.5]);
    const emb = wellEmbeddings(rows, features, 2);
    expect(Array.from(emb)).toEqual([2, 20, 5, 50, -2, 0.5]);
    const probs = Float32Array.from([1, 0, 0, 1, 1, 0, 0, 1]);
    const { wells } = siteToWell(rows, probs, 2, { topK: 1, target: 'sirna', withTruth: false });
    expect(wells.map((w) => w.idCode)).toEqual([
      'HUVEC-01_1_B02',
      'HUVEC-01_1_B03',
      'HUVEC-01_1_B04',
    ]);
  });
});
