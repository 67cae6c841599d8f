// The independent check on a thread of its own (independent.ts, verifyTreeInWorker): the tree's
// arrays arrive in shared memory, so nothing is copied; the answer is the root or the failure.
import { parentPort, workerData } from "node:worker_threads";
import { recompute } from "./recompute.mjs";

const r = recompute(workerData);
parentPort.postMessage(r.failure === undefined ? { root: new Uint8Array(r.root) } : { failure: r.failure });
