import { Worker } from "node:worker_threads";

/** One job for hash-worker.mjs: leaves [from, to) and their subtrees up to level `upTo`. */
export interface HashJob {
  distributor: Uint8Array;
  claimants: Uint8Array;
  amounts: BigUint64Array;
  levels: SharedArrayBuffer;
  counts: number[];
  offsets: number[];
  from: number;
  to: number;
  upTo: number;
}

/*
 * One lazily started helper thread, kept for the life of the process (a cold start costs ~80 ms)
 * but unref'd while idle so it never holds the process open.
 */
let worker: Worker | undefined;
let busy: Promise<unknown> = Promise.resolve();

function start(): Worker {
  // Plain JS needs no loader: an inherited `--import tsx` made a cold start ~140 ms and ~160 ms of
  // CPU instead of ~85 ms and ~55 ms.
  const w = new Worker(new URL("./hash-worker.mjs", import.meta.url), { execArgv: [] });
  w.unref();
  const forget = () => {
    if (worker === w) worker = undefined;
  };
  w.on("error", forget);
  w.on("exit", forget);
  return w;
}

/** Runs one job on the helper thread; jobs queue, so concurrent builds stay correct. */
export function runOnWorker(job: HashJob): Promise<void> {
  const run = busy.then(
    () =>
      new Promise<void>((resolve, reject) => {
        const w = (worker ??= start());
        const done = (settle: () => void) => {
          w.off("message", onMessage);
          w.off("error", onError);
          w.off("exit", onExit);
          w.unref();
          settle();
        };
        const onMessage = (m: { ok: boolean; error?: string }) =>
          done(() => (m.ok ? resolve() : reject(new Error(`hash worker failed: ${m.error}`))));
        const onError = (err: Error) => done(() => reject(err));
        // A worker stopped mid-job (stopHashWorker, a crash) would otherwise leave the build hanging.
        const onExit = (code: number) => done(() => reject(new Error(`hash worker exited (code ${code}) during a build`)));
        w.on("message", onMessage);
        w.on("error", onError);
        w.on("exit", onExit);
        w.ref();
        w.postMessage(job);
      }),
  );
  busy = run.catch(() => undefined);
  return run;
}

/** Stops the helper thread (tests and short scripts that want a clean exit). */
export async function stopHashWorker(): Promise<void> {
  const w = worker;
  worker = undefined;
  if (w) await w.terminate();
}
