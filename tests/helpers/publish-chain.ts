import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import anchor from "@coral-xyz/anchor";
import * as spl from "@solana/spl-token";
import { type Connection, type Keypair, type PublicKey, Transaction } from "@solana/web3.js";
import {
  buildInstruction,
  claimInstruction,
  distributorPda,
  epochRootPda,
  meritDistributorProgram,
  vaultPda,
  type MeritDistributorProgram,
} from "@merit/clients/idl";
import { readClaimProof } from "@merit/clients/merkle";
import { publishRuleSet, scoreBatch } from "../../indexer/src/engine/index.js";
import type { Sql } from "../../indexer/src/db/connection.js";
import { closeEpoch, epochDir, SHARDS_DIR } from "../../indexer/src/epochs/close.js";
import { addDistributor } from "../../indexer/src/epochs/queries.js";
import { advanceIngestWatermark } from "../../indexer/src/ingest/store/cursors.js";
import { insertSettlements } from "./ledger-fixtures.js";
import { followEpochs } from "../../indexer/src/publish/follow.js";
import { type PublishContext, publishEpoch } from "../../indexer/src/publish/publish.js";
import { DEFAULT_SEND } from "../../indexer/src/publish/send.js";
import { truncateAll, useFreshDb } from "../setup/db.js";
import type { Localnet } from "@merit/localnet";
import { fundedKeypair, type LocalnetFixture, useLocalnet } from "./localnet.js";

/**
 * Publishing flow tests: a distributor initialized on the development chain through Anchor over
 * JSON-RPC (as on devnet), configured in the indexer's database, and the ledger fed with
 * settlements of real wallets so their claims can be signed.
 */
const { AnchorProvider, BN, Wallet } = anchor;

export const DELAY = 3600;

/**
 * A publishing suite: a development chain and the test database for the `describe`, and for each
 * test an emptied database and a fresh data directory (removed after it).
 */
export function usePublishSuite(): { chain: () => LocalnetFixture; db: () => Sql; dataDir: () => string } {
  const chain = useLocalnet();
  const db = useFreshDb({ max: 4 });
  let dir: string | undefined;
  beforeEach(async () => {
    await truncateAll(db());
    dir = mkdtempSync(join(tmpdir(), "merit-publish-"));
  });
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    chain,
    db,
    dataDir: () => {
      if (!dir) throw new Error("usePublishSuite: no data directory outside a test");
      return dir;
    },
  };
}

/** What publishEpoch / followEpochs take, polling fast (the development chain finalizes at once). */
export function publishContext(
  sql: Sql,
  connection: Connection,
  dataDir: string,
  signer: Keypair,
  opts: { log?: (line: string) => void; pauseAfterSendMs?: number } = {},
): PublishContext {
  return {
    sql,
    connection,
    dataDir,
    signer,
    send: { ...DEFAULT_SEND, pollMs: 20, pauseAfterSendMs: opts.pauseAfterSendMs },
    log: opts.log ?? (() => {}),
  };
}
/** 1 point per whole unit paid; fixed mode below turns a point into 10 base units. */
export const RULES = { earn: [{ scope: { kind: "global" as const }, pointsPerUnit: 1000 }] };

export interface ChainDistributor {
  program: MeritDistributorProgram;
  admin: Keypair;
  publisher: Keypair;
  guardian: Keypair;
  mint: PublicKey;
  address: PublicKey;
  vault: PublicKey;
}

let nextId = 1n;

export async function createDistributor(
  connection: Connection,
  params: { maxTotalIncrease?: bigint; fund?: bigint } = {},
): Promise<ChainDistributor> {
  const [admin, publisher, guardian] = await Promise.all([fundedKeypair(connection), fundedKeypair(connection), fundedKeypair(connection)]);
  const program = meritDistributorProgram(new AnchorProvider(connection, new Wallet(admin), { commitment: "confirmed" }));
  const mint = await spl.createMint(connection, admin, admin.publicKey, null, 6);
  const id = nextId++;
  const [address] = distributorPda(mint, admin.publicKey, id);
  const [vault] = vaultPda(address);
  await program.methods
    .initializeDistributor(new BN(id.toString()), publisher.publicKey, guardian.publicKey, {
      activationDelay: new BN(DELAY),
      gracePeriod: new BN(600),
      maxTotalIncrease: new BN((params.maxTotalIncrease ?? 1_000_000_000n).toString()),
      claimExpiry: new BN(0),
    })
    .accountsPartial({ admin: admin.publicKey, mint, distributor: address, vault, tokenProgram: spl.TOKEN_PROGRAM_ID })
    .rpc();
  const d = { program, admin, publisher, guardian, mint, address, vault };
  if (params.fund) await fundVault(connection, d, params.fund);
  return d;
}

