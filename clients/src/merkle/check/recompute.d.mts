// Types of recompute.mjs (plain JavaScript so the check's worker can load it without tsx).
export interface CheckInput {
  distributor: Uint8Array;
  claimants: Uint8Array;
  amounts: BigUint64Array;
  nodes: Uint8Array;
  root: Uint8Array;
  hashPath: string;
}
export type CheckResult = { root: Buffer; failure?: undefined } | { failure: string; root?: undefined };
export declare const nodeSha256: (data: Uint8Array) => Buffer;
export declare function recompute(input: CheckInput, sha256?: (data: Uint8Array) => Buffer): CheckResult;
