import { connect as netConnect, type Socket } from "node:net";
import postgres from "postgres";
import { env } from "../env.js";

/**
 * int8 columns come back as JS bigint (token amounts and points must never pass through a float);
 * numeric columns come back as decimal strings, to be read with `BigInt(...)`.
 */
export type Sql = postgres.Sql<{ bigint: bigint }>;
export type Tx = postgres.TransactionSql<{ bigint: bigint }>;
export type ReservedSql = postgres.ReservedSql<{ bigint: bigint }>;
/** Anything that can run a query: the pool, an open transaction or a reserved connection. */
export type Queryable = Sql | Tx | ReservedSql;

export interface ConnectOptions {
  max?: number;
  /** Application name shown in pg_stat_activity, to tell the daemon's stages apart. */
  name?: string;
}

/**
 * The embedded PGlite is one Postgres session behind a socket: statements of two pooled
 * connections interleave message by message outside transactions, so one connection's unnamed
 * prepared statement can be replaced by another's between Parse and Bind ("portal does not exist").
 * Against it every pool has a single connection; queries still pipeline through it.
 */
const embeddedUrl = (): string | undefined => env().MERIT_EMBEDDED_PG_URL;

/**
 * TCP sockets with Nagle's algorithm off. postgres.js opens them with Node's default (on), so a
 * small message sent while the previous one is still unacknowledged waits for the server's
 * delayed ACK: every COPY statement after the first of a batch would start late
 * (docs/performance-history.md, engine). Hosts are tried in turn, as postgres.js does itself.
 */
function noDelaySockets() {
  let next = 0;
  return (o: { host: string[]; port: number[]; path?: string | false }): Socket => {
    if (o.path) return netConnect({ path: o.path });
    const i = next++ % o.host.length;
    return netConnect({ host: o.host[i], port: (o.port[i] ?? o.port[0])!, noDelay: true });
  };
}

export function connect(url: string, opts: ConnectOptions = {}): Sql {
  const embedded = embeddedUrl() === url;
  return postgres(url, {
    // a documented option (README "Custom socket") missing from postgres.js' type definitions
    ...({ socket: noDelaySockets() } as object),
    max: embedded ? 1 : (opts.max ?? 10),
    types: { bigint: postgres.BigInt },
    onnotice: () => {},
    connection: { application_name: opts.name ?? "merit" },
  }) as unknown as Sql;
}

/**
 * Whether a pool's server takes COPY FROM STDIN: every real PostgreSQL does; the embedded PGlite
 * behind its socket does not, so bulk writers fall back to multi-row inserts there.
 */
export function supportsCopy(q: Sql): boolean {
  const embedded = embeddedUrl();
  if (!embedded) return true;
  const u = new URL(embedded);
  const { host, port } = q.options as unknown as { host: string[]; port: number[] };
  return !(host.includes(u.hostname) && port.includes(Number(u.port)));
}
