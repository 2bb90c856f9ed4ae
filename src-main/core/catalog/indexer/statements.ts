// Prepared statements cached per open catalog: the indexer runs the same dozen statements for each
// of ~200 plates, and compiling them (the 100-row INSERT above all) cost more than running some.
import type { Statement } from 'better-sqlite3';
import type { Catalog } from '../db';

const caches = new WeakMap<Catalog, Map<string, Statement>>();

/** `db.prepare(sql)`, compiled once per connection. */
export function cachedStatement(db: Catalog, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}
