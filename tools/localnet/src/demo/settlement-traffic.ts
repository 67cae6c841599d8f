import { MEMO_PROGRAM } from "@merit/clients/programs";
import {
  type Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  Transaction,
  TransactionInstruction,
  sendAndConfirmTransaction,
} from "@solana/web3.js";
import {
  TOKEN_PROGRAM_ID,
  createAssociatedTokenAccountIdempotent,
  createMint,
  createTransferCheckedInstruction,
  getAssociatedTokenAddressSync,
  mintTo,
} from "@solana/spl-token";

/**
 * x402-shaped payment traffic for a development chain: a facilitator pays the fee and co-signs,
 * a payer signs a `transferChecked` of a USDC-like mint to a merchant, with a memo naming the paid
 * resource. `npm start` runs this against the local chain so the pipeline has something to index.
 */
export const MEMO_PROGRAM_ID = new PublicKey(MEMO_PROGRAM);

export interface DemoWorld {
  mint: PublicKey;
  decimals: number;
  facilitator: Keypair;
  merchants: Keypair[];
  payers: Keypair[];
}

export async function airdrop(connection: Connection, to: PublicKey, sol: number): Promise<void> {
  const sig = await connection.requestAirdrop(to, sol * LAMPORTS_PER_SOL);
  const bh = await connection.getLatestBlockhash();
  await connection.confirmTransaction({ signature: sig, ...bh }, "confirmed");
}

/** Creates the mint, the facilitator, merchants and funded payers. */
export async function createDemoWorld(
  connection: Connection,
  /** `payerKeys`: wallets to pay from (kept by the caller so they can claim later); new ones when absent. */
  opts: { merchants?: number; payers?: number; payerKeys?: Keypair[]; decimals?: number; fundEach?: bigint } = {},
): Promise<DemoWorld> {
  const decimals = opts.decimals ?? 6;
  const authority = Keypair.generate();
  const facilitator = Keypair.generate();
  const merchants = Array.from({ length: opts.merchants ?? 3 }, () => Keypair.generate());
  const payers = opts.payerKeys ?? Array.from({ length: opts.payers ?? 8 }, () => Keypair.generate());
  await airdrop(connection, authority.publicKey, 10);
  await airdrop(connection, facilitator.publicKey, 10);
  const mint = await createMint(connection, authority, authority.publicKey, null, decimals, undefined, undefined, TOKEN_PROGRAM_ID);
  for (const owner of [...merchants, ...payers]) {
    await createAssociatedTokenAccountIdempotent(connection, authority, mint, owner.publicKey);
  }
  const fund = opts.fundEach ?? 1_000n * 10n ** BigInt(decimals);
  for (const payer of payers) {
    await mintTo(connection, authority, mint, getAssociatedTokenAddressSync(mint, payer.publicKey), authority, fund);
  }
  return { mint, decimals, facilitator, merchants, payers };
}

/** One x402-style settlement; returns its signature. */
export async function sendSettlement(
  connection: Connection,
  world: DemoWorld,
  payer: Keypair,
  merchant: PublicKey,
  amount: bigint,
  memo?: string,
): Promise<string> {
  const tx = new Transaction();
  tx.feePayer = world.facilitator.publicKey;
  tx.add(
    createTransferCheckedInstruction(
      getAssociatedTokenAddressSync(world.mint, payer.publicKey),
      world.mint,
      getAssociatedTokenAddressSync(world.mint, merchant),
      payer.publicKey,
      amount,
      world.decimals,
    ),
  );
  if (memo) tx.add(new TransactionInstruction({ programId: MEMO_PROGRAM_ID, keys: [], data: Buffer.from(memo, "utf8") }));
  return sendAndConfirmTransaction(connection, tx, [world.facilitator, payer], { commitment: "confirmed" });
}

/** Sends a settlement every `intervalMs` from a random payer to a random merchant until stopped. */
export function startDemoTraffic(
  connection: Connection,
  world: DemoWorld,
  opts: { intervalMs?: number; log?: (line: string) => void; memo?: boolean } = {},
): { stop(): Promise<void>; sent(): number } {
  let sent = 0;
  let stopped = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
  const tick = () => {
    if (stopped) return;
    const amount = BigInt(1 + Math.floor(Math.random() * 5_000)) * 10n ** BigInt(world.decimals - 3);
    const merchant = pick(world.merchants).publicKey;
    inFlight = sendSettlement(connection, world, pick(world.payers), merchant, amount, opts.memo ? `x402:demo/${sent}` : undefined)
      .then((sig) => {
        sent++;
        opts.log?.(`demo settlement ${sent}: ${sig.slice(0, 12)}… ${amount} base units`);
      })
      .catch((err) => opts.log?.(`demo settlement failed: ${(err as Error).message}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs ?? 2000);
      });
  };
  let timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
    sent: () => sent,
  };
}
