import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { exportToChildren } from "../env.js";

/**
 * Zero-setup Postgres: PGlite (Postgres compiled to WASM) served over a TCP socket so the rest of
 * merit talks to it with postgres.js exactly as to a real server. Known limits, seen in tests: COPY FROM
 * STDIN breaks the connection and LISTEN/NOTIFY never delivers, which is why the data layer uses
 * multi-row inserts and polling only.
 */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(
  opts: {
    dataDir?: string;
    port?: number;
    /** false: a second, private server (a test) that must not become the process's embedded database */
    exportUrl?: boolean;
  } = {},
): Promise<EmbeddedPostgres> {
  if (opts.dataDir) await mkdir(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir ? { dataDir: opts.dataDir } : {});
  // Several clients may connect (the daemon, every CLI command, psql, a test suite's pools); each
  // process keeps to one connection (connection.ts). At 64 the 65th client was reset, which the
  // growing test suite reached on this one shared server.
  const server = new PGLiteSocketServer({ db, port: opts.port ?? 0, host: "127.0.0.1", maxConnections: 1024 });
  await server.start();
  const [host, port] = server.getServerConn().split(":");
  const url = `postgres://postgres:postgres@${host}:${port}/postgres`;
  // Read by connect() (connection.ts), also in child processes, which inherit the environment.
  if (opts.exportUrl !== false) exportToChildren("MERIT_EMBEDDED_PG_URL", url);
  return {
    url,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
