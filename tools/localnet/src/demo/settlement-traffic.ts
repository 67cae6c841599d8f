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

/** The keys of a demo world the caller keeps, so a restart pays with the same mint, facilitator and merchants. */
export interface DemoWorldKeys {
  authority: Keypair;
  mint: Keypair;
  facilitator: Keypair;
  merchants: Keypair[];
}

/**
 * Creates the mint, the facilitator, merchants and funded payers. With `keys` it is found again:
 * what already exists on the chain is not created or funded twice, so a start interrupted at any
 * step completes on the next one.
 */
export async function createDemoWorld(
  connection: Connection,
  /** `payerKeys`: wallets to pay from (kept by the caller so they can claim later); new ones when absent. */
  opts: { merchants?: number; payers?: number; payerKeys?: Keypair[]; keys?: DemoWorldKeys; decimals?: number; fundEach?: bigint } = {},
): Promise<DemoWorld> {
  const decimals = opts.decimals ?? 6;
  const authority = opts.keys?.authority ?? Keypair.generate();
  const facilitator = opts.keys?.facilitator ?? Keypair.generate();
  const merchants = opts.keys?.merchants ?? Array.from({ length: opts.merchants ?? 3 }, () => Keypair.generate());
  const payers = opts.payerKeys ?? Array.from({ length: opts.payers ?? 8 }, () => Keypair.generate());
  for (const k of [authority, facilitator])
    if ((await connection.getBalance(k.publicKey, "confirmed")) < LAMPORTS_PER_SOL) await airdrop(connection, k.publicKey, 10);
  const mintKey = opts.keys?.mint;
  const mint =
    mintKey && (await connection.getAccountInfo(mintKey.publicKey, "confirmed"))
      ? mintKey.publicKey
      : await createMint(connection, authority, authority.publicKey, null, decimals, mintKey, undefined, TOKEN_PROGRAM_ID);
  for (const owner of [...merchants, ...payers]) {
    await createAssociatedTokenAccountIdempotent(connection, authority, mint, owner.publicKey);
  }
  const fund = opts.fundEach ?? 1_000n * 10n ** BigInt(decimals);
  for (const payer of payers) {
    const account = getAssociatedTokenAddressSync(mint, payer.publicKey);
    // a kept payer is topped up only when it has spent most of its funding
    if (opts.keys && BigInt((await connection.getTokenAccountBalance(account, "confirmed")).value.amount) >= fund / 10n) continue;
    await mintTo(connection, authority, mint, account, authority, fund);
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
