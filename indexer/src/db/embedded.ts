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
  const server = new PGLiteSocketServer({ db: keepTurnUntilSync(db), port: opts.port ?? 0, host: "127.0.0.1", maxConnections: 1024 });
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

// Frontend message types (PostgreSQL protocol, "Message Formats").
const EXTENDED = new Set([..."PBDECH"].map((c) => c.charCodeAt(0)));
const ENDS_SEQUENCE = new Set([..."SQX"].map((c) => c.charCodeAt(0)));

/**
 * pglite-socket runs the messages of all connections one at a time through the one PGlite session
 * and keeps a connection's turn only while a SQL transaction is open (electric-sql/pglite#1046).
 * The extended protocol's unnamed statement and portal live until Sync, so another connection's
 * BEGIN between one's Bind and Execute dropped its portal ("portal \"\" does not exist"). The
 * server asks `isInTransaction()` whose turn it is: answer yes from a connection's first
 * extended-protocol message to its Sync too.
 */
function keepTurnUntilSync(db: PGlite): PGlite {
  let sequenceOpen = false;
  return new Proxy(db, {
    get(target, prop) {
      switch (prop) {
        case "isInTransaction":
          return () => sequenceOpen || target.isInTransaction();
        case "execProtocolRawStream":
          return async (message: Uint8Array, options: Parameters<PGlite["execProtocolRawStream"]>[1]) => {
            const type = message[0]!;
            try {
              return await target.execProtocolRawStream(message, options);
            } finally {
              if (EXTENDED.has(type)) sequenceOpen = true;
              else if (ENDS_SEQUENCE.has(type)) sequenceOpen = false;
            }
          };
        case "exec":
          // the server's ROLLBACK for a connection that left mid-transaction ends its sequence too
          return async (query: string, options?: Parameters<PGlite["exec"]>[1]) => {
            sequenceOpen = false;
            return target.exec(query, options);
          };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
