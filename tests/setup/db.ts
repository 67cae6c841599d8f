import { connect, type Sql } from "../../indexer/src/db/connection.js";

/**
 * A connection to the migrated test database with every application table emptied. Mocha runs
 * suites one after another, so emptying at the start of a suite isolates it from the ones before.
 */
export async function freshDb(opts: { max?: number } = {}): Promise<Sql> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: run tests through mocha so tests/setup/hooks.ts starts a database");
  const sql = connect(url, { max: opts.max ?? 4, name: "merit-test" });
  await truncateAll(sql);
  return sql;
}

export async function truncateAll(sql: Sql): Promise<void> {
  const tables = await sql<{ name: string }[]>`
    select quote_ident(tablename) as name from pg_tables
    where schemaname = current_schema() and tablename <> 'schema_migrations'`;
  if (tables.length === 0) return;
  await sql.unsafe(`truncate ${tables.map((t) => t.name).join(", ")} restart identity cascade`);
}

/** Mocha helper: a fresh database for the enclosing `describe`, closed after it. */
export function useFreshDb(opts: { max?: number } = {}): () => Sql {
  let sql: Sql | undefined;
  before(async () => {
    sql = await freshDb(opts);
  });
  after(async () => {
    await sql?.end();
  });
  return () => {
    if (!sql) throw new Error("useFreshDb: database not ready (call it inside describe, use it inside tests)");
    return sql;
  };
}
