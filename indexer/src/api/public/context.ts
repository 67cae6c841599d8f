import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Connection, PublicKey } from "@solana/web3.js";
import type { MeritDistributorProgram } from "@merit/clients/idl";
import type { Queryable, Sql } from "../../db/connection.js";
import { CallerError, MeritError, UpstreamError } from "../../errors.js";
import { epochDir, MANIFEST_FILE } from "../../epochs/close.js";
import { type DistributorRow, type EpochRow, getEpoch, listDistributors } from "../../epochs/queries.js";
import { type ChainView, offlineProgram, readChain } from "../../publish/chain.js";
import { getRuleSet, latestRuleSetVersion } from "../../rules/rule-sets.js";
import type { RuleSetBody } from "../../rules/schema.js";
import { ClaimStatusReader } from "./claim-status.js";
import { type FiguresAt, type WalletFigures, walletFiguresMany } from "./queries.js";
import { ShardCache } from "./shards.js";
import { TickBatch } from "./tick-batch.js";

/** What the public routes read from: the database, the chain, the epochs' files. */
export interface PublicDeps {
  sql: Sql;
  connection: Connection;
  /** `<dataDir>/epochs/<distributor>/<epoch>/` holds each epoch's files (MERIT_DATA_DIR). */
  dataDir: string;
  /** The distributor program's id where it is not the committed IDL's (MERIT_PROGRAM_ID). */
  programId?: string;
  /** When the next epoch closes (EPOCH_SCHEDULE), or null when this daemon does not close epochs. */
  nextEpochClose?: () => Date | null;
  /** How long the epoch and rule-set caches may be stale; default 2 s. */
  cacheMs?: number;
  /** How long the Distributor account read from the chain is reused; default 5 s. */
  chainCacheMs?: number;
  /** Proof shards kept parsed in memory (a 1M-wallet epoch has 4,096); default 8,192. */
  shardCacheSize?: number;
}

/** The active and newest pending epoch of a distributor, and its newest one. */
export interface EpochState {
  latest: EpochRow | undefined;
  active: EpochRow | undefined;
  pending: EpochRow | undefined;
}

const DB_DOWN_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/** Whether a database error means "the database is unreachable" rather than a broken query. */
function dbDown(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  // SQLSTATE classes 08 (connection), 53 (resources), 57 (shutdown) are the server's outages
  return DB_DOWN_CODES.has(code) || /^(08|53|57)/.test(code);
}

/** Runs a database read; an unreachable database becomes a 503 (UpstreamError), never a 404 or 500. */
export async function fromDb<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (dbDown(err)) throw new UpstreamError("db_unavailable", `database unavailable: ${(err as Error).message}`, true, err);
    throw err;
  }
}

/** Runs an RPC read; any failure of the node becomes a 503 (UpstreamError). */
export async function fromRpc<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof MeritError) throw err;
    throw new UpstreamError("rpc_unreachable", `RPC unavailable: ${(err as Error).message}`, true, err);
  }
}

/**
 * A value refreshed at most every `ms`: callers get the cached value while it is fresh, and a
 * refresh in flight is shared, so a burst of requests makes one query. Past `ms` the old value is
 * still served while one refresh runs, but only up to `staleMs` old (default 5 × `ms`): an idle
 * cache, or a database that stopped answering, never hides behind an outdated answer.
 */
export class Cached<K, V> {
  private readonly entries = new Map<K, { at: number; value?: V; pending?: Promise<V> }>();
  constructor(
    private readonly ms: number,
    private readonly load: (key: K) => Promise<V>,
    private readonly staleMs = ms * 5,
  ) {}

  get(key: K): Promise<V> | V {
    const now = Date.now();
    let e = this.entries.get(key);
    const usable = e !== undefined && e.value !== undefined && now - e.at < this.staleMs;
    if (usable && now - e!.at < this.ms) return e!.value as V;
    if (e?.pending) return usable ? (e.value as V) : e.pending;
    if (!e) this.entries.set(key, (e = { at: 0 }));
    const entry = e;
    const pending = this.load(key).then(
      (value) => {
        entry.value = value;
        entry.at = Date.now();
        entry.pending = undefined;
        return value;
      },
      (err) => {
        entry.pending = undefined;
        throw err;
      },
    );
    entry.pending = pending;
    // a failed background refresh is nobody's to handle: the stale value is served until staleMs
    pending.catch(() => {});
    return usable ? (entry.value as V) : pending;
  }
}

/**
 * Wallet figures asked for in the same tick are read in one statement per set of epochs (up to
 * `max` wallets): under load the wallet route costs the database one round trip per burst, not one
 * per request, and the server one socket write.
 */
export class WalletFiguresReader {
  private readonly batch = new TickBatch<FiguresAsk>((asks) => this.flush(asks));

  constructor(
    private readonly sql: Sql,
    private readonly max = 256,
  ) {}

  read(wallet: string, at: FiguresAt): Promise<WalletFigures> {
    return new Promise((resolve, reject) => this.batch.push({ wallet, at, resolve, reject }));
  }

