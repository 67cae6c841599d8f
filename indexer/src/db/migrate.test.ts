import assert from "node:assert/strict";
import { mkdtemp, writeFile, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useFreshDb } from "../../../tests/setup/db.js";
import { migrate, MIGRATIONS_DIR, readMigrations } from "./migrate.js";

describe("migrate", () => {
  const db = useFreshDb();

  it("given a migrated database, when migrate runs again, then nothing is applied", async () => {
    const result = await migrate(db());
    assert.deepEqual(result.applied, []);
    const rows = await db()`select count(*)::int as n from schema_migrations`;
    assert.equal(rows[0]!.n, (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith(".sql")).length);
  });

  it("given a landed migration whose file was edited, when migrate runs, then it refuses", async () => {
    const dir = await mkdtemp(join(tmpdir(), "merit-mig-"));
    for (const m of await readMigrations()) {
      const file = `${String(m.id).padStart(5, "0")}_${m.name}.sql`;
      await writeFile(join(dir, file), await readFile(join(MIGRATIONS_DIR, file)));
    }
    await writeFile(
      join(dir, "00001_create_settlements.sql"),
      "-- edited\n" + (await readFile(join(MIGRATIONS_DIR, "00001_create_settlements.sql"), "utf8")),
    );
    await assert.rejects(migrate(db(), { dir }), /changed after it was applied/);
  });

  it("given a file with a bad name, when migrations are read, then the name is reported", async () => {
    const dir = await mkdtemp(join(tmpdir(), "merit-mig-"));
    await writeFile(join(dir, "1_oops.sql"), "select 1");
    await assert.rejects(readMigrations(dir), /1_oops\.sql does not match/);
  });
});
