import { setTimeout as sleep } from "node:timers/promises";
import type { Sql } from "../db/connection.js";
import { advisoryUnlock, tryAdvisoryLock } from "../db/advisory-lock.js";
import { roleLeader } from "../metrics/index.js";
import type { RoleHandle } from "./roles/types.js";

export type LeaderState = "leader" | "standby";

export interface Leadership {
  state(): LeaderState;
  /** The running role's handle while this process leads it. */
  handle(): RoleHandle | undefined;
  /** Stops the role (letting its batch in hand commit), then gives the lock up. */
  stop(): Promise<void>;
}

export interface LeadOptions {
  role: string;
  /** A client of one connection to the primary, for the lock alone (created when needed, ended on stop). */
  lockSession: () => Sql;
  /** The advisory lock's name: one leader per name across every process on this database. */
  lockName: string;
  /**
   * False on the embedded PGlite: its locks do not exclude (one session), and a connection held
   * for the lock would be its pool's only one. One process owns that database anyway.
   */
  exclusive: boolean;
  /** How often a standby tries the lock, and a leader checks the session that holds it. */
  pollMs?: number;
  log: (line: string) => void;
  start: () => Promise<RoleHandle>;
}

/**
 * Runs a role in one process per lock name. A standby tries the lock on a connection of its own
 * every `pollMs`; the leader holds it for as long as that session lives. When a leader
 * dies, Postgres ends its session and drops the lock, and a standby starts the role at its next
 * try. A leader whose session breaks (the server restarted, the network cut) stops its role
 * at its next check: the lock may be someone else's now. (The writers stay safe through that
 * moment on their own: the engine cursor is a locked row, ingest writes are idempotent, and each
 * publish pass takes the distributor's lock.)
 */
export async function lead(o: LeadOptions): Promise<Leadership> {
  const pollMs = o.pollMs ?? 1000;
  const abort = new AbortController();
  let state: LeaderState = "standby";
  let handle: RoleHandle | undefined;
  roleLeader.set({ role: o.role }, 0);

  const become = async (next: LeaderState) => {
    if (next === "leader") handle = await o.start();
    else {
      await handle?.stop();
      handle = undefined;
    }
    state = next;
    roleLeader.set({ role: o.role }, next === "leader" ? 1 : 0);
  };
  const pause = () => sleep(pollMs, undefined, { signal: abort.signal }).catch(() => {});

  const stopped = new Promise<void>((r) => abort.signal.addEventListener("abort", () => r(), { once: true }));
  if (!o.exclusive) {
    // Alone on its database: the role starts now, and a failure to start is the daemon's.
    await become("leader");
    const running = stopped.then(() => become("standby"));
    return { state: () => state, handle: () => handle, stop: () => (abort.abort(), running) };
  }

  const run = async () => {
    // The lock's own session: one connection, never shared with the role's queries. If it drops,
    // the client reconnects as a new session, which holds nothing: the backend pid tells.
    const session = o.lockSession();
    let pid: number | undefined;
    let waiting = false;
    const backend = async () => (await session<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;
    while (!abort.signal.aborted) {
      try {
        if (state === "standby") {
          if (await tryAdvisoryLock(session, o.lockName)) {
            pid = await backend();
            o.log(`${o.role}: leader (holds ${o.lockName})`);
            await become("leader");
          } else if (!waiting) {
            waiting = true;
            o.log(`${o.role}: standby (another process holds ${o.lockName}); trying every ${pollMs} ms`);
          }
        } else if ((await backend()) !== pid) throw new Error("the session was replaced");
      } catch (err) {
        if (state === "leader") {
          o.log(`${o.role}: lost the session holding ${o.lockName}; stopping the role: ${(err as Error).message}`);
          await become("standby").catch((e: unknown) => o.log(`${o.role}: stopping failed: ${(e as Error).message}`));
        } else o.log(`${o.role}: could not take the lead, trying again: ${(err as Error).message}`);
        // whatever this session holds now is given back (a role that failed to start)
        await advisoryUnlock(session, o.lockName).catch(() => {});
      }
      await pause();
    }
    if (state === "leader") await become("standby");
    await advisoryUnlock(session, o.lockName).catch(() => {});
    await session.end();
  };
  const running = run();

  return {
    state: () => state,
    handle: () => handle,
    async stop() {
      abort.abort();
      await running;
    },
  };
}
