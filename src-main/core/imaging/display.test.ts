// The RxRx1 composite checked pixel by pixel on the real sites against a plain re-implementation
// of rxrx1-utils' formula; display-state helpers and auto-contrast.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  applyToAllChannels,
  autoContrast,
  channelHistograms,
  histogramPercentile,
  renderComposite,
  rxrx1DefaultDisplay,
  toggleChannel,
  withVisibleChannels,
  type DisplayState,
} from './display';
import { loadRawSite } from './load-site';
import { DisplayState as DisplaySchema } from '../../../src-shared/contract';

const RXRX1 = path.resolve(__dirname, '../../../../shared/rxrx1');

/** Every complete site-1 set of well B02 in the real sample (train and test). */
function realSites(): string[][] {
  const out: string[][] = [];
  for (const split of ['train', 'test']) {
    for (const exp of fs.readdirSync(path.join(RXRX1, split)).sort()) {
      for (const plate of fs.readdirSync(path.join(RXRX1, split, exp)).sort()) {
        const rels = Array.from({ length: 6 }, (_, c) =>
          path.join(split, exp, plate, `B02_s1_w${c + 1}.png`),
        );
        if (rels.every((r) => fs.existsSync(path.join(RXRX1, r)))) out.push(rels);
      }
    }
  }
  return out;
}

/** rxrx1-utils convert_tensor_to_rgb, written out the obvious way, one pixel at a time. */
function referenceRgb(planes: Uint8Array[], n: number, display: DisplayState): Uint8Array {
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const sum = [0, 0, 0];
    display.channels.forEach((ch, c) => {
      if (!ch.visible) return;
      const [lo, hi] = ch.range;
      let x = planes[c]![i]! / 255 / ((hi - lo) / 255) + lo / 255;
      if (x > 1) x = 1;
      if (ch.gamma !== 1) x = x ** (1 / ch.gamma);
      for (let k = 0; k < 3; k++) sum[k]! += Math.trunc(x * ch.color[k]!);
    });
    for (let k = 0; k < 3; k++) out[i * 3 + k] = Math.min(255, sum[k]!);
  }
  return out;
}

/** Independent decode: sharp's default raw output of a grey PNG repeats the value in 3 bands. */
async function planesOf(
  rels: string[],
): Promise<{ planes: Uint8Array[]; width: number; height: number }> {
  const planes: Uint8Array[] = [];
  let width = 0;
  let height = 0;
  for (const rel of rels) {
    const { data, info } = await sharp(path.join(RXRX1, rel))
      .raw()
      .toBuffer({ resolveWithObject: true });
    width = info.width;
    height = info.height;
    const p = new Uint8Array(info.width * info.height);
    for (let i = 0; i < p.length; i++) p[i] = data[i * info.channels]!;
    planes.push(p);
  }
  return { planes, width, height };
}

describe('renderComposite on the real RxRx1 sites', () => {
  const sites = realSites();

  it('finds all 18 real sites (train and test)', () => {
    expect(sites.length).toBe(18);
    expect(sites.some((s) => s[0]!.startsWith('test'))).toBe(true);
  });

  it('matches rxrx1-utils on every pixel of every site with the default display', async () => {
    const display = rxrx1DefaultDisplay();
    let checked = 0;
    for (const rels of sites) {
      const raw = await loadRawSite(RXRX1, rels);
      const { planes, width, height } = await planesOf(rels);
      expect([raw.width, raw.height]).toEqual([width, height]);
      const ours = renderComposite(raw.data, raw.width, raw.height, display);
      const ref = referenceRgb(planes, width * height, display);
      let bad = 0;
      for (let i = 0; i < ref.length; i++) if (ours[i] !== ref[i]) bad++;
      expect(bad, rels[0]).toBe(0);
      checked += width * height;
    }
    expect(checked).toBe(18 * 512 * 512);
  });

  it('matches with hidden channels, other colours, ranges and gammas (lo = 0)', async () => {
    const rels = sites[3]!;
    const raw = await loadRawSite(RXRX1, rels);
    const { planes } = await planesOf(rels);
    let d = withVisibleChannels(rxrx1DefaultDisplay(), [1, 3, 5]);
    d = {
      channels: d.channels.map((c, i) => ({
        ...c,
        range: [0, 30 + i * 40] as [number, number],
        gamma: [1, 0.5, 2.2, 1, 1.7, 0.8][i]!,
      })),
    };
    const ours = renderComposite(raw.data, 512, 512, d);
    const ref = referenceRgb(planes, 512 * 512, d);
    expect(Buffer.from(ours).equals(Buffer.from(ref))).toBe(true);
    // Hiding channels changes the picture: the test is not vacuous.
    const all = renderComposite(raw.data, 512, 512, rxrx1DefaultDisplay());
    expect(Buffer.from(all).equals(Buffer.from(ours))).toBe(false);
  });
});

