// node:fs(/promises) in the browser: proof shards are read over HTTP only (readClaimProof takes a
// URL there), and the SIMD hashing module finds no file and falls back to plain SHA-256.
const unavailable = (): never => {
  throw new Error("no file system in the browser: give proof shards as an http(s) URL");
};
export const readFile = async (): Promise<never> => unavailable();
export const readFileSync = unavailable;
export const mkdir = unavailable;
export const writeFile = unavailable;
export const createReadStream = unavailable;
export const createWriteStream = unavailable;
