// Imaging's catalog migrations (numbers 20–29): computed normalisation stats keyed by the digest
// of the images they came from, so a changed image set recomputes them. Applied by openCatalog from
// the one ordered list in catalog/migrations.ts.
import type { Migration } from '../catalog/migrations';

export const imagingMigrations: Migration[] = [
  {
    version: 20,
    name: 'imaging-norm-stats',
    sql: `
      CREATE TABLE imaging_norm_stats (
        scope TEXT NOT NULL CHECK (scope IN ('experiment', 'plate-controls')),
        experiment TEXT NOT NULL,
        plate INTEGER NOT NULL DEFAULT 0,
        digest TEXT NOT NULL,
        sites INTEGER NOT NULL,
        stats TEXT NOT NULL,
        computed_at TEXT NOT NULL,
        PRIMARY KEY (scope, experiment, plate)
      );
    `,
  },
];
