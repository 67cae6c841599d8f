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
  AccountLayout,
  TOKEN_PROGRAM_ID,
  createAssociatedTokenAccountIdempotentInstruction,
  createMint,
  createMintToInstruction,
  createTransferCheckedInstruction,
  getAssociatedTokenAddressSync,
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

/** Every key of a demo world, for a caller that keeps them so a restart finds the same world. */
export interface DemoKeys {
  authority: Keypair;
  mint: Keypair;
  facilitator: Keypair;
  merchants: Keypair[];
  payers: Keypair[];
}

/** Payers set up per transaction: each adds its owner and token account (64 bytes) and two instructions. */
const PAYERS_PER_TX = 8;
/** Setup transactions in flight at once. */
const SETUP_CONCURRENCY = 8;

/**
 * Creates the mint, the facilitator, merchants and funded payers, or, given `keys` a previous run
 * used on the same chain, finds them and tops up only what is missing (a payer below half its
 * funding), so a restart resumes the same world. Payers pay no fees (the facilitator does) and
 * are set up several to a transaction, so a few hundred take seconds.
 */
export async function createDemoWorld(
  connection: Connection,
  /** `payerKeys`: wallets to pay from (kept by the caller so they can claim later); new ones when absent. */
  opts: { merchants?: number; payers?: number; payerKeys?: Keypair[]; keys?: DemoKeys; decimals?: number; fundEach?: bigint } = {},
): Promise<DemoWorld> {
  const decimals = opts.decimals ?? 6;
  const authority = opts.keys?.authority ?? Keypair.generate();
  const facilitator = opts.keys?.facilitator ?? Keypair.generate();
  const merchants = opts.keys?.merchants ?? Array.from({ length: opts.merchants ?? 3 }, () => Keypair.generate());
  const payers = opts.keys?.payers ?? opts.payerKeys ?? Array.from({ length: opts.payers ?? 8 }, () => Keypair.generate());
  for (const k of [authority, facilitator])
    if ((await connection.getBalance(k.publicKey, "confirmed")) < 5 * LAMPORTS_PER_SOL) await airdrop(connection, k.publicKey, 10);
  const mintKey = opts.keys?.mint ?? Keypair.generate();
  const mint = mintKey.publicKey;
  if (!(await connection.getAccountInfo(mint, "confirmed")))
    await createMint(connection, authority, authority.publicKey, null, decimals, mintKey, { commitment: "confirmed" }, TOKEN_PROGRAM_ID);
  const world = { mint, decimals, facilitator, merchants, payers };
  const fund = opts.fundEach ?? 1_000n * 10n ** BigInt(decimals);
  const owners = [...merchants, ...payers].map((k) => k.publicKey);
  const balances = await tokenBalances(connection, mint, owners);
  const merchantCount = merchants.length;
  const todo = owners.flatMap((owner, i) => {
    const balance = balances[i];
    const needsFunds = i >= merchantCount && (balance ?? 0n) < fund / 2n;
    return balance === undefined || needsFunds
      ? [{ owner, topUp: needsFunds ? fund - (balance ?? 0n) : 0n, create: balance === undefined }]
      : [];
  });
  const txs: Transaction[] = [];
  for (let i = 0; i < todo.length; i += PAYERS_PER_TX) {
    const tx = new Transaction();
    for (const t of todo.slice(i, i + PAYERS_PER_TX)) {
      const ata = getAssociatedTokenAddressSync(mint, t.owner);
      if (t.create) tx.add(createAssociatedTokenAccountIdempotentInstruction(authority.publicKey, ata, t.owner, mint));
      if (t.topUp > 0n) tx.add(createMintToInstruction(mint, ata, authority.publicKey, t.topUp));
    }
    txs.push(tx);
  }
  await inParallel(txs, SETUP_CONCURRENCY, (tx) => sendAndConfirmTransaction(connection, tx, [authority], { commitment: "confirmed" }));
  return world;
}

/** Each owner's token balance of `mint` at its associated account; undefined where there is none. */
async function tokenBalances(connection: Connection, mint: PublicKey, owners: PublicKey[]): Promise<(bigint | undefined)[]> {
  const out: (bigint | undefined)[] = [];
  for (let i = 0; i < owners.length; i += 100) {
    const infos = await connection.getMultipleAccountsInfo(
      owners.slice(i, i + 100).map((o) => getAssociatedTokenAddressSync(mint, o)),
      "confirmed",
    );
    for (const info of infos) out.push(info ? AccountLayout.decode(info.data).amount : undefined);
  }
  return out;
}

async function inParallel<T>(items: readonly T[], width: number, f: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
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

/**
 * Sends `perTick` settlements every `intervalMs` until stopped, the payers taken in turn from a
 * shuffled order (so every payer pays within `payers / perTick` ticks), each to a random merchant.
 */
export function startDemoTraffic(
  connection: Connection,
  world: DemoWorld,
  opts: { intervalMs?: number; perTick?: number; log?: (line: string) => void; memo?: boolean } = {},
): { stop(): Promise<void>; sent(): number } {
  let sent = 0;
  let stopped = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
  const order = [...world.payers].sort(() => Math.random() - 0.5);
  let turn = 0;
  const one = (payer: Keypair) => {
    const amount = BigInt(1 + Math.floor(Math.random() * 5_000)) * 10n ** BigInt(world.decimals - 3);
    const merchant = pick(world.merchants).publicKey;
    return sendSettlement(connection, world, payer, merchant, amount, opts.memo ? `x402:demo/${sent}` : undefined)
      .then((sig) => {
        sent++;
        opts.log?.(`demo settlement ${sent}: ${sig.slice(0, 12)}… ${amount} base units`);
      })
      .catch((err) => opts.log?.(`demo settlement failed: ${(err as Error).message}`));
  };
  const tick = () => {
    if (stopped) return;
    const batch = Array.from({ length: Math.min(opts.perTick ?? 1, order.length) }, () => order[turn++ % order.length]!);
    inFlight = Promise.all(batch.map(one)).finally(() => {
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
