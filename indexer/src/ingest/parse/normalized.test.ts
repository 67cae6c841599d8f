import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import bs58 from "bs58";
import { buildBatch, type Received } from "./build-batch.js";
import { ParseError } from "../../errors.js";
import type { NormalizedTx } from "./normalized.js";
import { parseEnhanced } from "./enhanced.js";
import { extractSettlements, MAX_SETTLEMENT_VOLUME, maxSettlementAmount, parseTransaction } from "./transaction.js";
import { toVolume } from "../../scoring/points/math.js";
import { newIngestStats } from "../stats.js";
import { watchRules } from "./watch-rules.js";
import { toHeliusEnhanced } from "../../../../tests/fixtures/ingest/helius-payloads.js";
import type { ParseOutcome, RpcTransaction } from "../types.js";

/**
 * Issue #14, section 3: no single transaction can stop ingestion. Each case is a real payload with
 * one thing wrong; before the fix each of them either threw something that is not a ParseError
 * (the batch rolled back and the poller's cursor never moved) or produced a row the database refused.
 */
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../../tests/fixtures/ingest/${name}`, import.meta.url), "utf8"));
const WSOL = "So11111111111111111111111111111111111111112";
const FOX = "FdsNQE5EeCe57tbEYCRV1JwW5dzNCof7MUTaGWhmzYqu";
const BUYER = "CKs1E69a2e9TmH4mKKLrXFF8kD3ZnwKjoEuXa6sz9WqX";
const SELLER = "1BWutmTvYPwDtmw9abTkS4Ssr8no61spGAvW1X6NDix";
const swapper = "G2341KGbNxuSAfCfqNuPhfLQtPB94hPfgyVPC89Faor4";
const MEMO = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr";
const mainnet = (): RpcTransaction => fixture("mainnet-get-transaction-v0-lookup-tables.json").result;
const heliusRaw = (): RpcTransaction & { indexWithinBlock: number } => fixture("helius-raw-webhook-example.json")[0];
const foxToBuyer = watchRules({ mints: [FOX], merchants: [BUYER] });
const foxByFeePayer = watchRules({ mints: [FOX], facilitators: [BUYER] });
const wsolBySwapper = watchRules({ mints: [WSOL], facilitators: [swapper] });

function reasonOf(f: () => unknown): string {
  try {
    f();
    return "parsed";
  } catch (e) {
    assert.ok(e instanceof ParseError, `expected a ParseError, got ${String(e)}`);
    return e.reason;
  }
}

const settlementsOf = (o: ParseOutcome) => (o.kind === "settlements" ? o.settlements : []);
const build = (items: Received[], rules = foxToBuyer, fetchRaw?: (s: string) => Promise<unknown>) =>
  buildBatch(items, { rules, source: "helius", stats: newIngestStats(), fetchRaw });

describe("a token balance whose decimals are missing or not an integer", () => {
  for (const bad of [undefined, "6", 1.5, -1, 256, null]) {
    it(`given decimals ${JSON.stringify(bad)} on the transfer's balances, then the transaction is a bad_token_balance reject, not a row with NaN decimals`, () => {
      const tx = heliusRaw();
      for (const b of [...tx.meta!.preTokenBalances!, ...tx.meta!.postTokenBalances!])
        (b.uiTokenAmount as { decimals: unknown }).decimals = bad;
      assert.equal(
        reasonOf(() => parseTransaction(tx, foxToBuyer)),
        "bad_token_balance",
      );
    });
  }

  it("given an enhanced item whose tokenBalanceChanges carry no decimals, then bad_token_balance as well", () => {
    const item = toHeliusEnhanced(heliusRaw(), { withInstructions: true }) as {
      accountData: { tokenBalanceChanges: { rawTokenAmount: { decimals?: unknown } }[] }[];
    };
    for (const a of item.accountData) for (const c of a.tokenBalanceChanges) delete c.rawTokenAmount.decimals;
    assert.equal(
      reasonOf(() => parseEnhanced(item, foxToBuyer)),
      "bad_token_balance",
    );
  });
});

describe("memo data that is not base58", () => {
  const withMemo = (data: string) => {
    const tx = heliusRaw();
    tx.transaction.message.accountKeys.push(MEMO);
    tx.transaction.message.instructions.push({ programIdIndex: tx.transaction.message.accountKeys.length - 1, accounts: [], data });
    return tx;
  };

  it("given a settlement and a memo of '0OIl', then the transaction is a reject (bad_instruction_data) instead of an exception that stalls the batch", async () => {
    assert.equal(
      reasonOf(() => parseTransaction(withMemo("0OIl"), foxToBuyer)),
      "bad_instruction_data",
    );
    const batch = await build([
      { body: withMemo("0OIl"), encoding: "helius-raw" },
      { body: mainnet(), encoding: "helius-raw" },
    ]);
    assert.deepEqual(
      batch.rejects.map((r) => r.reason),
      ["bad_instruction_data"],
    );
  });

  it("given a memo holding a NUL byte (valid UTF-8, refused by PostgreSQL text), then the settlement keeps its memo with U+FFFD in its place", () => {
    const [s] = settlementsOf(parseTransaction(withMemo(bs58.encode(Buffer.from("pay\u0000ref"))), foxToBuyer));
    assert.equal(s?.memo, "pay\ufffdref");
  });

  it("given a memo that is not base58 in a transaction with no settlement, then it is simply not a settlement (memos are read only for settlements)", () => {
    assert.equal(parseTransaction(withMemo("0OIl"), watchRules({ mints: [WSOL], merchants: [BUYER] })).kind, "none");
  });
});

