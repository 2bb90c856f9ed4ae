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

export function migrate(db: Catalog): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  let applied = current;
  for (const m of allMigrations()) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied = m.version;
  }
  return applied;
}
