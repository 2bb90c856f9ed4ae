// A tiny synthetic RxRx1 dataset (the synth 'tiny' preset, 64 px sites) indexed into a real SQLite
// catalog in a temp folder, with its complete training site rows: the data-pipeline tests' fixture.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCatalog } from '../../src-main/core/catalog/db';
import { indexDataset } from '../../src-main/core/catalog/indexer';
import { generateSynthDataset } from '../../src-main/core/dataset/synth/index';
import { loadSiteRows, type SiteRow } from '../../src-main/core/learn/data/site-rows';

export interface SynthCatalog {
  /** Dataset root (also holds catalog.sqlite). */
  root: string;
  dbFile: string;
  /** Complete training sites. */
  rows: SiteRow[];
  cleanup(): void;
}

/** Generates and indexes the tiny preset under a new temp folder named with `prefix`. */
export async function makeSynthCatalog(prefix: string): Promise<SynthCatalog> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  await generateSynthDataset({ preset: 'tiny', outDir: root });
  const dbFile = path.join(root, 'catalog.sqlite');
  const db = openCatalog(dbFile);
  let rows: SiteRow[];
  try {
    await indexDataset({ root, db, threads: 0 });
    rows = loadSiteRows(db, 'train').filter((r) => r.complete);
  } finally {
    db.close();
  }
  return { root, dbFile, rows, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}