  private flush(asks: FiguresAsk[]): void {
    const groups = new Map<string, FiguresAsk[]>();
    for (const a of asks) {
      const key = JSON.stringify(a.at, (_, v) => (typeof v === "bigint" ? v.toString() : v));
      const group = groups.get(key);
      if (group) group.push(a);
      else groups.set(key, [a]);
    }
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += this.max) {
        const part = group.slice(i, i + this.max);
        fromDb(() =>
          walletFiguresMany(
            this.sql,
            part.map((p) => p.wallet),
            part[0]!.at,
          ),
        ).then(
          (figures) => part.forEach((p, j) => p.resolve(figures[j]!)),
          (err) => {
            for (const p of part) p.reject(err);
          },
        );
      }
    }
  }
}

interface FiguresAsk {
  wallet: string;
  at: FiguresAt;
  resolve: (f: WalletFigures) => void;
  reject: (e: unknown) => void;
}

/** The read side shared by every public route, with the caches that keep the hot paths off the database. */
export class PublicContext {
  readonly program: MeritDistributorProgram;
  readonly shards: ShardCache;
  readonly claims: ClaimStatusReader;
  readonly figures: WalletFiguresReader;
  private readonly distributorList: Cached<"all", DistributorRow[]>;
  private readonly epochState: Cached<string, EpochState>;
  private readonly rules: Cached<"latest", RuleSetBody | undefined>;
  private readonly chain: Cached<string, ChainView>;

  constructor(readonly deps: PublicDeps) {
    const ms = deps.cacheMs ?? 2000;
    this.program = offlineProgram(deps.connection, deps.programId);
    this.shards = new ShardCache(deps.dataDir, deps.shardCacheSize ?? 8192);
    this.claims = new ClaimStatusReader(deps.connection, this.program);
    this.figures = new WalletFiguresReader(deps.sql);
    this.distributorList = new Cached(ms, () => fromDb(() => listDistributors(deps.sql)));
    this.epochState = new Cached(ms, (d) => fromDb(() => loadEpochState(deps.sql, d, deps.dataDir)));
    this.rules = new Cached(ms, () =>
      fromDb(async () => {
        const v = await latestRuleSetVersion(deps.sql);
        return v === 0n ? undefined : (await getRuleSet(deps.sql, v))?.body;
      }),
    );
    this.chain = new Cached(deps.chainCacheMs ?? 5000, (d) => fromRpc(() => readChain(deps.connection, this.program, new PublicKey(d))));
  }

  get sql(): Sql {
    return this.deps.sql;
  }

  /** The distributor `?distributor=` names, else the only (or first) one configured; undefined when none is. */
  async distributor(requested: string | undefined): Promise<DistributorRow | undefined> {
    const all = await this.distributorList.get("all");
    if (requested === undefined) return all[0];
    const d = all.find((x) => x.address === requested);
    if (!d) throw new CallerError("unknown_distributor", `distributor ${requested} is not configured here`);
    return d;
  }

  /** Like `distributor`, but a 404 when none is configured. */
  async requireDistributor(requested: string | undefined): Promise<DistributorRow> {
    const d = await this.distributor(requested);
    if (!d) throw new CallerError("unknown_distributor", "no distributor is configured here yet");
    return d;
  }

  epochs(distributor: string): Promise<EpochState> | EpochState {
    return this.epochState.get(distributor);
  }

  ruleSet(): Promise<RuleSetBody | undefined> | RuleSetBody | undefined {
    return this.rules.get("latest");
  }

  chainState(distributor: string): Promise<ChainView> | ChainView {
    return this.chain.get(distributor);
  }
}

/**
 * An epoch is visible here once its files are in this process's data directory: the row commits
 * before the files move into place (epochs/close.ts), and an API replica's files arrive by copy,
 * so a row alone must not send a claimant to a proof that is not there yet. The files appear as
 * one directory rename, so the manifest stands for them all.
 */
export function epochVisible(dataDir: string, e: Pick<EpochRow, "distributor" | "epoch">): boolean {
  return existsSync(join(epochDir(dataDir, e.distributor, e.epoch), MANIFEST_FILE));
}

async function loadEpochState(q: Queryable, distributor: string, dataDir: string): Promise<EpochState> {
  const rows = await q<{ epoch: bigint; kind: string }[]>`
    (select epoch, 'latest' as kind from epochs where distributor = ${distributor} order by epoch desc limit 3)
    union all (select epoch, 'active' from epochs where distributor = ${distributor} and status = 'active' order by epoch desc limit 3)
    union all (select epoch, 'pending' from epochs where distributor = ${distributor} and status = 'pending' order by epoch desc limit 3)`;
  // newest first per kind; only the newest epochs can lack their files (they are written in order)
  const pick = async (kind: string) => {
    const r = rows.find((x) => x.kind === kind && epochVisible(dataDir, { distributor, epoch: BigInt(x.epoch) }));
    return r ? getEpoch(q, distributor, BigInt(r.epoch)) : undefined;
  };
  const [latest, active, pending] = await Promise.all([pick("latest"), pick("active"), pick("pending")]);
  // a pending root older than the active one can no longer activate (the queue is in epoch order)
  return { latest, active, pending: pending && (!active || pending.epoch > active.epoch) ? pending : undefined };
}
