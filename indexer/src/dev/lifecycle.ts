import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as spl from "@solana/spl-token";
import bs58 from "bs58";
import {
  type Connection,
  type Keypair,
  type PublicKey,
  SYSVAR_CLOCK_PUBKEY,
  sendAndConfirmTransaction,
  Transaction,
} from "@solana/web3.js";
import { decodeEpochRoot, initializeDistributorInstruction } from "@merit/clients/chain";
import { ClaimSigner, claim } from "@merit/clients/claim";
import { epochRootPda } from "@merit/clients/idl";
import { readClaimProof } from "@merit/clients/merkle";
import { airdrop, type DemoWorld } from "@merit/localnet/demo";
import type { Sql } from "../db/connection.js";
import { DATASET_FILE, epochDir, MANIFEST_FILE, SHARDS_DIR } from "../epochs/close.js";
import { addDistributor, getDistributor, listEpochs } from "../epochs/queries.js";
import { offlineProgram } from "../publish/chain.js";
import { startEpochs } from "../publish/daemon.js";
import type { SendSettings } from "../publish/send.js";
import { keptKeypair } from "./keys.js";

/**
 * The reward half of the local stack (no RPC_URL): a distributor on the local chain with a funded
 * vault, the epochs daemon publishing to it, and one demo wallet claiming epoch 1, so a fresh
 * `npm start` shows the whole path from settlement to tokens in a wallet. Everything it creates is
 * kept under the data directory and found again on the next start (the chain keeps its ledger).
 */
export const DEV_DISTRIBUTOR_ID = 1n;
/** Seconds between a root's proposal and its activation: short, so the demo claim comes soon. */
export const DEV_ACTIVATION_DELAY = 5n;
/** The local stack's EPOCH_SCHEDULE when none is set: an epoch a minute, so one is claimable soon after start. */
export const DEV_EPOCH_SCHEDULE = "every 1m";
const REWARD_DECIMALS = 6;
/** One reward token per thousand points. */
const UNITS_PER_POINT = "1000";
const VAULT_FUNDING = 1_000_000_000n * 10n ** BigInt(REWARD_DECIMALS);

export interface DevLifecycleOptions {
  sql: Sql;
  connection: Connection;
  dataDir: string;
  rpcUrl: string;
  /** This process's API origin (the claim asks it for the proof). */
  apiUrl: string;
  world: DemoWorld;
  schedule: string;
  send: SendSettings;
  programId?: string;
  log: (line: string) => void;
}

export interface DevLifecycle {
  distributor: PublicKey;
  /** For the status line: epochs published, wallets that claimed, and the sample claim. */
  status(): string;
  stop(): Promise<void>;
}

/** What the sample claim did, kept as `<dataDir>/dev/sample-claim.json` so it happens once per data directory. */
export interface SampleClaim {
  wallet: string;
  epoch: string;
  amount: string;
  signature: string;
}

const claimFile = (dataDir: string) => join(dataDir, "dev", "sample-claim.json");

export function readSampleClaim(dataDir: string): SampleClaim | undefined {
  const f = claimFile(dataDir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as SampleClaim) : undefined;
}

