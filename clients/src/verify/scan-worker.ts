// Runs scanDataset in a worker thread (scan.ts, scanDatasetBeside): the previous epoch's dataset is
// read on the second core while the main thread reads the current one. The packed arrays are in
// shared memory, so they come back without a copy.
import { parentPort, workerData } from "node:worker_threads";
import { DatasetError } from "../dataset/index.js";
import { scanDataset } from "./scan.js";

try {
  parentPort!.postMessage({ ok: true, scanned: await scanDataset((workerData as { path: string }).path) });
} catch (err) {
  if (!(err instanceof DatasetError)) throw err;
  parentPort!.postMessage({ ok: false, error: { code: err.code, message: err.message, line: err.line, claimant: err.claimant } });
}