describe("numbers that are not what the chain produces", () => {
  it("given an enhanced item with a fractional slot, then a bad_shape reject, not a RangeError from BigInt", () => {
    const item = toHeliusEnhanced(heliusRaw(), { withInstructions: true });
    item.slot = 171942732.5;
    assert.equal(
      reasonOf(() => parseEnhanced(item, foxToBuyer)),
      "bad_shape",
    );
  });

  for (const [field, value] of [
    ["blockTime", 1.5e300],
    ["blockTime", 0.5],
    ["indexWithinBlock", 2557.5],
    ["indexWithinBlock", 2 ** 31],
    ["slot", -1],
  ] as const) {
    it(`given a raw item with ${field} ${value}, then a bad_shape reject (the database would refuse the row and roll the batch back)`, () => {
      const tx = heliusRaw() as unknown as Record<string, unknown>;
      tx[field] = value;
      assert.equal(
        reasonOf(() => parseTransaction(tx, foxToBuyer)),
        "bad_shape",
      );
    });
  }

  it("given an enhanced item with a timestamp far past year 9999, then bad_shape", () => {
    const item = toHeliusEnhanced(heliusRaw(), { withInstructions: true });
    item.timestamp = 1e300;
    assert.equal(
      reasonOf(() => parseEnhanced(item, foxToBuyer)),
      "bad_shape",
    );
  });

  it("given token balance lists that are not arrays, then bad_shape rather than a TypeError", () => {
    for (const field of ["postTokenBalances", "preTokenBalances", "innerInstructions"] as const) {
      const tx = heliusRaw();
      (tx.meta as Record<string, unknown>)[field] = 5;
      assert.equal(
        reasonOf(() => parseTransaction(tx, foxToBuyer)),
        "bad_shape",
        field,
      );
    }
  });
});

describe("an owner that is not a string", () => {
  it("given a destination owner that is a number, then bad_token_balance, not a payee of 12345", () => {
    const tx = heliusRaw();
    (tx.meta!.postTokenBalances![0] as { owner: unknown }).owner = 12345;
    assert.equal(
      reasonOf(() => parseTransaction(tx, foxByFeePayer)),
      "bad_token_balance",
    );
  });

  it("given a normalized transaction whose owner is a number (isBase58 on a non-string), then bad_address", () => {
    const tx = heliusRaw();
    const keys = tx.transaction.message.accountKeys;
    const inner = tx.meta!.innerInstructions!.find((g) => g.index === 2)!.instructions;
    const n: NormalizedTx = {
      signature: tx.transaction.signatures[0]!,
      slot: 1n,
      blockTime: null,
      txIndex: 0,
      failed: false,
      keys,
      feePayer: keys[0]!,
      outer: tx.transaction.message.instructions,
      inner: new Map([[2, inner]]),
      balances: new Map([
        [6, { mint: FOX, owner: SELLER, decimals: 0 }],
        [7, { mint: FOX, owner: 12345 as unknown as string, decimals: 0 }],
      ]),
    };
    assert.equal(
      reasonOf(() => extractSettlements(n, foxByFeePayer)),
      "bad_address",
    );
  });
});

describe("one transfer whose owner cannot be known, beside transfers fully known", () => {
  const partial = () => {
    const tx = mainnet() as RpcTransaction & { indexWithinBlock?: number };
    tx.indexWithinBlock = 7;
    // the destination of 7/6 ("62qc…", account index 18 in this transaction) loses its owner
    for (const b of [...tx.meta!.preTokenBalances!, ...tx.meta!.postTokenBalances!]) if (b.accountIndex === 18) delete b.owner;
    return tx;
  };

  it("given the mainnet swap with one destination owner removed, then its three siblings are settlements and the fourth is reported", () => {
    const out = parseTransaction(partial(), wsolBySwapper);
    assert.equal(out.kind, "settlements");
    if (out.kind !== "settlements") return;
    assert.deepEqual(
      out.settlements.map((s) => `${s.outerIndex}/${s.innerIndex}`),
      ["7/0", "7/5", "7/7"],
    );
    assert.deepEqual(
      out.rejects?.map((r) => r.reason),
      ["destination_owner_unknown"],
    );
  });

  it("given it in a batch, then the batch holds the three rows and one reject with the transaction's signature", async () => {
    const batch = await build([{ body: partial(), encoding: "helius-raw" }], wsolBySwapper);
    assert.equal(batch.settlements.length, 3);
    assert.deepEqual(
      batch.rejects.map((r) => [r.signature, r.reason]),
      [[mainnet().transaction.signatures[0], "destination_owner_unknown"]],
    );
    assert.equal(batch.raws.length, 1);
  });
});

