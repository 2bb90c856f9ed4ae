// Routes: every screen's selection survives format → parse (what reload and Back rely on), the
// screen's own selection sits in the path, and stale or hand-edited URLs fall back to defaults.
import { describe, expect, it } from 'vitest';
import { splitHash } from './hash-location';
import {
  formatRoute,
  HOME_ROUTE,
  openWellPatch,
  parseRoute,
  wellPlatePatch,
  type Route,
} from './routes';

const roundTrip = (r: Route) => {
  const [path, search] = splitHash(`#${formatRoute(r)}`);
  return parseRoute(path, search);
};

describe('routes', () => {
  it('round-trips a well view with its site, layout, run and queue', () => {
    const r: Route = {
      ...HOME_ROUTE,
      screen: 'well',
      idCode: 'HUVEC-01_1_B02',
      experiment: 'HUVEC-01',
      plate: 1,
      layout: 'switch',
      site: 2,
      run: 'run-2026 a/b',
      split: 'test',
      queue: 'least-confident',
      fromQueue: true,
    };
    expect(formatRoute(r).startsWith('/well/HUVEC-01_1_B02?')).toBe(true);
    expect(roundTrip(r)).toEqual(r);
  });

  it('puts each screen selection in the path and keeps the others in the query', () => {
    const plates: Route = {
      ...HOME_ROUTE,
      screen: 'plates',
      experiment: 'RPE-03',
      plate: 4,
      mode: 'heatmap',
      metric: 'confidence',
      cell: 'C07',
      idCode: 'RPE-03_4_C07',
    };
    expect(formatRoute(plates)).toBe(
      '/plates/RPE-03/4?well=RPE-03_4_C07&mode=heatmap&metric=confidence&cell=C07',
    );
    expect(roundTrip(plates)).toEqual(plates);
    const pred: Route = { ...HOME_ROUTE, screen: 'predictions', split: 'test', run: 'r1' };
    expect(formatRoute(pred)).toBe('/predictions/test?run=r1');
    expect(roundTrip(pred)).toEqual(pred);
    expect(formatRoute({ ...HOME_ROUTE, screen: 'training', run: 'r1' })).toBe('/training/r1');
    expect(formatRoute(HOME_ROUTE)).toBe('/datasets');
  });

  it('round-trips the embedding view: run, split, projection and colour in the query', () => {
    const r: Route = {
      ...HOME_ROUTE,
      screen: 'embedding',
      run: 'r1',
      split: 'test',
      projection: 'umap',
      color: 'cell-type',
    };
    expect(formatRoute(r)).toBe('/embedding?run=r1&split=test&projection=umap&color=cell-type');
    expect(roundTrip(r)).toEqual(r);
    expect(parseRoute('/embedding', 'projection=tsne&color=mood')).toEqual({
      ...HOME_ROUTE,
      screen: 'embedding',
    });
  });

  it('falls back to defaults for unknown screens and malformed values', () => {
    expect(parseRoute('/', '')).toEqual(HOME_ROUTE);
    expect(parseRoute('/nonsense/x', 'site=-3&plate=abc&metric=zzz&queue=q')).toEqual(HOME_ROUTE);
    expect(parseRoute('/well/%E0%A4%A', '').idCode).toBeNull();
  });

  it('reads the query inside the hash, not the page query (where the token lives)', () => {
    expect(splitHash('#/well/X?site=2')).toEqual(['/well/X', 'site=2']);
    expect(splitHash('')).toEqual(['/', '']);
    expect(splitHash('#plates')).toEqual(['/plates', '']);
  });
});

describe('opening a well', () => {
  it("carries the well's own experiment, plate and cell, not the open plate's", () => {
    const onPredictions: Route = {
      ...HOME_ROUTE,
      screen: 'predictions',
      experiment: 'HEPG2-02',
      plate: 4,
      split: 'val',
    };
    const r = { ...onPredictions, ...openWellPatch('HEPG2-04_4_G18', true) };
    expect(r).toMatchObject({ screen: 'well', idCode: 'HEPG2-04_4_G18', fromQueue: true });
    expect([r.experiment, r.plate, r.cell]).toEqual(['HEPG2-04', 4, 'G18']);
    const back = { ...r, ...wellPlatePatch(r.idCode), screen: 'plates' as const };
    expect(formatRoute(back).split('?')[0]).toBe('/plates/HEPG2-04/4');
    expect(back.cell).toBe('G18');
    expect(wellPlatePatch('not-a-well')).toEqual({});
  });
});
