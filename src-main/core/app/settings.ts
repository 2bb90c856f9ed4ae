// settings.json in the data folder: the last opened dataset and recent ones, and the training data
// pipeline's knobs (decoded-site cache budget, decode workers). Written atomically; a missing or
// unreadable file falls back to defaults (with a warning) rather than stopping the app.
import fs from 'node:fs';
import { z } from 'zod';
import { SlurmResources } from '../../../src-shared/contract';
import { writeJsonAtomic } from '../util/atomic-write';

export const Settings = z.object({
  lastDataset: z.string().nullable().default(null),
  recentDatasets: z.array(z.string()).default([]),
  /**
   * Disk budget of the decoded-site cache, in GiB (one cache file per catalog and image size):
   * beyond it the least recently used sites are replaced. 20 GiB holds ~13,600 sites at 512².
   */
  decodedCacheGiB: z.number().positive().default(20),
  /** Decode worker threads of the training pipeline; null = one per core but one. */
  decodeWorkers: z.number().int().positive().nullable().default(null),
  /** The Slurm fields last submitted with, per dataset root (the sweep form starts from them). */
  clusterByDataset: z.record(z.string(), SlurmResources).default({}),
});
export type Settings = z.infer<typeof Settings>;

export function readSettings(file: string): Settings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return Settings.parse({});
  }
  try {
    return Settings.parse(JSON.parse(text));
  } catch (err) {
    console.warn(
      `${file}: unreadable settings, using defaults (${err instanceof Error ? err.message : String(err)})`,
    );
    return Settings.parse({});
  }
}

/** The training job fields the settings decide (see TrainJob). */
export function pipelineJobSettings(settings: Settings): {
  cacheBudgetBytes: number;
  decodeWorkers?: number;
} {
  return {
    cacheBudgetBytes: Math.round(settings.decodedCacheGiB * 1024 ** 3),
    ...(settings.decodeWorkers !== null ? { decodeWorkers: settings.decodeWorkers } : {}),
  };
}

export function writeSettings(file: string, settings: Settings): void {
  writeJsonAtomic(file, settings);
}

/** Records a dataset as the last one opened (most recent first, at most 10 remembered). */
export function withLastDataset(settings: Settings, root: string): Settings {
  const recent = [root, ...settings.recentDatasets.filter((r) => r !== root)].slice(0, 10);
  return { ...settings, lastDataset: root, recentDatasets: recent };
}

/** Remembers the Slurm fields a sweep of dataset `root` was submitted with. */
export function withClusterFields(settings: Settings, root: string, res: SlurmResources): Settings {
  return { ...settings, clusterByDataset: { ...settings.clusterByDataset, [root]: res } };
}
