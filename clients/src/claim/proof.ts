// Where a claim's proof comes from: merit's API (`GET /v1/wallets/:address/proof`, the active and
// the pending root's proofs) or, when the API is down or not given, the epoch's static proof
// shards. Either way the proof is checked against the root on-chain before anything is signed.
import { z } from "zod";
import { MerkleError, readClaimProof } from "../merkle/index.js";
import { decodeKey58 } from "../merkle/format/base58.js";
import { ClaimError } from "./errors.js";

/** A proof for one epoch's root. */
export interface EpochProof {
  epoch: bigint;
  /** Hex, as the API and the EpochRoot account carry it. */
  root: string;
  amount: bigint;
  proof: Buffer[];
  /** Where it came from, for progress output. */
  source: "api" | "shards";
}

export interface ApiProofResponse {
  wallet: string;
  distributor: string;
  mint: string;
  active: EpochProof | null;
  pending: (EpochProof & { activatesAt: string }) | null;
}

const base58Key = z.string().refine((s) => decodeKey58(s) !== undefined, "not a base58 32-byte address");
const hash = z.string().regex(/^[0-9a-f]{64}$/, "not 32 bytes of lowercase hex");
const u64 = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, "not a decimal integer")
  .refine((s) => BigInt(s) < 1n << 64n, "above u64");
const rootProof = z.object({ epoch: u64, root: hash, amount: u64, proof: z.array(hash) });
const schema = z.object({
  wallet: base58Key,
  distributor: base58Key,
  mint: base58Key,
  active: rootProof.nullable(),
  pending: rootProof.extend({ activatesAt: z.iso.datetime({ offset: true }) }).nullable(),
});

const toProof = (p: z.infer<typeof rootProof>): EpochProof => ({
  epoch: BigInt(p.epoch),
  root: p.root,
  amount: BigInt(p.amount),
  proof: p.proof.map((h) => Buffer.from(h, "hex")),
  source: "api",
});

/** The body of `GET /v1/wallets/:address/proof`, validated; a ClaimError (ProofSourceUnavailable) naming the field otherwise. */
export function parseProofResponse(text: string): ApiProofResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw ClaimError.client("ProofSourceUnavailable", "the API's proof response is not JSON");
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw ClaimError.client(
      "ProofSourceUnavailable",
      `the API's proof response is malformed at ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
  }
  const { active, pending, ...rest } = r.data;
  return { ...rest, active: active && toProof(active), pending: pending && { ...toProof(pending), activatesAt: pending.activatesAt } };
}

export type ApiProofResult = { kind: "found"; body: ApiProofResponse } | { kind: "not-eligible" } | { kind: "unavailable"; reason: string };

/**
 * Classifies the API's answer: 200 with a valid body, 404 (the wallet is in no published root), or
 * anything else (the service is down or broken: the caller falls back to the shards).
 */
export function classifyProofResponse(status: number, text: string): ApiProofResult {
  if (status === 404) return { kind: "not-eligible" };
  if (status !== 200) return { kind: "unavailable", reason: `HTTP ${status}` };
  try {
    return { kind: "found", body: parseProofResponse(text) };
  } catch (err) {
    return { kind: "unavailable", reason: (err as Error).message };
  }
}

/** Fetches the wallet's proofs from merit's API at `api` (its origin, e.g. `https://merit.example`). */
export async function fetchApiProof(api: string, wallet: string, timeoutMs = 10_000): Promise<ApiProofResult> {
  const url = `${api.replace(/\/+$/, "")}/v1/wallets/${wallet}/proof`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return { kind: "unavailable", reason: (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message };
  }
  return classifyProofResponse(res.status, await res.text());
}

/** `shardsUrl` with `{epoch}` (and `{distributor}`, when present) filled in. */
export function shardsLocation(shardsUrl: string, distributor: string, epoch: bigint): string {
  return shardsUrl.replaceAll("{epoch}", epoch.toString()).replaceAll("{distributor}", distributor);
}

export type ShardProofResult = { kind: "found"; proof: EpochProof } | { kind: "not-eligible" } | { kind: "unavailable"; reason: string };

/**
 * The wallet's proof of `epoch` from the static shards, checked against `root` (the chain's):
 * not-eligible when the epoch's shards do not list the wallet, unavailable when they cannot be read.
 */
export async function fetchShardProof(
  shardsUrl: string,
  distributor: string,
  wallet: string,
  epoch: bigint,
  root: string,
): Promise<ShardProofResult> {
  const where = shardsLocation(shardsUrl, distributor, epoch);
  try {
    const p = await readClaimProof(where, wallet, { expectedRoot: root });
    if (!p) return { kind: "not-eligible" };
    if (p.distributor !== distributor || p.epoch !== epoch) {
      throw ClaimError.client("ProofMismatch", `the shards at ${where} are for distributor ${p.distributor}, epoch ${p.epoch}`);
    }
    return { kind: "found", proof: { epoch, root: p.root.toString("hex"), amount: p.amount, proof: p.proof, source: "shards" } };
  } catch (err) {
    if (err instanceof ClaimError) throw err;
    if (err instanceof MerkleError && err.code === "PROOF_INVALID")
      throw ClaimError.client("ProofMismatch", `${where}: ${err.message}`, err);
    return { kind: "unavailable", reason: `${where}: ${(err as Error).message}` };
  }
}
