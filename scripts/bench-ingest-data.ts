import { randomBytes } from "node:crypto";
import bs58 from "bs58";

/**
 * A recorded set of getTransaction ("json" encoding) results shaped like x402 settlement traffic
 * on mainnet: a facilitator pays the fee, two compute-budget instructions, a Token or Token-2022
 * transferChecked from the payer's account to a merchant's, a memo, token balances and program
 * logs. Mixed in: transactions with two transfers, plain `transfer`s paid by the payer to a
 * merchant, v0 messages whose mint and token program come from a lookup table, failed ones, and
 * transfers of an unwatched mint.
 */
const key = () => bs58.encode(randomBytes(32));
const TOKEN = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
const TOKEN22 = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb";
const MEMO = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr";
const CB = "ComputeBudget111111111111111111111111111111";

function u64(tag: number, amount: bigint, decimals?: number): string {
  const b = Buffer.alloc(decimals === undefined ? 9 : 10);
  b[0] = tag;
  b.writeBigUInt64LE(amount, 1);
  if (decimals !== undefined) b[9] = decimals;
  return bs58.encode(b);
}

export interface World {
  mints: { address: string; program: string; decimals: number }[];
  unwatched: string;
  facilitators: string[];
  merchants: { owner: string; accounts: Map<string, string> }[];
  payers: { owner: string; accounts: Map<string, string> }[];
}

export function makeWorld(opts: { payers: number; merchants: number }): World {
  const mints = [
    { address: key(), program: TOKEN, decimals: 6 },
    { address: key(), program: TOKEN22, decimals: 6 },
  ];
  const unwatched = key();
  const holder = () => ({ owner: key(), accounts: new Map([...mints.map((m) => [m.address, key()] as const), [unwatched, key()]]) });
  return {
    mints,
    unwatched,
    facilitators: [key(), key(), key()],
    merchants: Array.from({ length: opts.merchants }, holder),
    payers: Array.from({ length: opts.payers }, holder),
  };
}

const balance = (accountIndex: number, mint: string, owner: string, program: string, amount: bigint, decimals: number) => ({
  accountIndex,
  mint,
  owner,
  programId: program,
  uiTokenAmount: {
    amount: amount.toString(),
    decimals,
    uiAmount: Number(amount) / 10 ** decimals,
    uiAmountString: (Number(amount) / 10 ** decimals).toString(),
  },
});

