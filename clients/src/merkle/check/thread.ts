// The independent check (independent.ts) on a thread of its own, for a tree in shared memory: the
// caller writes files meanwhile, and must not publish them before this resolves. A file of its own
// so that a browser build, which builds no tree, leaves the thread out (claim-page/vite.config.ts).
import { Worker } from "node:worker_threads";
import type { MerkleTree } from "../build/tree.js";
import { MerkleError } from "../errors.js";
import { checksInWorker, inputOf, settle, verifyTreeIndependently } from "./independent.js";
import type { CheckResult } from "./recompute.mjs";

/**
 * verifyTreeIndependently on another thread. Only for a tree whose arrays are in shared memory (a
 * large one, built with the helper thread): any other is checked here, as is one whose check hash
 * a test replaced.
 */
export async function verifyTreeInWorker(tree: MerkleTree): Promise<Buffer> {
  if (!checksInWorker(tree)) return verifyTreeIndependently(tree);
  // the root is a small copy of its own: it crosses as bytes
  const workerData = { ...inputOf(tree), root: new Uint8Array(tree.root) };
  const r = await new Promise<CheckResult>((resolve, reject) => {
    const w = new Worker(new URL("./worker.mjs", import.meta.url), { workerData, execArgv: [] });
    w.once("message", (m: { root?: Uint8Array; failure?: string }) =>
      resolve(m.failure === undefined ? { root: Buffer.from(m.root!) } : { failure: m.failure }),
    );
    w.once("error", reject);
    w.once("exit", (code) =>
      reject(new MerkleError("TREE_CHECK_FAILED", `the independent check's thread stopped (exit ${code}) without an answer`)),
    );
  });
  return settle(tree, r);
}
