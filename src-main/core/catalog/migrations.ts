// Numbered schema migrations for the catalog, and MIGRATIONS: the one ordered list every catalog
// gets, whatever modules a process imported. Append only; never edit an applied migration.
// Numbers are reserved per area (docs/ARCHITECTURE.md): 1–9 catalog, 10–19 learn, 20–29 imaging,
// 30–39 catalog's review decisions (review-decisions.ts).
import { imagingMigrations } from '../imaging/migrations';
import { learnMigrations } from '../learn/predict/migrations';
import { reviewMigrations } from './review-decisions';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const catalogMigrations: Migration[] = [
  {
    version: 1,
    name: 'catalog',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE experiments (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        split TEXT NOT NULL CHECK (split IN ('train', 'test')),
        cell_type TEXT NOT NULL,
        batch INTEGER
      );
      CREATE TABLE plates (
        id INTEGER PRIMARY KEY,
        experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
        plate INTEGER NOT NULL,
        UNIQUE (experiment_id, plate)
      );
      CREATE TABLE wells (
        id INTEGER PRIMARY KEY,
        plate_id INTEGER NOT NULL REFERENCES plates(id) ON DELETE CASCADE,
        well TEXT NOT NULL,
        row INTEGER NOT NULL,
        col INTEGER NOT NULL,
        id_code TEXT NOT NULL UNIQUE,
        well_type TEXT NOT NULL
          CHECK (well_type IN ('treatment', 'positive_control', 'negative_control', 'unknown')),
        sirna TEXT,
        sirna_id INTEGER,
        in_metadata INTEGER NOT NULL DEFAULT 0,
        has_images INTEGER NOT NULL DEFAULT 0,
        UNIQUE (plate_id, well)
      );
      CREATE TABLE sites (
        id INTEGER PRIMARY KEY,
        well_id INTEGER NOT NULL REFERENCES wells(id) ON DELETE CASCADE,
        site INTEGER NOT NULL,
        channels INTEGER NOT NULL DEFAULT 0,
        UNIQUE (well_id, site)
      );
      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        channel INTEGER NOT NULL,
        path TEXT NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        width INTEGER,
        height INTEGER,
        bit_depth INTEGER,
        ok INTEGER NOT NULL DEFAULT 1,
        UNIQUE (site_id, channel)
      );
      CREATE TABLE pixel_stats (
        experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
        plate INTEGER,
        well TEXT,
        site INTEGER,
        channel INTEGER NOT NULL,
        mean REAL NOT NULL,
        std REAL,
        median REAL,
        min REAL,
        max REAL,
        source TEXT NOT NULL CHECK (source IN ('csv', 'computed'))
      );
      CREATE INDEX pixel_stats_by_experiment ON pixel_stats (experiment_id, channel);
      CREATE TABLE problems (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        message TEXT NOT NULL,
        UNIQUE (kind, path, message)
      );
      CREATE INDEX wells_by_sirna ON wells (sirna_id);
      CREATE INDEX sites_by_well ON sites (well_id);
    `,
  },
  {
    version: 2,
    name: 'catalog-incremental-index',
    sql: `
      -- One row per scanned plate folder: a digest of its file names, sizes and mtimes, so an
      -- unchanged plate is recognised without touching its image rows.
      CREATE TABLE plate_scans (
        dir TEXT PRIMARY KEY,
        split TEXT NOT NULL,
        experiment TEXT NOT NULL,
        plate INTEGER NOT NULL,
        digest TEXT NOT NULL,
        files INTEGER NOT NULL
      );
      -- Problems belong to a scope ('metadata', 'tree', 'cross', 'plate:<dir>') so each part is
      -- recomputed on its own; count > 1 marks one summarised entry standing for many items.
      ALTER TABLE problems ADD COLUMN scope TEXT NOT NULL DEFAULT '';
      ALTER TABLE problems ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
      CREATE INDEX problems_by_scope ON problems (scope);
      CREATE INDEX problems_by_kind ON problems (kind);
      CREATE INDEX wells_by_plate_flags ON wells (plate_id, in_metadata, has_images);
    `,
  },
  {
    version: 3,
    name: 'catalog-dataset-id',
    sql: `
      -- A stable identity for the dataset this catalog indexes, made once with the catalog (or on
      -- its first open after this migration): runs and prediction sets record it
      -- (catalog/dataset-identity.ts), so results are never mixed across datasets.
      INSERT OR IGNORE INTO meta (key, value) VALUES ('dataset_id', lower(hex(randomblob(16))));
    `,
  },
];

/**
 * Every migration, in the order applied: catalog (1–9), learn (10–19), imaging (20–29), review
 * decisions (30–39). A new area's list is added here; numbers strictly increase (checked by `migrate`).
 */
export const MIGRATIONS: readonly Migration[] = [
  ...catalogMigrations,
  ...learnMigrations,
  ...imagingMigrations,
  ...reviewMigrations,
].sort((a, b) => a.version - b.version);
