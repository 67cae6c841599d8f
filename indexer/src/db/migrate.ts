import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BugError, CallerError } from "../errors.js";
import type { Sql } from "./connection.js";

/**
 * Forward-only migrations: `migrations/NNNNN_verb_noun.sql`, applied in number order, each in its
 * own transaction, recorded with a checksum. A landed file that was edited afterwards stops
 * start-up: the database and the repository would disagree about the schema.
 *
 * Why our own ~60 lines rather than postgres-shift or ley: shift wants one folder per migration and
 * ley has no checksum check; both would also need a second connection library under PGlite.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../migrations/", import.meta.url));
const FILE = /^(\d{5})_([a-z0-9_]+)\.sql$/;
// Any constant works; it only has to be the same for every process migrating this database.
const LOCK_KEY = 0x6d65726974n;

export interface Migration {
  id: number;
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  const out: Migration[] = [];
  for (const f of files) {
    const m = FILE.exec(f);
    if (!m) throw new CallerError("bad_migration_name", `migration ${f} does not match NNNNN_verb_noun.sql`);
    const text = await readFile(join(dir, f), "utf8");
    const id = Number(m[1]);
    if (out.some((x) => x.id === id)) throw new CallerError("duplicate_migration", `two migrations numbered ${m[1]}`);
    out.push({ id, name: m[2]!, sql: text, checksum: createHash("sha256").update(text).digest("hex") });
  }
  return out;
}

export interface MigrateResult {
  applied: string[];
  total: number;
}

export async function migrate(sql: Sql, opts: { dir?: string; log?: (line: string) => void } = {}): Promise<MigrateResult> {
  const migrations = await readMigrations(opts.dir);
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    // Two daemons starting at once must not both apply 00007.
    await tx`select pg_advisory_xact_lock(${LOCK_KEY.toString()}::bigint)`;
    await tx`
      create table if not exists schema_migrations (
        id integer constraint schema_migrations_pkey primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`;
    const done = new Map(
      (
        await tx<{ id: number; name: string; checksum: string }[]>`
      select id, name, checksum from schema_migrations`
      ).map((r) => [r.id, r]),
    );
    for (const m of migrations) {
      const prior = done.get(m.id);
      if (prior) {
        if (prior.checksum !== m.checksum) {
          throw new BugError("migration_edited", `migration ${m.id}_${m.name} changed after it was applied; add a new migration instead`);
        }
        continue;
      }
      await tx.unsafe(m.sql);
      await tx`insert into schema_migrations (id, name, checksum) values (${m.id}, ${m.name}, ${m.checksum})`;
      applied.push(`${String(m.id).padStart(5, "0")}_${m.name}`);
      opts.log?.(`migrated ${String(m.id).padStart(5, "0")}_${m.name}`);
    }
    const known = new Set(migrations.map((m) => m.id));
    const unknown = [...done.keys()].filter((id) => !known.has(id));
    if (unknown.length) throw new BugError("unknown_migration", `database has migrations this code lacks: ${unknown.join(", ")}`);
  });
  return { applied, total: migrations.length };
}