export async function fundVault(connection: Connection, d: ChainDistributor, amount: bigint): Promise<void> {
  await spl.mintTo(connection, d.admin, d.mint, d.vault, d.admin, amount);
}

export async function veto(connection: Connection, d: ChainDistributor, epoch: bigint): Promise<void> {
  const ix = buildInstruction(
    d.program,
    "vetoRoot",
    {},
    { authority: d.guardian.publicKey, distributor: d.address, epochRoot: epochRootPda(d.address, epoch)[0] },
  );
  await anchor.web3.sendAndConfirmTransaction(connection, new Transaction().add(ix), [d.guardian]);
}

export async function setPaused(connection: Connection, d: ChainDistributor, paused: boolean): Promise<void> {
  const ix = buildInstruction(d.program, paused ? "pause" : "unpause", {}, { authority: d.guardian.publicKey, distributor: d.address });
  await anchor.web3.sendAndConfirmTransaction(connection, new Transaction().add(ix), [d.guardian]);
}

/** Claims `claimant`'s leaf of `epoch` with the proof from that epoch's shards; returns its token balance after. */
export async function claimFromShards(
  connection: Connection,
  d: ChainDistributor,
  dataDir: string,
  epoch: bigint,
  claimant: Keypair,
): Promise<bigint> {
  const p = await readClaimProof(`${epochDir(dataDir, d.address.toBase58(), epoch)}/${SHARDS_DIR}`, claimant.publicKey.toBase58());
  if (!p) throw new Error(`no proof for ${claimant.publicKey.toBase58()} in epoch ${epoch}`);
  const token = await spl.getOrCreateAssociatedTokenAccount(connection, claimant, d.mint, claimant.publicKey);
  const ix = claimInstruction(
    d.program,
    {
      distributor: d.address,
      mint: d.mint,
      vault: d.vault,
      tokenProgram: spl.TOKEN_PROGRAM_ID,
      claimant: claimant.publicKey,
      claimantToken: token.address,
    },
    epoch,
    p.amount,
    p.proof,
  );
  await anchor.web3.sendAndConfirmTransaction(connection, new Transaction().add(ix), [claimant]);
  return (await spl.getAccount(connection, token.address)).amount;
}

/** The indexer side: the rule set and the distributor, 10 base units per point. */
export async function configure(sql: Sql, d: ChainDistributor): Promise<void> {
  await publishRuleSet(sql, { createdBy: "t", body: RULES });
  await addDistributor(sql, {
    address: d.address.toBase58(),
    mint: d.mint.toBase58(),
    conversion: { mode: "fixed", unitsPerPoint: "10", rounding: "floor" },
  });
}

let slot = 0;
/** Settlements of `payments` (payer, whole units paid), scored up to a new watermark. */
export async function settle(sql: Sql, payments: [Keypair, number][]): Promise<void> {
  const specs = payments.map(([payer, units]) => ({
    slot: ++slot,
    payer: payer.publicKey.toBase58(),
    payee: "SHOP",
    amount: BigInt(units * 1_000_000),
  }));
  await insertSettlements(sql, specs);
  await advanceIngestWatermark(sql, BigInt(slot));
  while ((await scoreBatch(sql, { maxSlot: BigInt(slot) })) > 0);
}

/** Landed transactions that emitted RootProposed for `epoch`: 1 after one proposal, however many tries. */
export async function proposals(connection: Connection, d: ChainDistributor, epoch: bigint): Promise<string[]> {
  const sigs = await connection.getSignaturesForAddress(epochRootPda(d.address, epoch)[0], {}, "finalized");
  const parser = new anchor.EventParser(d.program.programId, d.program.coder);
  const landed = [];
  for (const s of sigs.filter((x) => !x.err)) {
    const tx = await connection.getTransaction(s.signature, { maxSupportedTransactionVersion: 0, commitment: "finalized" });
    const events = [...parser.parseLogs(tx?.meta?.logMessages ?? [])];
    if (events.some((e) => e.name === "rootProposed" && String(e.data.epoch) === String(epoch))) landed.push(s.signature);
  }
  return landed;
}

/**
 * Closes the next epoch of what is scored and proposes its root; given the chain, moves its time
 * past the timelock and follows the root until it is active.
 */
export async function publishNextEpoch(ctx: PublishContext, distributor: string, activateOn?: Localnet): Promise<void> {
  await closeEpoch(ctx.sql, { distributor, dataDir: ctx.dataDir });
  const r = await publishEpoch(ctx, { distributor });
  if (r.outcome !== "proposed") throw new Error(`publishNextEpoch: the epoch was not proposed (${r.outcome})`);
  if (!activateOn) return;
  activateOn.warp({ seconds: DELAY + 1 });
  await followEpochs(ctx, { distributor });
}
