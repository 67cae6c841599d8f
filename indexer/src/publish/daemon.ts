import { setTimeout as sleep } from "node:timers/promises";
import type { Connection, Keypair } from "@solana/web3.js";
import type { MeritDistributorProgram } from "@merit/clients/idl";
import type { Sql } from "../db/connection.js";
import { closeEpoch } from "../epochs/close.js";
import { listDistributors } from "../epochs/queries.js";
import { MeritError } from "../errors.js";
import { followEpochs } from "./follow.js";
import { publishEpoch, type PublishContext } from "./publish.js";
import { nextRun, parseSchedule, type Schedule } from "./schedule.js";
import type { SendSettings } from "./send.js";

/**
 * The epochs daemon: on its schedule it closes the next epoch of every configured distributor and
 * publishes what is not on-chain yet; between runs it follows the chain every `followEveryMs`
 * (activating due roots, recording vetoes, reporting a pause). The main process starts it.
 */
export interface EpochsDaemonOptions {
  sql: Sql;
  connection: Connection;
  dataDir: string;
  signer: Keypair;
  send: SendSettings;
  /** EPOCH_SCHEDULE text or a parsed schedule. */
  schedule: string | Schedule;
  followEveryMs?: number;
  log: (line: string) => void;
  /** The distributor program (default: the committed IDL's id; see offlineProgram). */
  program?: MeritDistributorProgram;
  /** The clock, for tests. */
  now?: () => number;
}

export interface EpochsDaemon {
  /** One full pass (close, publish, follow) now; what the schedule runs. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

export function startEpochs(o: EpochsDaemonOptions): EpochsDaemon {
  const schedule = typeof o.schedule === "string" ? parseSchedule(o.schedule) : o.schedule;
  const now = o.now ?? Date.now;
  const ctx: PublishContext = {
    sql: o.sql,
    connection: o.connection,
    dataDir: o.dataDir,
    signer: o.signer,
    send: o.send,
    log: o.log,
    program: o.program,
  };
  const abort = new AbortController();
  let running: Promise<void> = Promise.resolve();
  // One pass at a time: a follow never overlaps a close-and-publish.
  const serial = (fn: () => Promise<void>) => (running = running.then(fn, fn));

  const guarded = (what: string, fn: () => Promise<unknown>) =>
    fn().catch((err: unknown) => {
      const e = err as MeritError;
      const loud = !(err instanceof MeritError) || e.kind === "bug";
      o.log(`epochs: ${what} failed${loud ? " (needs attention)" : ""}: ${(err as Error).message}`);
    });

  const follow = async () => {
    for (const d of await listDistributors(o.sql))
      await guarded(`following ${d.address}`, () => followEpochs(ctx, { distributor: d.address }));
  };

  const runOnce = async () => {
    for (const d of await listDistributors(o.sql)) {
      await guarded(`closing an epoch of ${d.address}`, () =>
        closeEpoch(o.sql, { distributor: d.address, dataDir: o.dataDir, log: o.log }),
      );
      await guarded(`publishing ${d.address}`, async () => {
        for (;;) {
          const r = await publishEpoch(ctx, { distributor: d.address });
          if (r.outcome === "nothing" || r.outcome === "busy") return;
        }
      });
    }
    await follow();
  };

  const loop = async (first: number, every: (t: number) => number, fn: () => Promise<void>) => {
    let at = first;
    while (!abort.signal.aborted) {
      try {
        await sleep(Math.max(0, at - now()), undefined, { signal: abort.signal });
      } catch {
        return;
      }
      // A pass that fails as a whole (the database unreachable) is logged; the schedule goes on.
      await serial(fn).catch((err: unknown) => o.log(`epochs: pass failed: ${(err as Error).message}`));
      at = every(now());
    }
  };

  const started = now();
  const followEvery = o.followEveryMs ?? 60_000;
  const loops = [
    loop(nextRun(schedule, started, started), (t) => nextRun(schedule, t, started), runOnce),
    loop(started + followEvery, (t) => t + followEvery, follow),
  ];
  o.log(`epochs: daemon started; next close ${new Date(nextRun(schedule, started, started)).toISOString()}`);
  return {
    runOnce: () => serial(runOnce),
    async stop() {
      abort.abort();
      await Promise.all(loops);
      await running;
    },
  };
}
