// Opens a catalog database: WAL journal, foreign keys, and pending migrations applied in order,
// each in its own transaction so a crash never leaves a half-migrated schema.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { catalogMigrations, type Migration } from './migrations';

export type Catalog = Database.Database;

const extraMigrations: Migration[] = [];

/** Lets other areas (learn, imaging) contribute their numbered migrations. */
export function registerMigrations(migrations: Migration[]): void {
  for (const m of migrations) {
    if (!extraMigrations.some((e) => e.version === m.version)) extraMigrations.push(m);
  }
}

export function allMigrations(): Migration[] {
  const all = [...catalogMigrations, ...extraMigrations].sort((a, b) => a.version - b.version);
  for (let i = 1; i < all.length; i++) {
    if (all[i]!.version === all[i - 1]!.version)
      throw new Error(`two migrations share number ${all[i]!.version}`);
  }
  return all;
}

export function openCatalog(file: string, opts: { readonly?: boolean } = {}): Catalog {
  if (!opts.readonly) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file, {
    readonly: opts.readonly ?? false,
    fileMustExist: opts.readonly ?? false,
  });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  if (!opts.readonly) migrate(db);
  return db;
}

/**
 * Applies every registered migration not yet applied. Applied versions are tracked one by one
 * (not just the highest), because areas number their migrations in separate ranges and a lower
 * number may be registered after a higher one has already run.
 */
export function migrate(db: Catalog): number {
  const tracked = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  // Catalogs from before per-version tracking only recorded the highest version applied, in order.
  const legacyVersion = tracked ? 0 : (db.pragma('user_version', { simple: true }) as number);
  if (legacyVersion > 0) {
    const mark = db.prepare(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    for (const m of allMigrations()) {
      if (m.version <= legacyVersion) {
        mark.run(m.version, m.name, 'legacy');
        applied.add(m.version);
      }
    }
  }
  let last = 0;
  for (const m of allMigrations()) {
    last = Math.max(last, m.version);
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
      db.pragma(
        `user_version = ${Math.max(m.version, db.pragma('user_version', { simple: true }) as number)}`,
      );
    })();
  }
  return last;
}
