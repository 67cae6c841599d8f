import { MerkleError } from "../errors.js";
import { type HashPath, type RangeHashers, rangeHashers } from "./levels.mjs";
import { wasmAvailable } from "./sha256-wasm.mjs";

export type { HashPath };

/**
 * Which SHA-256 code a build runs (`BuildOptions.hash`); every path gives the same bytes.
 * - `"auto"` (the default): WebAssembly SIMD when this runtime validates the module, else node:crypto.
 * - `"wasm-simd"`: the SIMD module; a runtime without WebAssembly SIMD is a caller error.
 * - `"node-crypto"`: Node's crypto, the reference (comparisons; a way out if the module misbehaves).
 */
export type HashOption = "auto" | HashPath;

/** The path a build with `requested` runs here. `simd` is whether the runtime has the SIMD module (tests pass false). */
export function resolveHashPath(requested: HashOption = "auto", simd: boolean = wasmAvailable): HashPath {
  switch (requested) {
    case "auto":
      return simd ? "wasm-simd" : "node-crypto";
    case "node-crypto":
      return "node-crypto";
    case "wasm-simd":
      if (!simd)
        throw new MerkleError(
          "HASH_PATH_UNAVAILABLE",
          'hash "wasm-simd" was asked for, but this runtime\'s WebAssembly has no SIMD: use "auto" or "node-crypto"',
        );
      return "wasm-simd";
    default:
      throw new MerkleError("INVALID_OPTION", `hash must be "auto", "wasm-simd" or "node-crypto", got ${JSON.stringify(requested)}`);
  }
}

/** The leaf and node loops of the path a build with `requested` runs. */
export function hashersFor(requested: HashOption | undefined): RangeHashers {
  return rangeHashers(resolveHashPath(requested));
}