/** One recorded transaction; returns it and how many settlements it must produce. */
export function makeTransaction(w: World, i: number, slot: number): { tx: unknown; settlements: number } {
  const r = i % 20;
  const payer = w.payers[i % w.payers.length]!;
  const merchant = w.merchants[(i * 7) % w.merchants.length]!;
  const mint = w.mints[i % 2]!;
  const facilitated = r !== 3;
  const failed = r === 7;
  const unwatched = r === 11;
  const twoTransfers = r === 5 || r === 15;
  const v0 = r % 4 === 1;
  const mintAddr = unwatched ? w.unwatched : mint.address;
  const feePayer = facilitated ? w.facilitators[i % w.facilitators.length]! : payer.owner;
  const src = payer.accounts.get(mintAddr)!;
  const dst = merchant.accounts.get(mintAddr)!;
  const dst2 = w.merchants[(i * 7 + 1) % w.merchants.length]!.accounts.get(mintAddr)!;
  const amount = BigInt(10_000 + (i % 990_000));
  // v0: mint and token program come from a lookup table (readonly), as wallets do to save space.
  const statics = [
    feePayer,
    ...(facilitated ? [payer.owner] : []),
    src,
    dst,
    ...(twoTransfers ? [dst2] : []),
    CB,
    MEMO,
    ...(v0 ? [] : [mintAddr, mint.program]),
  ];
  const loadedReadonly = v0 ? [mintAddr, mint.program] : [];
  const keys = [...statics, ...loadedReadonly];
  const at = (k: string) => keys.indexOf(k);
  const transfer = (to: string, amt: bigint) =>
    r === 3
      ? { accounts: [at(src), at(to), at(payer.owner)], data: u64(3, amt), programIdIndex: at(mint.program), stackHeight: 1 }
      : {
          accounts: [at(src), at(mintAddr), at(to), at(payer.owner)],
          data: u64(12, amt, mint.decimals),
          programIdIndex: at(mint.program),
          stackHeight: 1,
        };
  const instructions = [
    { accounts: [], data: "3DTZbgwsozUF", programIdIndex: at(CB), stackHeight: 1 },
    { accounts: [], data: "LEJDE7", programIdIndex: at(CB), stackHeight: 1 },
    transfer(dst, amount),
    ...(twoTransfers ? [transfer(dst2, amount / 10n)] : []),
    {
      accounts: [],
      data: bs58.encode(Buffer.from(`x402:${i.toString(36)}:${merchant.owner.slice(0, 8)}`)),
      programIdIndex: at(MEMO),
      stackHeight: 1,
    },
  ];
  const before = 10_000_000_000n;
  const sent = twoTransfers ? amount + amount / 10n : amount;
  const tx = {
    blockTime: 1_760_000_000 + Math.floor(slot / 2),
    meta: {
      computeUnitsConsumed: 9_000,
      err: failed ? { InstructionError: [2, { Custom: 1 }] } : null,
      fee: 5_000 + (i % 5) * 1000,
      innerInstructions: [],
      loadedAddresses: { readonly: loadedReadonly, writable: [] },
      logMessages: [
        `Program ${CB} invoke [1]`,
        `Program ${CB} success`,
        `Program ${CB} invoke [1]`,
        `Program ${CB} success`,
        `Program ${mint.program} invoke [1]`,
        "Program log: Instruction: TransferChecked",
        `Program ${mint.program} consumed 6200 of 200000 compute units`,
        `Program ${mint.program} success`,
        `Program ${MEMO} invoke [1]`,
        `Program log: Memo (len 24): "x402:${i.toString(36)}"`,
        `Program ${MEMO} consumed 2000 of 193800 compute units`,
        `Program ${MEMO} success`,
      ],
      postBalances: keys.map((_, k) => 2_039_280 + k),
      postTokenBalances: [
        balance(at(src), mintAddr, payer.owner, mint.program, before - (failed ? 0n : sent), mint.decimals),
        balance(at(dst), mintAddr, merchant.owner, mint.program, 5_000_000n + (failed ? 0n : amount), mint.decimals),
        ...(twoTransfers
          ? [
              balance(
                at(dst2),
                mintAddr,
                w.merchants[(i * 7 + 1) % w.merchants.length]!.owner,
                mint.program,
                5_000_000n + amount / 10n,
                mint.decimals,
              ),
            ]
          : []),
      ],
      preBalances: keys.map((_, k) => 2_039_280 + k + (k === 0 ? 5_000 : 0)),
      preTokenBalances: [
        balance(at(src), mintAddr, payer.owner, mint.program, before, mint.decimals),
        balance(at(dst), mintAddr, merchant.owner, mint.program, 5_000_000n, mint.decimals),
        ...(twoTransfers
          ? [balance(at(dst2), mintAddr, w.merchants[(i * 7 + 1) % w.merchants.length]!.owner, mint.program, 5_000_000n, mint.decimals)]
          : []),
      ],
      rewards: [],
      status: failed ? { Err: { InstructionError: [2, { Custom: 1 }] } } : { Ok: null },
    },
    slot,
    transaction: {
      message: {
        accountKeys: statics,
        addressTableLookups: v0 ? [{ accountKey: key(), readonlyIndexes: [4, 9], writableIndexes: [] }] : undefined,
        header: { numReadonlySignedAccounts: 0, numReadonlyUnsignedAccounts: 2, numRequiredSignatures: facilitated ? 2 : 1 },
        instructions,
        recentBlockhash: key(),
      },
      signatures: [bs58.encode(randomBytes(64)), ...(facilitated ? [bs58.encode(randomBytes(64))] : [])],
    },
    version: v0 ? 0 : "legacy",
    // The daemon takes the position from getBlock; recorded here so the bench measures parse + persist.
    indexWithinBlock: i % 1000,
  };
  return { tx, settlements: failed || unwatched ? 0 : twoTransfers ? 2 : 1 };
}