describe('display state', () => {
  it('the default follows the rxrx1 table and validates against the contract', () => {
    const d = rxrx1DefaultDisplay();
    expect(DisplaySchema.safeParse(d).success).toBe(true);
    expect(d.channels.map((c) => c.color)).toEqual([
      [19, 0, 249],
      [42, 255, 31],
      [255, 0, 25],
      [45, 255, 252],
      [250, 0, 253],
      [254, 255, 40],
    ]);
    expect(d.channels.map((c) => c.range[1])).toEqual([51, 107, 64, 191, 89, 191]);
    // A fresh copy each time: mutating one never leaks into the next.
    d.channels[0]!.range[1] = 3;
    expect(rxrx1DefaultDisplay().channels[0]!.range[1]).toBe(51);
  });

  it('windows from lo when lo > 0 (documented departure from rxrx1-utils), step when hi ≤ lo', () => {
    const base = rxrx1DefaultDisplay();
    const d: DisplayState = {
      channels: base.channels.map((c, i) => ({
        ...c,
        visible: i === 2,
        range: i === 2 ? [100, 200] : c.range,
      })),
    };
    const px = new Uint8Array([100, 150, 200, 250].flatMap((v) => [0, 0, v, 0, 0, 0]));
    const rgb = renderComposite(px, 4, 1, d);
    expect(Array.from(rgb.filter((_, i) => i % 3 === 0))).toEqual([
      0,
      Math.trunc(0.5 * 255),
      255,
      255,
    ]);
    const step = {
      channels: d.channels.map((c, i) =>
        i === 2 ? { ...c, range: [150, 150] as [number, number] } : c,
      ),
    };
    expect(Array.from(renderComposite(px, 4, 1, step).filter((_, i) => i % 3 === 0))).toEqual([
      0, 0, 255, 255,
    ]);
  });

  it('toggles and copies channel settings', () => {
    const d = toggleChannel(rxrx1DefaultDisplay(), 2);
    expect(d.channels.map((c) => c.visible)).toEqual([true, true, false, true, true, true]);
    expect(toggleChannel(d, 2).channels[2]!.visible).toBe(true);
    const e = {
      channels: d.channels.map((c, i) =>
        i === 0 ? { ...c, range: [5, 77] as [number, number], gamma: 2 } : c,
      ),
    };
    const all = applyToAllChannels(e, 0);
    expect(all.channels.every((c) => c.range[0] === 5 && c.range[1] === 77 && c.gamma === 2)).toBe(
      true,
    );
    expect(all.channels[1]!.color).toEqual([42, 255, 31]);
    all.channels[1]!.range[0] = 9;
    expect(all.channels[2]!.range[0]).toBe(5);
  });

  it('auto-contrast sets ranges from the percentiles of the pooled histograms', async () => {
    const raw = await loadRawSite(RXRX1, realSites()[0]!);
    const hist = channelHistograms(raw.data);
    const d = autoContrast(rxrx1DefaultDisplay(), hist, [1, 99]);
    for (let c = 0; c < 6; c++) {
      const sorted = Array.from({ length: 512 * 512 }, (_, i) => raw.data[i * 6 + c]!).sort(
        (a, b) => a - b,
      );
      const lo = sorted[Math.ceil(0.01 * sorted.length) - 1]!;
      const hi = sorted[Math.ceil(0.99 * sorted.length) - 1]!;
      expect(d.channels[c]!.range[0]).toBe(lo);
      expect(d.channels[c]!.range[1]).toBe(hi > lo ? hi : lo + 1);
      expect(d.channels[c]!.color).toEqual(rxrx1DefaultDisplay().channels[c]!.color);
    }
    expect(histogramPercentile(new Float64Array(256), 50)).toBe(0);
  });
});