/** The distributor, its mint and its vault: created on the first start, found on the chain after. */
export async function ensureDevDistributor(o: Omit<DevLifecycleOptions, "apiUrl" | "world" | "schedule" | "send">): Promise<{
  admin: Keypair;
  distributor: PublicKey;
  mint: PublicKey;
}> {
  const admin = keptKeypair(o.dataDir, "admin");
  const guardian = keptKeypair(o.dataDir, "guardian");
  const mintKey = keptKeypair(o.dataDir, "reward-mint");
  const program = offlineProgram(o.connection, o.programId);
  const mint = mintKey.publicKey;
  const { instruction, distributor, vault } = initializeDistributorInstruction(
    {
      admin: admin.publicKey,
      mint,
      tokenProgram: spl.TOKEN_PROGRAM_ID,
      id: DEV_DISTRIBUTOR_ID,
      publisher: admin.publicKey,
      guardian: guardian.publicKey,
      params: { activationDelay: DEV_ACTIVATION_DELAY, gracePeriod: 600n, maxTotalIncrease: 1n << 60n, claimExpiry: 0n },
    },
    program,
  );
  if ((await o.connection.getBalance(admin.publicKey)) < 1e9) await airdrop(o.connection, admin.publicKey, 10);
  if (!(await o.connection.getAccountInfo(mint))) {
    await spl.createMint(o.connection, admin, admin.publicKey, null, REWARD_DECIMALS, mintKey, { commitment: "confirmed" });
    o.log(`rewards: created the reward mint ${mint.toBase58()}`);
  }
  if (!(await o.connection.getAccountInfo(distributor))) {
    await sendAndConfirmTransaction(o.connection, new Transaction().add(instruction), [admin], { commitment: "confirmed" });
    await spl.mintTo(o.connection, admin, mint, vault, admin, VAULT_FUNDING, [], { commitment: "confirmed" });
    o.log(`rewards: created distributor ${distributor.toBase58()} and funded its vault`);
  } else o.log(`rewards: distributor ${distributor.toBase58()} found on the chain`);
  if (!(await getDistributor(o.sql, distributor.toBase58())))
    await addDistributor(o.sql, {
      address: distributor.toBase58(),
      mint: mint.toBase58(),
      conversion: { mode: "fixed", unitsPerPoint: UNITS_PER_POINT, rounding: "floor" },
    });
  return { admin, distributor, mint };
}

export async function startDevLifecycle(o: DevLifecycleOptions): Promise<DevLifecycle> {
  const { admin, distributor } = await ensureDevDistributor(o);
  const address = distributor.toBase58();
  const daemon = startEpochs({
    sql: o.sql,
    connection: o.connection,
    dataDir: o.dataDir,
    signer: admin,
    send: o.send,
    schedule: o.schedule,
    // The local chain finalizes at once: follow often, so roots activate seconds after their delay.
    followEveryMs: 2000,
    log: o.log,
    program: offlineProgram(o.connection, o.programId),
  });
  const abort = new AbortController();
  let published = 0;
  let claims = 0;
  const programId = offlineProgram(o.connection, o.programId).programId;
  let sample = readSampleClaim(o.dataDir);
  let claimFailed = false;
  if (sample) printSummary(o, address, sample);
  const claiming = sample
    ? Promise.resolve()
    : claimOnce(o, distributor, abort.signal)
        .then((s) => {
          sample = s;
          if (s) printSummary(o, address, s);
          // counted now, not at the next tick, so the next status line already has it
          void countClaimants(o.connection, programId)
            .then((n) => (claims = n))
            .catch(() => {});
        })
        .catch((err: unknown) => {
          claimFailed = true;
          o.log(`rewards: the sample claim failed: ${(err as Error).message}`);
        });
  const counting = setInterval(() => {
    void listEpochs(o.sql, address)
      .then((es) => (published = es.filter((e) => e.status !== "closed" && e.status !== "vetoed").length))
      // a count the database could not give now keeps the last one: the status line is a summary
      .catch(() => {});
    void countClaimants(o.connection, programId)
      .then((n) => (claims = n))
      .catch(() => {});
  }, 5000);
  return {
    distributor,
    status: () =>
      `; epochs published: ${published}; sample claim: ${sample ? `${sample.amount} base units to ${sample.wallet}` : claimFailed ? "failed (see above)" : "waiting for epoch 1"}; claims: ${claims}`,
    async stop() {
      clearInterval(counting);
      abort.abort();
      await claiming;
      await daemon.stop();
    },
  };
}

/** ClaimStatus accounts are 17 bytes after Anchor's discriminator of the account type. */
const CLAIM_STATUS_FILTERS = [
  { dataSize: 17 },
  { memcmp: { offset: 0, bytes: bs58.encode(createHash("sha256").update("account:ClaimStatus").digest().subarray(0, 8)) } },
];

