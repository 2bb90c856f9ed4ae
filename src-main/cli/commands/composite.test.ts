// `platelab composite` end to end on a real RxRx1 site: the PNG equals the default composite,
// --channels hides the others, --json prints a summary line, bad input exits 1 with one line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteRelPaths } from '../../core/dataset/layout';
import {
  renderComposite,
  rxrx1DefaultDisplay,
  withVisibleChannels,
} from '../../core/imaging/display';
import { loadRawSite } from '../../core/imaging/load-site';
import { parseChannels, parseSiteArg } from './composite';
import { platelab, REPO } from '../../../test-support/cli/run-cli';

const RXRX1 = path.resolve(REPO, '../shared/rxrx1');
const SITE = path.join(RXRX1, 'train/RPE-01/Plate1/B02_s1');
let out: string;

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'imaging-cli-'));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe('platelab composite', () => {
  it('parses the site argument and the channel list', () => {
    const { root, site } = parseSiteArg(SITE);
    expect(root).toBe(RXRX1);
    expect(site).toEqual({ split: 'train', experiment: 'RPE-01', plate: 1, well: 'B02', site: 1 });
    expect(parseChannels('3,1,1')).toEqual([1, 3]);
    expect(() => parseChannels('1,7')).toThrow(/1\.\.6/);
    expect(() => parseSiteArg('/tmp/x/valid/Plate1/B02_s1')).toThrow(/neither train nor test/);
  });

  it('writes the default composite and, with --channels, only those channels', async () => {
    const all = path.join(out, 'all.png');
    const r = await platelab('composite', SITE, '--out', all, '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({ width: 512, height: 512, channels: [1, 2, 3, 4, 5, 6] });
    const raw = await loadRawSite(RXRX1, siteRelPaths(parseSiteArg(SITE).site));
    const png = await sharp(all).raw().toBuffer();
    expect(
      png.equals(Buffer.from(renderComposite(raw.data, 512, 512, rxrx1DefaultDisplay()))),
    ).toBe(true);

    const some = path.join(out, 'some.png');
    expect((await platelab('composite', SITE, '--out', some, '--channels', '1,3')).code).toBe(0);
    const png13 = await sharp(some).raw().toBuffer();
    const want = renderComposite(
      raw.data,
      512,
      512,
      withVisibleChannels(rxrx1DefaultDisplay(), [1, 3]),
    );
    expect(png13.equals(Buffer.from(want))).toBe(true);
    expect(png13.equals(png)).toBe(false);
  });

  it('exits 1 with one line naming the missing file', async () => {
    const r = await platelab(
      'composite',
      SITE.replace('B02_s1', 'B03_s1'),
      '--out',
      path.join(out, 'x.png'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('B03_s1_w1.png');
    expect(fs.existsSync(path.join(out, 'x.png'))).toBe(false);
  });
});
