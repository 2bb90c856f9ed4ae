// The decode-scaling bench's pure parts: which worker counts a --workers flag means, and which
// complete 6-channel sites it finds in a dataset tree (real PNG files).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSiteFiles, workerCounts } from './images-scaling';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scaling-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('images-scaling bench', () => {
  it('reads --workers N as 1, 2 and N, a list as given, the default as 1, 2 and cores − 1', () => {
    expect(workerCounts(15, 16)).toEqual([1, 2, 15]);
    expect(workerCounts([8, 1, 4, 4], 16)).toEqual([1, 4, 8]);
    expect(workerCounts(undefined, 16)).toEqual([1, 2, 15]);
    expect(workerCounts(undefined, 2)).toEqual([1, 2]);
    expect(() => workerCounts(0, 4)).toThrow(/positive integers/);
  });

  it('finds complete sites only, with their six channel files in order', () => {
    const dir = path.join(tmp, 'train', 'HUVEC-01', 'Plate2');
    fs.mkdirSync(dir, { recursive: true });
    for (let w = 1; w <= 6; w++) fs.writeFileSync(path.join(dir, `B02_s1_w${w}.png`), 'x');
    for (let w = 1; w <= 5; w++) fs.writeFileSync(path.join(dir, `B03_s2_w${w}.png`), 'x');
    const sites = findSiteFiles(tmp);
    expect(sites.map((s) => s.key)).toEqual(['train/HUVEC-01/2/B02_s1']);
    expect(sites[0]!.files.map((f) => path.basename(f))).toEqual(
      [1, 2, 3, 4, 5, 6].map((w) => `B02_s1_w${w}.png`),
    );
    expect(sites[0]!.plate).toBe(2);
  });
});
