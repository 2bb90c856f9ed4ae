// Opens a catalog database: WAL journal, foreign keys, and pending migrations applied in order,
// each in its own transaction so a crash never leaves a half-migrated schema.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { inputError } from '../errors';
import { MIGRATIONS, type Migration } from './migrations';

export type Catalog = Database.Database;

/** Checks that `list` is numbered in strictly increasing order; returns it. */
function ordered(list: readonly Migration[]): readonly Migration[] {
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.version <= list[i - 1]!.version)
      throw new Error(
        `migration ${list[i]!.version} (${list[i]!.name}) comes after ${list[i - 1]!.version}: the list must be in increasing order`,
      );
  }
  return list;
}

/**
 * Opens (creating when missing) a catalog file and, unless `readonly`, applies every pending
 * migration of MIGRATIONS (catalog/migrations.ts), so the schema never depends on which modules
 * the process imported. Read-only opens need the file to exist and change nothing, so a catalog
 * with pending migrations (made by an older PlateLab) is refused there with an input error that
 * names the file and says how to upgrade it, instead of failing later on a missing table or column.
 */
export function openCatalog(file: string, opts: { readonly?: boolean } = {}): Catalog {
  if (!opts.readonly) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file, {
    readonly: opts.readonly ?? false,
    fileMustExist: opts.readonly ?? false,
  });
  try {
    db.pragma('busy_timeout = 5000');
    // The first read of the file: a file that is not SQLite fails here.
    db.pragma('schema_version');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_NOTADB')
      throw inputError(`${file}: not a PlateLab catalog (not an SQLite database)`);
    throw err;
  }
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  if (!opts.readonly) migrate(db);
  else {
    const missing = pendingMigrations(db);
    if (missing.length > 0) {
      db.close();
      throw inputError(
        `${file}: the catalog was made by an older PlateLab and lacks ${missing.length} schema update(s) ` +
          `(${missing.map((m) => `${m.version} ${m.name}`).join(', ')}); open it once in the app or with ` +
          `\`platelab index\` to upgrade it (nothing indexed is lost)`,
      );
    }
  }
  return db;
}

/**
 * The migrations of `list` (default MIGRATIONS) not yet applied to `db`, in order; reads only.
 * Catalogs from before per-version tracking count every version up to their `user_version`.
 */
export function pendingMigrations(
  db: Catalog,
  list: readonly Migration[] = MIGRATIONS,
): Migration[] {
  const tracked = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!tracked) {
    const legacy = db.pragma('user_version', { simple: true }) as number;
    return ordered(list).filter((m) => m.version > legacy);
  }
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  return ordered(list).filter((m) => !applied.has(m.version));
}

/**
 * Applies every migration of `list` (default MIGRATIONS) not yet applied, each in its own
 * transaction; returns the last version of the list. Applied versions are tracked one by one (not
 * just the highest): catalogs made while areas registered their migrations on import may have a
 * higher area's tables without a lower one's, and get the missing ones here.
 */
export function migrate(db: Catalog, list: readonly Migration[] = MIGRATIONS): number {
  const all = ordered(list);
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
    for (const m of all) {
      if (m.version <= legacyVersion) {
        mark.run(m.version, m.name, 'legacy');
        applied.add(m.version);
      }
    }
  }
  let last = 0;
  for (const m of all) {
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
