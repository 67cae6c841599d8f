import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../indexer/src/db/embedded.js";
import { connect } from "../../indexer/src/db/connection.js";
import { migrate } from "../../indexer/src/db/migrate.js";

/**
 * Runs once per mocha process. Tests use the real PostgreSQL named by DATABASE_URL (CI starts a
 * throwaway cluster); without it, an embedded PGlite served over a socket stands in, so `npm test`
 * needs no setup. Either way the schema is migrated once here, and every child process the tests
 * start inherits DATABASE_URL.
 */
let embedded: EmbeddedPostgres | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    embedded = await startEmbeddedPostgres();
    process.env.DATABASE_URL = embedded.url;
    process.env.MERIT_TEST_EMBEDDED_PG = "1";
  }
  const sql = connect(process.env.DATABASE_URL, { max: 1, name: "merit-test-setup" });
  try {
    await migrate(sql);
  } finally {
    await sql.end();
  }
}

export async function mochaGlobalTeardown(): Promise<void> {
  await embedded?.stop();
}
