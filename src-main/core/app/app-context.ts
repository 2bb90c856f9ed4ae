// The application state both shells share: data folder, settings, the open dataset and its catalog,
// the job manager and the event bus. Handlers (core/api) read and change it; transports never do.
import fs from 'node:fs';
import path from 'node:path';
import type { Job } from '../../../src-shared/contract';
import type { MediaRoot } from '../../../src-shared/wire';
import { openCatalog, type Catalog } from '../catalog/db';
import { readMeta } from '../catalog/meta';
import { JobManager } from '../jobs/job-manager';
import { catalogFileFor, dataLayout, ensureDataDir, type DataLayout } from './data-dir';
import { EventBus } from './event-bus';
import type { MediaUrlBuilder } from './media';
import { readSettings, withLastDataset, writeSettings, type Settings } from './settings';

export interface OpenDataset {
  root: string;
  dbFile: string;
  format: string;
  db: Catalog;
}

export interface AppContextOptions {
  dataDir: string;
  mode: 'electron' | 'serve';
  version: string;
  /** How URLs for media files are made by the transport in use. */
  mediaUrl: MediaUrlBuilder;
  /** Job update throttle (tests shorten it). */
  throttleMs?: number;
  /** Synth preset of the demo dataset: 'demo' normally, 'tiny' for tests and quick e2e runs. */
  demoPreset?: 'demo' | 'tiny';
}

export const DEMO_PRESET_ENV = 'PLATELAB_DEMO_PRESET';

/** The demo preset from $PLATELAB_DEMO_PRESET ('tiny' or 'demo', default 'demo'). */
export function demoPresetFromEnv(env: NodeJS.ProcessEnv = process.env): 'demo' | 'tiny' {
  return env[DEMO_PRESET_ENV] === 'tiny' ? 'tiny' : 'demo';
}

export class AppContext {
  readonly layout: DataLayout;
  readonly mode: 'electron' | 'serve';
  readonly version: string;
  readonly events = new EventBus();
  readonly jobs: JobManager;
  readonly mediaUrl: MediaUrlBuilder;
  readonly demoPreset: 'demo' | 'tiny';
  private current: OpenDataset | null = null;
  private settingsCache: Settings;
  private readonly disposers: Array<() => void | Promise<void>> = [];

  constructor(opts: AppContextOptions) {
    this.layout = dataLayout(path.resolve(opts.dataDir));
    ensureDataDir(this.layout);
    this.mode = opts.mode;
    this.version = opts.version;
    this.mediaUrl = opts.mediaUrl;
    this.demoPreset = opts.demoPreset ?? demoPresetFromEnv();
    this.settingsCache = readSettings(this.layout.settings);
    this.jobs = new JobManager({
      throttleMs: opts.throttleMs,
      onUpdate: (job: Job) => this.events.emit('job:update', job),
    });
  }

  get dataset(): OpenDataset | null {
    return this.current;
  }

  get settings(): Settings {
    return this.settingsCache;
  }

  /** Replaces the settings with `update(current)` and writes settings.json (atomically). */
  updateSettings(update: (s: Settings) => Settings): Settings {
    this.settingsCache = update(this.settingsCache);
    writeSettings(this.layout.settings, this.settingsCache);
    return this.settingsCache;
  }

  catalogFileFor(root: string): string {
    return catalogFileFor(this.layout, root);
  }

  /** Makes an indexed catalog the open dataset (closing the previous one) and remembers it. */
  setDataset(root: string, dbFile: string): OpenDataset {
    const db = openCatalog(dbFile);
    const format = readMeta(db, 'format') ?? 'none';
    this.current?.db.close();
    this.current = { root: path.resolve(root), dbFile, format, db };
    this.settingsCache = withLastDataset(this.settingsCache, this.current.root);
    writeSettings(this.layout.settings, this.settingsCache);
    return this.current;
  }

  /** Reopens the last dataset from settings when its folder and catalog still exist; no reindex. */
  restoreLastDataset(): OpenDataset | null {
    const root = this.settingsCache.lastDataset;
    if (!root) return null;
    const dbFile = this.catalogFileFor(root);
    if (!fs.existsSync(root) || !fs.existsSync(dbFile)) return null;
    try {
      return this.setDataset(root, dbFile);
    } catch (err) {
      console.warn(`could not reopen ${root}: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }

  /** Media folders the transports may serve from: the cache, exports, and the open dataset. */
  mediaBases(): Partial<Record<MediaRoot, string>> {
    const bases: Partial<Record<MediaRoot, string>> = {
      cache: this.layout.cache,
      exports: this.layout.exports,
    };
    if (this.current) bases.dataset = this.current.root;
    return bases;
  }

  /** Registers cleanup to run at close (e.g. training children). */
  onClose(fn: () => void | Promise<void>): void {
    this.disposers.push(fn);
  }

  /** Cancels jobs, runs cleanups and closes the catalog. */
  async close(): Promise<void> {
    await this.jobs.shutdown();
    for (const fn of this.disposers.splice(0)) await fn();
    this.current?.db.close();
    this.current = null;
  }
}
