// Distributors on the development chain for claim tests, set up with the chain client's own
// builders: a funded vault of an SPL Token or Token-2022 mint, roots proposed from real trees
// whose proof shards sit in a directory laid out as the publisher writes them.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as spl from "@solana/spl-token";
import {
  type Connection,
  type Keypair,
  type PublicKey,
  sendAndConfirmTransaction,
  Transaction,
  type TransactionInstruction,
} from "@solana/web3.js";
import { activateRootInstruction, codingProgram, initializeDistributorInstruction, proposeRootInstruction } from "@merit/clients/chain";
import { buildTree, type MerkleTree, writeProofShards } from "@merit/clients/merkle";
import type { Localnet } from "@merit/localnet";
import { fundedKeypair } from "./localnet.js";

export const DELAY = 3600n;

export interface ClaimDistributor {
  admin: Keypair;
  publisher: Keypair;
  mint: PublicKey;
  tokenProgram: PublicKey;
  address: PublicKey;
  vault: PublicKey;
  /** `<dir>/{epoch}/shards`: the shardsUrl claim() takes. */
  shardsUrl: string;
  dir: string;
}

let nextId = 1n;

export async function send(connection: Connection, ixs: TransactionInstruction[], signers: Keypair[]): Promise<string> {
  return sendAndConfirmTransaction(connection, new Transaction().add(...ixs), signers, { commitment: "confirmed" });
}

export async function createClaimDistributor(
  connection: Connection,
  opts: { token2022?: boolean; gracePeriod?: bigint; fund?: bigint } = {},
): Promise<ClaimDistributor> {
  const [admin, publisher] = [await fundedKeypair(connection), await fundedKeypair(connection)];
  const tokenProgram = opts.token2022 ? spl.TOKEN_2022_PROGRAM_ID : spl.TOKEN_PROGRAM_ID;
  const mint = await spl.createMint(connection, admin, admin.publicKey, null, 6, undefined, { commitment: "confirmed" }, tokenProgram);
  const { instruction, distributor, vault } = initializeDistributorInstruction({
    admin: admin.publicKey,
    mint,
    tokenProgram,
    id: nextId++,
    publisher: publisher.publicKey,
    guardian: admin.publicKey,
    params: { activationDelay: DELAY, gracePeriod: opts.gracePeriod ?? 600n, maxTotalIncrease: 1n << 50n, claimExpiry: 0n },
  });
  await send(connection, [instruction], [admin]);
  await spl.mintTo(connection, admin, mint, vault, admin, opts.fund ?? 1_000_000_000n, [], { commitment: "confirmed" }, tokenProgram);
  const dir = mkdtempSync(join(tmpdir(), "merit-claim-"));
  return { admin, publisher, mint, tokenProgram, address: distributor, vault, dir, shardsUrl: join(dir, "{epoch}", "shards") };
}

/** Builds epoch `epoch`'s tree from `amounts` (cumulative), writes its shards and proposes its root. */
export async function proposeEpoch(
  connection: Connection,
  d: ClaimDistributor,
  epoch: bigint,
  amounts: [PublicKey, bigint][],
): Promise<MerkleTree> {
  const tree = await buildTree(
    d.address,
    amounts.map(([claimant, amount]) => ({ claimant: claimant.toBytes(), amount })),
  );
  await writeProofShards(tree, join(d.dir, epoch.toString(), "shards"), { epoch });
  const ix = proposeRootInstruction(codingProgram(), d.publisher.publicKey, d.address, {
    epoch,
    root: tree.root,
    cumulativeTotal: amounts.reduce((s, [, a]) => s + a, 0n),
    leafCount: BigInt(amounts.length),
    datasetHash: Buffer.alloc(32, 1),
    inputsHash: Buffer.alloc(32, 2),
  });
  await send(connection, [ix], [d.publisher]);
  return tree;
}

/** Moves chain time past the activation delay (the next claim or activate_root may activate). */
export function pastDelay(net: Localnet): void {
  net.warp({ seconds: Number(DELAY) + 1 });
}

export async function activate(connection: Connection, d: ClaimDistributor, epoch: bigint, payer: Keypair): Promise<void> {
  await send(connection, [activateRootInstruction(codingProgram(), d.address, epoch)], [payer]);
}

export async function tokenBalance(
  connection: Connection,
  d: Pick<ClaimDistributor, "mint" | "tokenProgram">,
  owner: PublicKey,
): Promise<bigint | undefined> {
  const ata = spl.getAssociatedTokenAddressSync(d.mint, owner, true, d.tokenProgram);
  const info = await connection.getAccountInfo(ata, "confirmed");
  return info ? info.data.readBigUInt64LE(64) : undefined;
}
