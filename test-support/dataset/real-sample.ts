// Test support (not a test): finds the real RxRx1 sample (2019 CSVs + 108 real PNGs) kept beside
// the checkout, `../shared/rxrx1` from the main checkout or `../../shared/rxrx1` from a worktree.
import fs from 'node:fs';
import path from 'node:path';

/** The folder holding the real sample's train.csv, or null when none is found (tests then skip). */
export function realSampleDir(): string | null {
  const env = process.env.PLATELAB_RXRX1;
  const repo = path.resolve(import.meta.dirname, '../..');
  const candidates = [
    ...(env ? [env] : []),
    path.resolve(repo, '../shared/rxrx1'),
    path.resolve(repo, '../../shared/rxrx1'),
  ];
  return candidates.find((d) => fs.existsSync(path.join(d, 'train.csv'))) ?? null;
}
