import { setTimeout as sleep } from "node:timers/promises";
import {
  ComputeBudgetProgram,
  type Connection,
  type Keypair,
  type PublicKey,
  Transaction,
  type TransactionInstruction,
} from "@solana/web3.js";
import bs58 from "bs58";
import { UpstreamError } from "../errors.js";
import { programErrorName } from "./chain.js";

/**
 * Sending one publisher transaction: a compute budget and priority fee in front of the
 * instruction, a fresh blockhash per attempt, and waiting until it is `finalized` or its blockhash
 * has expired (then it can never land, and a new attempt is safe).
 */
export interface SendSettings {
  priorityFeeMicroLamports: number;
  computeUnitLimit: number;
  maxAttempts: number;
  /** How often the signature's status is polled. */
  pollMs: number;
  /** Test hook: a pause after the transaction left, before waiting for it (a crash window). */
  pauseAfterSendMs?: number;
}

export const DEFAULT_SEND: SendSettings = { priorityFeeMicroLamports: 0, computeUnitLimit: 20_000, maxAttempts: 5, pollMs: 500 };

export function budgeted(s: SendSettings, ixs: TransactionInstruction[]): TransactionInstruction[] {
  return [
    ComputeBudgetProgram.setComputeUnitLimit({ units: s.computeUnitLimit }),
    ...(s.priorityFeeMicroLamports > 0 ? [ComputeBudgetProgram.setComputeUnitPrice({ microLamports: s.priorityFeeMicroLamports })] : []),
    ...ixs,
  ];
}

export interface Signed {
  transaction: Transaction;
  signature: string;
  /** The last block height at which this transaction can still land. */
  validUntil: bigint;
}

/** Builds and signs with a fresh (finalized) blockhash. */
export async function signFresh(connection: Connection, s: SendSettings, payer: Keypair, ixs: TransactionInstruction[]): Promise<Signed> {
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash("finalized");
  const transaction = new Transaction({ feePayer: payer.publicKey, blockhash, lastValidBlockHeight }).add(...budgeted(s, ixs));
  transaction.sign(payer);
  return { transaction, signature: bs58.encode(transaction.signature!), validUntil: BigInt(lastValidBlockHeight) };
}

/** An unsigned transaction for a multisig to sign, base64 of its wire bytes. */
export async function unsignedBase64(
  connection: Connection,
  s: SendSettings,
  feePayer: PublicKey,
  ixs: TransactionInstruction[],
): Promise<string> {
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash("finalized");
  const tx = new Transaction({ feePayer, blockhash, lastValidBlockHeight }).add(...budgeted(s, ixs));
  return tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString("base64");
}

export type Landing =
  | { landed: true }
  | { landed: false; reason: "expired" }
  | { landed: false; reason: "failed"; error: string; programError: string | undefined };

/**
 * Waits for a sent signature: finalized, failed, or expired (the chain's finalized block height is
 * past the blockhash's last valid height and the signature is still unknown).
 */
export async function waitForLanding(connection: Connection, signature: string, validUntil: bigint, pollMs: number): Promise<Landing> {
  for (;;) {
    const { value } = await connection.getSignatureStatuses([signature], { searchTransactionHistory: true });
    const st = value[0];
    if (st?.err) {
      const error = JSON.stringify(st.err);
      return { landed: false, reason: "failed", error, programError: programErrorName(error) };
    }
    if (st?.confirmationStatus === "finalized") return { landed: true };
    if (!st && BigInt(await connection.getBlockHeight("finalized")) > validUntil) {
      // One last look: it may have landed between the two calls.
      const again = (await connection.getSignatureStatuses([signature], { searchTransactionHistory: true })).value[0];
      if (!again) return { landed: false, reason: "expired" };
      continue;
    }
    await sleep(pollMs);
  }
}

/**
 * Sends the signed transaction with preflight (a transaction the program would refuse is not
 * sent, so no fee is paid for it). A refusal throws `publish_rejected` naming the program's error.
 */
export async function sendSigned(connection: Connection, signed: Signed): Promise<void> {
  try {
    await connection.sendRawTransaction(signed.transaction.serialize(), {
      skipPreflight: false,
      preflightCommitment: "finalized",
      maxRetries: 0,
    });
  } catch (err) {
    const logs = (err as { logs?: string[] }).logs ?? [];
    const text = `${(err as Error).message}\n${logs.join("\n")}`;
    const name = programErrorName(text);
    if (!name && !/simulation failed|custom program error|InstructionError/i.test(text)) {
      // Not refused by the program: the node did not take it (network, rate limit); a retry may help.
      throw new UpstreamError("rpc_error", `sending ${signed.signature}: ${(err as Error).message}`, true, err);
    }
    throw new RejectedError(
      name,
      `the program refused the transaction${name ? ` (${name})` : ""}: ${(err as Error).message.split("\n")[0]}`,
      err,
    );
  }
}

/** A transaction the program refused (preflight or on-chain), with the program's error name. */
export class RejectedError extends UpstreamError {
  constructor(
    readonly programError: string | undefined,
    message: string,
    cause?: unknown,
  ) {
    super("publish_rejected", message, false, cause);
  }
}

/**
 * Sends `ixs` until one attempt is finalized: a new blockhash per attempt, `beforeSend` (to record
 * the signature first) and `beforeRetry` (to look at the chain before sending again; returning
 * false stops) around each one.
 */
export async function sendWithRetries(
  connection: Connection,
  s: SendSettings,
  payer: Keypair,
  ixs: TransactionInstruction[],
  hooks: { beforeSend?: (signed: Signed) => Promise<void>; beforeRetry?: () => Promise<boolean>; log?: (line: string) => void } = {},
): Promise<string | undefined> {
  for (let attempt = 1; attempt <= s.maxAttempts; attempt++) {
    if (attempt > 1 && hooks.beforeRetry && !(await hooks.beforeRetry())) return undefined;
    const signed = await signFresh(connection, s, payer, ixs);
    await hooks.beforeSend?.(signed);
    try {
      await sendSigned(connection, signed);
    } catch (err) {
      if (err instanceof UpstreamError && err.retryable && attempt < s.maxAttempts) {
        hooks.log?.(`publish: attempt ${attempt} not sent (${err.message}); retrying with a fresh blockhash`);
        continue;
      }
      throw err;
    }
    hooks.log?.(`publish: sent ${signed.signature}; waiting until it is finalized`);
    if (s.pauseAfterSendMs) await sleep(s.pauseAfterSendMs);
    const landing = await waitForLanding(connection, signed.signature, signed.validUntil, s.pollMs);
    if (landing.landed) return signed.signature;
    if (landing.reason === "failed")
      throw new RejectedError(
        landing.programError,
        `transaction ${signed.signature} failed on-chain${landing.programError ? ` (${landing.programError})` : ""}: ${landing.error}`,
      );
    hooks.log?.(`publish: attempt ${attempt} (${signed.signature}) expired before landing; retrying with a fresh blockhash`);
  }
  throw new UpstreamError("publish_expired", `no attempt of ${s.maxAttempts} landed before its blockhash expired`, true);
}
