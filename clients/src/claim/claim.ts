// claim(): one wallet's tokens from a merit distributor (docs/claim.md). Reads the chain, picks the
// newest root it can claim under, fetches and verifies that root's proof, builds one transaction
// (activations, token accounts, compute budget, claim, optional transfer), has it signed, sends
// it, and retries with a new proof when the roots moved while it was in flight.
import {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  createAssociatedTokenAccountIdempotentInstruction,
  createTransferCheckedInstruction,
  getAssociatedTokenAddressSync,
  TOKEN_2022_PROGRAM_ID,
} from "@solana/spl-token";
import {
  ComputeBudgetProgram,
  type Connection,
  type Commitment,
  PublicKey,
  SYSVAR_CLOCK_PUBKEY,
  TransactionExpiredBlockheightExceededError,
  type TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import {
  decodeClaimStatus,
  decodeDistributor,
  decodeEpochRoot,
  type DistributorAccount,
  type EpochRootAccount,
} from "../chain/accounts.js";
import { programErrorByName } from "../chain/errors.js";
import { decodeEvents } from "../chain/events.js";
import { activateRootInstruction, claimInstruction } from "../chain/instructions.js";
import { codingProgram } from "../chain/program.js";
import { claimStatusPda, epochRootPda } from "../idl/pda.js";
import { activationsBefore } from "../idl/activation.js";
import { leafHash, verifyProof } from "../merkle/index.js";
import { claimComputeUnits } from "./compute.js";
import { ClaimError, claimErrorFrom } from "./errors.js";
import { type ApiProofResponse, type EpochProof, fetchApiProof, fetchShardProof } from "./proof.js";
import type { ClaimSigner } from "./signer.js";

export type ClaimStep = "read-chain" | "fetch-proof" | "verify-proof" | "sign" | "send" | "confirm" | "retry" | "done";

export interface ClaimOptions {
  /** The claimant (the leaf's wallet); must be the signer's address. */
  wallet: PublicKey | string;
  signer: ClaimSigner;
  connection: Connection;
  /** merit's API origin; its `/v1/wallets/:address/proof` is asked first. */
  api?: string;
  /** Static proof shards, `{epoch}` (and `{distributor}`) filled in: a URL or a directory. Used when the API is down or not given. */
  shardsUrl?: string;
  /** Pay another wallet: claim, then transfer what was paid, in one transaction. */
  recipient?: PublicKey | string;
  /** The distributor's address; required without `api` (the API names it). */
  distributor?: PublicKey | string;
  /** The program id of the deployment (default: the IDL's). */
  programId?: PublicKey;
  commitment?: Commitment;
  /** Sends after the first one when the roots move in flight, and new asks of a proof source behind the chain (default 2). */
  maxRetries?: number;
  /** Wait before asking a proof source that is behind the chain again (default 2000 ms). */
  retryDelayMs?: number;
  /**
   * Compute units added to the computed limit: the token figures are measured with the token
   * programs litesvm ships, so a cluster running slower builds needs headroom.
   */
  extraComputeUnits?: number;
  /** Progress for UIs and the CLI. */
  onStep?: (step: ClaimStep, detail: string) => void;
}

export interface ClaimResult {
  signature: string;
  /** Tokens paid by this claim (base units). */
  amount: bigint;
  epoch: bigint;
  /** The cumulative amount claimed by the wallet after this claim. */
  cumulativeClaimed: bigint;
  /** Where the tokens went: the claimant's token account, or the recipient's. */
  recipient: PublicKey;
  recipientTokenAccount: PublicKey;
  /** The epochs this transaction activated before claiming (due roots). */
  activated: bigint[];
  proofSource: "api" | "shards";
  computeUnitLimit: number;
  /** Sends it took (1 when the roots did not move). */
  attempts: number;
}

/** Program errors that mean the roots moved under the proof: read the chain again, refetch, retry. */
const ROOTS_MOVED = new Set(["RootSuperseded", "InvalidProof", "RootVetoed", "RootNotActive", "OutOfOrderActivation", "RootNotPending"]);

const key = (k: PublicKey | string, what: string): PublicKey => {
  try {
    return typeof k === "string" ? new PublicKey(k) : k;
  } catch {
    throw ClaimError.client("BadInput", `${what} "${String(k)}" is not a base58 address`);
  }
};

/** The address bump of an associated token account (its creation searches for it on-chain). */
function tokenAccountBump(owner: PublicKey, mint: PublicKey, tokenProgram: PublicKey): number {
  return PublicKey.findProgramAddressSync([owner.toBuffer(), tokenProgram.toBuffer(), mint.toBuffer()], ASSOCIATED_TOKEN_PROGRAM_ID)[1];
}

interface ChainView {
  distributor: DistributorAccount;
  now: bigint;
  claimed: bigint;
  claimStatusExists: boolean;
  decimals: number;
  tokenAccounts: Map<string, boolean>;
}

/** Two reads: the Distributor, the clock and the ClaimStatus; then the mint and the token accounts the distributor's mint implies. */
async function readChainView(
  connection: Connection,
  commitment: Commitment,
  distributor: PublicKey,
  claimStatus: PublicKey,
  tokenAccountsOf: (d: DistributorAccount) => PublicKey[],
): Promise<ChainView & { tokenAccountList: PublicKey[] }> {
  const [d, clock, status] = await connection.getMultipleAccountsInfo([distributor, SYSVAR_CLOCK_PUBKEY, claimStatus], commitment);
  if (!d) throw ClaimError.client("DistributorNotFound", distributor.toBase58());
  let state: DistributorAccount;
  try {
    state = decodeDistributor(d.data);
  } catch (err) {
    throw ClaimError.client("DistributorNotFound", `${distributor.toBase58()} is not a Distributor account`, err);
  }
  const tokenAccounts = tokenAccountsOf(state);
  const [mint, ...accounts] = await connection.getMultipleAccountsInfo([state.mint, ...tokenAccounts], commitment);
  return {
    distributor: state,
    // The program compares activation times with the Clock sysvar, not the wall clock.
    now: clock ? clock.data.readBigInt64LE(32) : BigInt(Math.floor(Date.now() / 1000)),
    claimed: status ? decodeClaimStatus(status.data).claimed : 0n,
    claimStatusExists: status !== null,
    // Mint decimals: the same offset in SPL Token and Token-2022 mints.
    decimals: mint ? mint.data[44]! : 0,
    tokenAccounts: new Map(tokenAccounts.map((a, i) => [a.toBase58(), accounts[i] !== null])),
    tokenAccountList: tokenAccounts,
  };
}

/**
 * Roots a claim could name now (chain time `now`, the Clock sysvar's), newest first: due pending
 * roots, the current one, the previous one within its grace window.
 */
export function claimableEpochs(view: { distributor: DistributorAccount; now: bigint }): bigint[] {
  const d = view.distributor;
  const due: bigint[] = [];
  for (const p of d.pending) {
    if (p.activatesAt > view.now) break;
    due.push(p.epoch);
  }
  const out = due.reverse();
  if (d.currentEpoch > 0n) out.push(d.currentEpoch);
  if (d.previousEpoch > 0n && d.currentActivatedAt + d.gracePeriod > view.now) out.push(d.previousEpoch);
  return out;
}

async function readRoots(connection: Connection, commitment: Commitment, distributor: PublicKey, epochs: bigint[], programId: PublicKey) {
  const infos = await connection.getMultipleAccountsInfo(
    epochs.map((e) => epochRootPda(distributor, e, programId)[0]),
    commitment,
  );
  const roots = new Map<bigint, EpochRootAccount>();
  infos.forEach((info, i) => {
    if (info) roots.set(epochs[i]!, decodeEpochRoot(info.data));
  });
  return roots;
}

interface ProofSources {
  api?: string;
  shardsUrl?: string;
}

/**
 * The newest claimable root for which a source has this wallet's proof, and the claimable roots
 * newer than it that no source had a proof for (a source behind the chain: every wallet of an
 * epoch stays in the later epochs' trees).
 */
async function findProof(
  src: ProofSources,
  distributor: PublicKey,
  wallet: PublicKey,
  epochs: bigint[],
  roots: Map<bigint, EpochRootAccount>,
  apiBody: ApiProofResponse | undefined,
  step: (s: ClaimStep, d: string) => void,
): Promise<{ proof: EpochProof; newerMissing: bigint[] }> {
  const fromApi = [apiBody?.pending, apiBody?.active].filter((p): p is EpochProof => !!p);
  let unavailable: string | undefined;
  const newerMissing: bigint[] = [];
  for (const epoch of epochs) {
    const root = roots.get(epoch);
    if (!root || root.status === "vetoed") continue;
    const api = fromApi.find((p) => p.epoch === epoch);
    if (api) return { proof: api, newerMissing };
    if (src.shardsUrl) {
      step("fetch-proof", `epoch ${epoch} from the proof shards`);
      const r = await fetchShardProof(src.shardsUrl, distributor.toBase58(), wallet.toBase58(), epoch, root.root);
      if (r.kind === "found") return { proof: r.proof, newerMissing };
      if (r.kind === "unavailable") unavailable ??= r.reason;
    }
    newerMissing.push(epoch);
  }
  if (epochs.length === 0) throw ClaimError.client("NoClaimableRoot");
  // A root whose shards could not be read may hold the wallet: that is not "not eligible".
  if (unavailable) throw ClaimError.client("ProofSourceUnavailable", unavailable);
  throw ClaimError.client(
    "NotEligible",
    fromApi.length > 0
      ? `the API's proofs are for epochs ${fromApi.map((p) => p.epoch).join(", ")}, none claimable now (claimable: ${epochs.join(", ")})`
      : `no proof for ${wallet.toBase58()} in epochs ${epochs.join(", ")}`,
  );
}

export async function claim(opts: ClaimOptions): Promise<ClaimResult> {
  const step = opts.onStep ?? (() => {});
  const commitment = opts.commitment ?? "confirmed";
  const wallet = key(opts.wallet, "wallet");
  if (!opts.signer.publicKey.equals(wallet)) {
    throw ClaimError.client("BadInput", `the signer is ${opts.signer.publicKey.toBase58()}, not the wallet ${wallet.toBase58()}`);
  }
  if (!opts.api && !opts.shardsUrl) throw ClaimError.client("BadInput", "give the API's URL, the proof shards' URL, or both");
  const program = codingProgram(opts.programId);
  const to = opts.recipient === undefined ? undefined : key(opts.recipient, "recipient");
  // Paying oneself is a plain claim.
  const recipient = to?.equals(wallet) ? undefined : to;
  const maxRetries = opts.maxRetries ?? 2;
  const connection = opts.connection;

  for (let attempt = 1; ; attempt++) {
    // The proof first: the API names the distributor.
    let apiBody: ApiProofResponse | undefined;
    if (opts.api) {
      step("fetch-proof", `from ${opts.api}`);
      const r = await fetchApiProof(opts.api, wallet.toBase58());
      if (r.kind === "found") apiBody = r.body;
      else if (r.kind === "not-eligible") throw ClaimError.client("NotEligible", `the API has no proof for ${wallet.toBase58()}`);
      else if (!opts.shardsUrl) throw ClaimError.client("ProofSourceUnavailable", r.reason);
      else step("fetch-proof", `the API is unavailable (${r.reason}); using the proof shards`);
    }
    if (apiBody && apiBody.wallet !== wallet.toBase58())
      throw ClaimError.client("ProofMismatch", `the API answered for wallet ${apiBody.wallet}`);
    const distributorKey =
      opts.distributor !== undefined ? key(opts.distributor, "distributor") : apiBody ? new PublicKey(apiBody.distributor) : undefined;
    if (!distributorKey) throw ClaimError.client("BadInput", "the distributor's address is needed when claiming from proof shards alone");
    if (apiBody && apiBody.distributor !== distributorKey.toBase58()) {
      throw ClaimError.client(
        "ProofMismatch",
        `the API's proof is for distributor ${apiBody.distributor}, not ${distributorKey.toBase58()}`,
      );
    }

    step("read-chain", distributorKey.toBase58());
    const [claimStatus, bump] = claimStatusPda(distributorKey, wallet, program.programId);
    // The token accounts follow from the distributor's mint and token program.
    const ata = (d: DistributorAccount, owner: PublicKey) =>
      getAssociatedTokenAddressSync(d.mint, owner, true, d.tokenProgram, ASSOCIATED_TOKEN_PROGRAM_ID);
    const view = await readChainView(connection, commitment, distributorKey, claimStatus, (d) => [
      ata(d, wallet),
      ...(recipient ? [ata(d, recipient)] : []),
    ]);
    const { tokenProgram, mint } = view.distributor;
    const [claimantToken, recipientToken] = view.tokenAccountList as [PublicKey, PublicKey | undefined];
    if (view.distributor.paused) throw ClaimError.program(programErrorByName("Paused")!);
    if (view.distributor.claimExpiry > 0n && view.now >= view.distributor.claimExpiry) {
      throw ClaimError.program(programErrorByName("ClaimWindowExpired")!);
    }
    const epochs = claimableEpochs(view);
    const roots = await readRoots(connection, commitment, distributorKey, epochs, program.programId);
    const { proof, newerMissing } = await findProof(opts, distributorKey, wallet, epochs, roots, apiBody, step);

    // Never ask for a signature over a proof the chain would refuse.
    step("verify-proof", `epoch ${proof.epoch}, ${proof.proof.length} siblings (${proof.source})`);
    const root = roots.get(proof.epoch)!;
    if (proof.root !== root.root || !verifyProof(root.root, leafHash(distributorKey, wallet, proof.amount), proof.proof)) {
      throw ClaimError.client("ProofMismatch", `epoch ${proof.epoch}: the chain's root is ${root.root}`);
    }
    if (proof.amount <= view.claimed) {
      if (newerMissing.length > 0) {
        // Claimed up to this root already, and a newer one is claimable: the proof source has not
        // caught up with the chain yet, which asking again shortly fixes.
        const behind = `the proof source serves epoch ${proof.epoch} while epoch ${newerMissing[0]} is claimable on-chain`;
        if (attempt <= maxRetries) {
          step("retry", `${behind}; asking again`);
          await new Promise((r) => setTimeout(r, opts.retryDelayMs ?? 2000));
          continue;
        }
        throw ClaimError.client("ProofSourceUnavailable", `${behind}: try again shortly, or give the proof shards' URL`);
      }
      throw ClaimError.client("AlreadyClaimed", `cumulative ${proof.amount} in epoch ${proof.epoch}, already claimed ${view.claimed}`);
    }
    const toPay = proof.amount - view.claimed;

    const activations =
      root.status === "pending"
        ? activationsBefore(
            { pending: view.distributor.pending, pendingCount: view.distributor.pending.length },
            proof.epoch,
            view.now,
          ).filter((e) => e < proof.epoch)
        : [];
    const token2022 = tokenProgram.equals(TOKEN_2022_PROGRAM_ID);
    const created = [claimantToken, ...(recipientToken ? [recipientToken] : [])].filter((a) => !view.tokenAccounts.get(a.toBase58()));
    const computeUnitLimit =
      (opts.extraComputeUnits ?? 0) +
      claimComputeUnits({
        depth: proof.proof.length,
        bump,
        firstClaim: !view.claimStatusExists,
        token2022,
        claimActivatesRoot: root.status === "pending",
        activations: activations.length,
        createdTokenAccountBumps: created.map((a) => tokenAccountBump(a === claimantToken ? wallet : recipient!, mint, tokenProgram)),
        transfer: recipient !== undefined,
      });
    const ixs: TransactionInstruction[] = [];
    for (const e of activations) ixs.push(activateRootInstruction(program, distributorKey, e));
    // Idempotent: a token account created meanwhile does not fail the claim.
    if (created.some((a) => a.equals(claimantToken))) {
      ixs.push(createAssociatedTokenAccountIdempotentInstruction(wallet, claimantToken, wallet, mint, tokenProgram));
    }
    ixs.push(
      claimInstruction(
        program,
        { distributor: distributorKey, mint, vault: view.distributor.vault, tokenProgram, claimant: wallet, claimantToken },
        proof.epoch,
        proof.amount,
        proof.proof,
      ),
    );
    if (recipient && recipientToken) {
      if (created.some((a) => a.equals(recipientToken))) {
        ixs.push(createAssociatedTokenAccountIdempotentInstruction(wallet, recipientToken, recipient, mint, tokenProgram));
      }
      ixs.push(createTransferCheckedInstruction(claimantToken, mint, recipientToken, wallet, toPay, view.decimals, [], tokenProgram));
    }

    const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash(commitment);
    const tx = assembleClaimTransaction(wallet, blockhash, computeUnitLimit, ixs, opts.signer.supportsV0);
    step("sign", `claim ${toPay} under epoch ${proof.epoch}${recipient ? ` to ${recipient.toBase58()}` : ""}`);
    const signed = await opts.signer.signTransaction(tx);

    step("send", `attempt ${attempt}`);
    let signature: string;
    try {
      signature = await sendAndConfirm(connection, commitment, signed, blockhash, lastValidBlockHeight, step);
    } catch (err) {
      const e = err instanceof ClaimError ? err : claimErrorFrom(err);
      const retry = attempt <= maxRetries && (ROOTS_MOVED.has(e.errorName) || e.errorName === "TransactionExpired");
      if (!retry) throw e;
      step("retry", `${e.errorName}: ${e.sentence}`);
      continue;
    }

    const landed = await connection.getTransaction(signature, {
      commitment: commitment === "finalized" ? "finalized" : "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    const claimed = decodeEvents(landed?.meta?.logMessages ?? [], program).find((ev) => ev.name === "Claimed");
    const result: ClaimResult = {
      signature,
      amount: (claimed?.data.amount as bigint | undefined) ?? toPay,
      epoch: (claimed?.data.epoch as bigint | undefined) ?? proof.epoch,
      cumulativeClaimed: (claimed?.data.cumulativeClaimed as bigint | undefined) ?? proof.amount,
      recipient: recipient ?? wallet,
      recipientTokenAccount: recipientToken ?? claimantToken,
      activated: activations,
      proofSource: proof.source,
      computeUnitLimit,
      attempts: attempt,
    };
    step("done", `${result.amount} paid under epoch ${result.epoch}: ${signature}`);
    return result;
  }
}

/** A transaction's wire size limit (one packet). */
export const TRANSACTION_SIZE_LIMIT = 1232;

function wireSize(tx: VersionedTransaction): number | undefined {
  try {
    return tx.serialize().length;
  } catch {
    // web3.js serializes into a packet-sized buffer and throws past it.
    return undefined;
  }
}

/**
 * The claim transaction, with its compute unit limit when it fits: that instruction only lowers
 * what the fee payer reserves, so a deep proof with a recipient (two token accounts created) drops
 * it rather than not fit. A ClaimError (TransactionTooLarge) when even that does not fit.
 */
export function assembleClaimTransaction(
  payer: PublicKey,
  blockhash: string,
  computeUnitLimit: number,
  ixs: TransactionInstruction[],
  v0: boolean,
): VersionedTransaction {
  let size: number | undefined;
  for (const budget of [true, false]) {
    const instructions = budget ? [ComputeBudgetProgram.setComputeUnitLimit({ units: computeUnitLimit }), ...ixs] : ixs;
    const message = new TransactionMessage({ payerKey: payer, recentBlockhash: blockhash, instructions });
    const tx = new VersionedTransaction(v0 ? message.compileToV0Message() : message.compileToLegacyMessage());
    size = wireSize(tx);
    if (size !== undefined && size <= TRANSACTION_SIZE_LIMIT) return tx;
  }
  throw ClaimError.client("TransactionTooLarge", `${size ?? "over"} bytes`);
}

async function sendAndConfirm(
  connection: Connection,
  commitment: Commitment,
  tx: VersionedTransaction,
  blockhash: string,
  lastValidBlockHeight: number,
  step: (s: ClaimStep, d: string) => void,
): Promise<string> {
  let signature: string;
  try {
    signature = await connection.sendRawTransaction(tx.serialize(), { preflightCommitment: commitment });
  } catch (err) {
    // Preflight simulation failed: the error carries the simulation's logs.
    const logs = await (err as { getLogs?: (c: Connection) => Promise<string[]> }).getLogs?.(connection).catch(() => undefined);
    throw claimErrorFrom(err, logs ?? undefined);
  }
  step("confirm", signature);
  let status: Awaited<ReturnType<Connection["confirmTransaction"]>>;
  try {
    status = await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, commitment);
  } catch (err) {
    if (err instanceof TransactionExpiredBlockheightExceededError) throw ClaimError.client("TransactionExpired", signature, err);
    throw err;
  }
  if (status.value.err) {
    const landed = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    throw claimErrorFrom(status.value.err, landed?.meta?.logMessages ?? undefined);
  }
  return signature;
}
