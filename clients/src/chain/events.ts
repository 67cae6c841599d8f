// The program's events from a transaction's logs: `Program data:` lines (sol_log_data of
// sha256("event:<Name>")[..8] ++ borsh) under the program's own invocation, decoded with the IDL.
import anchor from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";
import type { MeritDistributorProgram } from "../idl/program.js";
import { codingProgram } from "./program.js";

export type MeritEventName =
  | "DistributorInitialized"
  | "AuthoritiesUpdated"
  | "ParamsUpdated"
  | "PauseChanged"
  | "RootProposed"
  | "RootVetoed"
  | "RootActivated"
  | "Claimed"
  | "ClawedBack";

/** Field values: integers as bigint, byte arrays as hex, addresses as PublicKey. */
export type EventValue = bigint | string | boolean | PublicKey;

export interface MeritEvent {
  name: MeritEventName;
  /** camelCase field names, as in the IDL types (e.g. Claimed: distributor, claimant, epoch, amount, cumulativeClaimed). */
  data: Record<string, EventValue>;
}

function normalize(v: unknown): EventValue {
  if (v instanceof PublicKey || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return BigInt(v);
  if (Array.isArray(v)) return Buffer.from(v as number[]).toString("hex");
  if (v && typeof v === "object" && "toString" in v) return BigInt((v as { toString(): string }).toString());
  throw new Error(`unexpected event field ${String(v)}`);
}

/** Every event the program emitted in these logs, in order (events of other programs are skipped). */
export function decodeEvents(logs: readonly string[], program: MeritDistributorProgram = codingProgram()): MeritEvent[] {
  const parser = new anchor.EventParser(program.programId, program.coder);
  const out: MeritEvent[] = [];
  for (const e of parser.parseLogs([...logs])) {
    const name = (e.name.charAt(0).toUpperCase() + e.name.slice(1)) as MeritEventName;
    out.push({ name, data: Object.fromEntries(Object.entries(e.data).map(([k, v]) => [k, normalize(v)])) });
  }
  return out;
}