describe("enhanced items: owners from tokenTransfers, and no RPC call for unwatched mints", () => {
  it("given tokenBalanceChanges without userAccount, then the owner comes from tokenTransfers[].toUserAccount/fromUserAccount", () => {
    const item = toHeliusEnhanced(heliusRaw(), { withInstructions: true }) as {
      accountData: { tokenBalanceChanges: { userAccount?: string }[] }[];
    };
    for (const a of item.accountData) for (const c of a.tokenBalanceChanges) delete c.userAccount;
    const [s] = settlementsOf(parseEnhanced(item, foxToBuyer));
    assert.equal(s?.payee, BUYER);
    assert.equal(s?.payer, SELLER);
  });

  it("given the destination's balance change missing altogether (no net change), then its mint and owner come from tokenTransfers", () => {
    const item = toHeliusEnhanced(heliusRaw(), { withInstructions: true }) as {
      accountData: { account: string; tokenBalanceChanges: unknown[] }[];
    };
    for (const a of item.accountData) if (a.account === "DTYuh7gAGGZg2okM7hdFfU1yMY9LUemCiPyD5Z5GCs6Z") a.tokenBalanceChanges = [];
    const [s] = settlementsOf(parseEnhanced(item, foxToBuyer));
    assert.deepEqual([s?.payee, s?.payer, s?.decimals, s?.amount], [BUYER, SELLER, 0, 1n]);
  });

  it("given no balance change for either side of a plain transfer, then its decimals are unknown: a decimals_unknown reject, not a guess", () => {
    const item = toHeliusEnhanced(heliusRaw(), { withInstructions: true }) as { accountData: { tokenBalanceChanges: unknown[] }[] };
    for (const a of item.accountData) a.tokenBalanceChanges = [];
    assert.equal(
      reasonOf(() => parseEnhanced(item, foxToBuyer)),
      "decimals_unknown",
    );
  });

  it("given the documented enhanced example (no instructions) and none of its mints watched, then the raw transaction is not fetched", async () => {
    const [item] = fixture("helius-enhanced-webhook-example.json");
    let fetched = 0;
    const batch = await build(
      [{ body: item, encoding: "helius-enhanced" }],
      watchRules({ mints: [WSOL], merchants: [BUYER] }),
      async () => {
        fetched++;
        return heliusRaw();
      },
    );
    assert.equal(fetched, 0);
    assert.deepEqual([batch.settlements.length, batch.rejects.length], [0, 0]);
  });

  it("given the same example with its mint watched, then the raw transaction is fetched (as before)", async () => {
    const [item] = fixture("helius-enhanced-webhook-example.json");
    let fetched = 0;
    await build([{ body: item, encoding: "helius-enhanced" }], foxToBuyer, async () => {
      fetched++;
      return heliusRaw();
    });
    assert.equal(fetched, 1);
  });
});

describe("amounts whose volume does not fit the engine's bigint columns", () => {
  const withAmount = (amount: bigint, path: [number, number]) => {
    const tx = mainnet() as RpcTransaction & { indexWithinBlock?: number };
    tx.indexWithinBlock = 7;
    const ix = tx.meta!.innerInstructions!.find((g) => g.index === path[0])!.instructions[path[1]]!;
    const data = Buffer.from(bs58.decode(ix.data));
    data.writeBigUInt64LE(amount, 1);
    ix.data = bs58.encode(data);
    return tx;
  };

  it("given one WSOL transfer of 2^64 - 1 lamports (18.4 billion SOL, volume 1.8e16 micro-units), then it is a volume_out_of_range reject and its siblings are kept", () => {
    const out = parseTransaction(withAmount(2n ** 64n - 1n, [7, 5]), wsolBySwapper);
    assert.equal(out.kind, "settlements");
    if (out.kind !== "settlements") return;
    assert.deepEqual(
      out.settlements.map((s) => `${s.outerIndex}/${s.innerIndex}`),
      ["7/0", "7/6", "7/7"],
    );
    assert.deepEqual(
      out.rejects?.map((r) => r.reason),
      ["volume_out_of_range"],
    );
  });

  it("given a transfer exactly at the limit (2^53 - 1 micro-units), then it is a settlement", () => {
    const max = (2n ** 53n - 1n) * 1000n; // 9 decimals: volume = amount / 1000
    const [, s] = settlementsOf(parseTransaction(withAmount(max, [7, 5]), wsolBySwapper));
    assert.equal(s?.amount, max);
    const over = parseTransaction(withAmount(max + 1000n, [7, 5]), wsolBySwapper);
    assert.equal(over.kind === "settlements" && over.rejects?.[0]?.reason, "volume_out_of_range");
  });

  it("given any decimals 0-255, then the amount limit is exactly where the engine's toVolume passes MAX_SETTLEMENT_VOLUME", () => {
    for (let d = 0; d <= 255; d++) {
      const max = maxSettlementAmount(d);
      assert.ok(toVolume(max, d) <= MAX_SETTLEMENT_VOLUME && toVolume(max + 1n, d) > MAX_SETTLEMENT_VOLUME, `decimals ${d}`);
    }
  });
});
