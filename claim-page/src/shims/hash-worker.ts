// The client library's tree-building helpers (a hashing worker, SIMD SHA-256 in WebAssembly, the
// independent check's thread, the shard thread) in the browser: a claim builds no tree, so none of them runs;
// stubbing them keeps their files out of the build.
const unused = (): never => {
  throw new Error("the claim page builds no Merkle tree");
};
export const startHashWorker = unused;
export const shareWithWorker = unused;
export const stopHashWorker = async (): Promise<void> => {};
export const wasmAvailable = false;
export const wasmLeafRange = unused;
export const wasmNodeRange = unused;
export const verifyTreeInWorker = unused;
export const writeProofShardsInWorker = unused;
