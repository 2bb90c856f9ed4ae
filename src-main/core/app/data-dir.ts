// The data folder: where PlateLab keeps settings.json, one catalog per dataset, the render cache,
// training runs, exports and the generated demo dataset. `--data DIR` > $PLATELAB_DATA > ~/.platelab.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const DATA_ENV = 'PLATELAB_DATA';

export interface DataLayout {
  root: string;
  settings: string;
  catalogs: string;
  cache: string;
  runs: string;
  exports: string;
  datasets: string;
  /** Where `dataset.openDemo` generates the demo dataset. */
  demo: string;
}

export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag || env[DATA_ENV] || path.join(os.homedir(), '.platelab');
  return path.resolve(chosen);
}

export function dataLayout(root: string): DataLayout {
  return {
    root,
    settings: path.join(root, 'settings.json'),
    catalogs: path.join(root, 'catalogs'),
    cache: path.join(root, 'cache'),
    runs: path.join(root, 'runs'),
    exports: path.join(root, 'exports'),
    datasets: path.join(root, 'datasets'),
    demo: path.join(root, 'datasets', 'demo'),
  };
}

/** Creates the folders (not the files) of a data folder. */
export function ensureDataDir(layout: DataLayout): void {
  for (const dir of [
    layout.root,
    layout.catalogs,
    layout.cache,
    layout.runs,
    layout.exports,
    layout.datasets,
  ]) {
    fs.mkdirSync(dir, { recursive: true });
  }
}

/** One catalog per dataset: readable name + hash of the absolute root, so two `data` folders never clash. */
export function catalogFileFor(layout: DataLayout, datasetRoot: string): string {
  const abs = path.resolve(datasetRoot);
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 12);
  const base =
    path
      .basename(abs)
      .replace(/[^A-Za-z0-9_.-]+/g, '_')
      .slice(0, 40) || 'dataset';
  return path.join(layout.catalogs, `${base}-${hash}.sqlite`);
}