/** Wallets that have claimed from the program (one ClaimStatus each; the local chain has one distributor). */
async function countClaimants(connection: Connection, programId: PublicKey): Promise<number> {
  const accounts = await connection.getProgramAccounts(programId, { commitment: "confirmed", filters: CLAIM_STATUS_FILTERS });
  return accounts.length;
}

/** Waits for epoch 1 to be claimable, then claims it with the first demo payer that earned in it. */
async function claimOnce(o: DevLifecycleOptions, distributor: PublicKey, signal: AbortSignal): Promise<SampleClaim | undefined> {
  const programId = offlineProgram(o.connection, o.programId).programId;
  const [root] = epochRootPda(distributor, 1n, programId);
  for (;;) {
    if (signal.aborted) return undefined;
    const [r, clock] = await o.connection.getMultipleAccountsInfo([root, SYSVAR_CLOCK_PUBKEY], "confirmed");
    if (r && clock) {
      const epochRoot = decodeEpochRoot(r.data);
      if (epochRoot.status !== "vetoed" && clock.data.readBigInt64LE(32) >= epochRoot.activatesAt) break;
    }
    try {
      await sleep(2000, undefined, { signal });
    } catch {
      return undefined;
    }
  }
  const shards = join(epochDir(o.dataDir, distributor.toBase58(), 1n), SHARDS_DIR);
  for (const payer of o.world.payers) {
    if (!(await readClaimProof(shards, payer.publicKey.toBase58()))) continue;
    // A payer has lamports only when the facilitator paid its fees; the claim pays its own.
    if ((await o.connection.getBalance(payer.publicKey)) < 1e8) await airdrop(o.connection, payer.publicKey, 1);
    const r = await claim({
      wallet: payer.publicKey,
      signer: ClaimSigner.fromKeypair(payer),
      connection: o.connection,
      api: o.apiUrl,
      shardsUrl: join(o.dataDir, "epochs", "{distributor}", "{epoch}", SHARDS_DIR),
      distributor,
      programId,
      commitment: "confirmed",
    });
    const s: SampleClaim = {
      wallet: payer.publicKey.toBase58(),
      epoch: r.epoch.toString(),
      amount: r.amount.toString(),
      signature: r.signature,
    };
    mkdirSync(join(o.dataDir, "dev"), { recursive: true });
    writeFileSync(claimFile(o.dataDir), `${JSON.stringify(s, null, 2)}\n`);
    return s;
  }
  o.log("rewards: no demo payer earned in epoch 1; no sample claim");
  return undefined;
}

/** The exact command that audits epoch 1 of `distributor` from this data directory. */
export function verifyCommandLine(rpcUrl: string, dataDir: string, distributor: string): string {
  const dir = epochDir(dataDir, distributor, 1n);
  return `npx merit verify --epoch 1 --rpc ${rpcUrl} --distributor ${distributor} --dataset ${join(dir, DATASET_FILE)} --manifest ${join(dir, MANIFEST_FILE)}`;
}

function printSummary(o: DevLifecycleOptions, distributor: string, s: SampleClaim): void {
  const lines = [
    "rewards: epoch 1 is published and a demo wallet claimed it —",
    `  API        ${o.apiUrl}/v1 (reference ${o.apiUrl}/docs)`,
    `  wallet     ${s.wallet} claimed ${s.amount} base units (epoch ${s.epoch}): ${o.apiUrl}/v1/wallets/${s.wallet}`,
    `  claim tx   ${s.signature}`,
    `  claim page ${o.apiUrl}/claim/?wallet=${s.wallet} (connect a Wallet Standard wallet to claim the next epochs)`,
    `  audit it   ${verifyCommandLine(o.rpcUrl, o.dataDir, distributor)}`,
    `  keys       ${join(o.dataDir, "dev", "keys")}/ (admin = publisher, guardian, reward-mint; the demo world: demo-payers, demo-merchants, demo-facilitator, demo-mint, demo-mint-authority)`,
  ];
  for (const l of lines) o.log(l);
}
