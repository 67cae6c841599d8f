import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import bs58 from "bs58";
import { ParseError } from "../../errors.js";
import { parseTransaction } from "./transaction.js";
import { parseEnhanced } from "./enhanced.js";
import { watchRules } from "./watch-rules.js";
import type { ParsedSettlement, RpcTransaction } from "../types.js";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../../tests/fixtures/ingest/${name}`, import.meta.url), "utf8"));
const WSOL = "So11111111111111111111111111111111111111112";
const PUMP = "8k1DvnFBsbuWJw2t4JqTibR7cAgqadMveqiykMr1pump";
const FOX = "FdsNQE5EeCe57tbEYCRV1JwW5dzNCof7MUTaGWhmzYqu";
const swapper = "G2341KGbNxuSAfCfqNuPhfLQtPB94hPfgyVPC89Faor4";
const mainnet = (): RpcTransaction => fixture("mainnet-get-transaction-v0-lookup-tables.json").result;
const settlementsOf = (o: ReturnType<typeof parseTransaction>): ParsedSettlement[] => (o.kind === "settlements" ? o.settlements : []);

describe("parseTransaction on a real mainnet v0 transaction with two lookup tables", () => {
  it("given the swapper as facilitator and WSOL watched, then the four inner WSOL transferChecked are settlements with exact amounts", () => {
    const rules = watchRules({ mints: [WSOL], facilitators: [swapper] });
    const got = settlementsOf(parseTransaction(mainnet(), rules));
    // Amounts agree with the program's own log lines (amount_in 3651694; fee split 3615608/1805/34280).
    assert.deepEqual(
      got.map((s) => [s.outerIndex, s.innerIndex, s.amount, s.decimals, s.payer, s.payee]),
      [
        [7, 0, 3651694n, 9, swapper, "HV1KXxWFaSeriyFvXyx48FqG9BoFbfinB8njCJonqP7K"],
        [7, 5, 3615608n, 9, "HV1KXxWFaSeriyFvXyx48FqG9BoFbfinB8njCJonqP7K", "9S3zAF8zVffQvD6EfqaVAdRbnYjVW51kVQDH2vHjk4vq"],
        [7, 6, 1805n, 9, "HV1KXxWFaSeriyFvXyx48FqG9BoFbfinB8njCJonqP7K", "62qc2CNXwrYqQScmEdiZFFAnJR262PxWEuNQtxfafNgV"],
        [7, 7, 34280n, 9, "HV1KXxWFaSeriyFvXyx48FqG9BoFbfinB8njCJonqP7K", "FGDQFsnbmq2xdtjrzeAaugZ2psy2RKqANTAhUmBr17PN"],
      ],
    );
    // Mint and destination come from the lookup tables' writable/readonly sections.
    assert.equal(got[0]!.mint, WSOL);
    assert.equal(got[0]!.destinationAccount, "2rikd7tzPbmowhUJzPNVtX7fuUGcnBa8jqJnx6HbtHeE");
    assert.equal(got[0]!.sourceAccount, "AEUZ5EPwSAXrWKi2w2xQ79hhThAbTWFEdx5gq851ACxi");
    assert.equal(got[0]!.facilitator, swapper);
    assert.equal(got[0]!.slot, 376396640n);
    assert.equal(got[0]!.blockTime?.toISOString(), new Date(1761670504 * 1000).toISOString());
  });

  it("given only a merchant rule, then only transfers into that merchant's accounts count and facilitator is null", () => {
    const rules = watchRules({ mints: [PUMP], merchants: [swapper] });
    const got = settlementsOf(parseTransaction(mainnet(), rules));
    assert.equal(got.length, 1);
    assert.deepEqual([got[0]!.outerIndex, got[0]!.innerIndex, got[0]!.amount, got[0]!.decimals], [7, 9, 4374143343n, 6]);
    assert.equal(got[0]!.facilitator, null);
    assert.equal(got[0]!.feePayer, swapper);
  });

  it("given an unwatched mint, then the outcome is none", () => {
    const rules = watchRules({ mints: ["EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"], facilitators: [swapper] });
    assert.equal(parseTransaction(mainnet(), rules).kind, "none");
  });

  it("given the same transaction marked failed, then it never counts", () => {
    const tx = mainnet();
    tx.meta!.err = { InstructionError: [7, { Custom: 1 }] };
    assert.equal(parseTransaction(tx, watchRules({ mints: [WSOL], facilitators: [swapper] })).kind, "failed");
  });
});

describe("parseTransaction on the Helius documented raw webhook example", () => {
  it("given the buyer as merchant, then the NFT Transfer (inner 2/7) is one settlement with the block index Helius supplied", () => {
    const [item] = fixture("helius-raw-webhook-example.json");
    const out = parseTransaction(item, watchRules({ mints: [FOX], merchants: ["CKs1E69a2e9TmH4mKKLrXFF8kD3ZnwKjoEuXa6sz9WqX"] }));
    assert.equal(out.kind, "settlements");
    if (out.kind !== "settlements") return;
    assert.equal(out.txIndex, 2557);
    const [s] = out.settlements;
    assert.deepEqual([s!.outerIndex, s!.innerIndex, s!.amount, s!.decimals], [2, 7, 1n, 0]);
    // Source closed in the same transaction: its owner comes from the pre balance.
    assert.equal(s!.payer, "1BWutmTvYPwDtmw9abTkS4Ssr8no61spGAvW1X6NDix");
    assert.equal(s!.payee, "CKs1E69a2e9TmH4mKKLrXFF8kD3ZnwKjoEuXa6sz9WqX");
    assert.equal(s!.tokenProgram, "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
  });
});

describe("parseEnhanced", () => {
  const rules = watchRules({ mints: [FOX], merchants: ["CKs1E69a2e9TmH4mKKLrXFF8kD3ZnwKjoEuXa6sz9WqX"] });

  it("given the documented enhanced example (no instructions), then it asks for the raw transaction", () => {
    const [item] = fixture("helius-enhanced-webhook-example.json");
    assert.throws(
      () => parseEnhanced(item, rules),
      (e: unknown) => e instanceof ParseError && e.reason === "enhanced_without_instructions",
    );
  });

  it("given the example with the raw transaction's instructions attached, then the rows equal the raw parse", () => {
    const [item] = fixture("helius-enhanced-webhook-example.json");
    const [raw] = fixture("helius-raw-webhook-example.json");
    const keys: string[] = raw.transaction.message.accountKeys;
    const ix = (i: { programIdIndex: number; accounts: number[]; data: string }) => ({
      programId: keys[i.programIdIndex],
      accounts: i.accounts.map((a) => keys[a]),
      data: i.data,
    });
    item.instructions = raw.transaction.message.instructions.map((o: never, i: number) => ({
      ...ix(o),
      innerInstructions: (raw.meta.innerInstructions.find((g: { index: number }) => g.index === i)?.instructions ?? []).map(ix),
    }));
    assert.deepEqual(settlementsOf(parseEnhanced(item, rules)), settlementsOf(parseTransaction(raw, rules)));
  });
});

describe("parseTransaction on bad input", () => {
  const rules = watchRules({ mints: [WSOL], facilitators: [swapper] });
  const reason = (input: unknown) => {
    try {
      parseTransaction(input, rules);
      return "parsed";
    } catch (e) {
      assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
      return e.reason;
    }
  };

  it("given garbage, then a ParseError names the problem", () => {
    assert.equal(reason(null), "bad_shape");
    assert.equal(reason({ slot: 1 }), "bad_shape");
    const noMeta = mainnet();
    noMeta.meta = null;
    assert.equal(reason(noMeta), "missing_meta");
  });

  it("given a v0 transaction without loaded addresses, then it is refused rather than mis-resolved", () => {
    const tx = mainnet();
    delete tx.meta!.loadedAddresses;
    assert.equal(reason(tx), "missing_loaded_addresses");
  });

  it("given an account index past the keys, then it is refused", () => {
    const tx = mainnet();
    tx.meta!.innerInstructions![1]!.instructions[0]!.accounts = [1, 22, 99, 0];
    assert.equal(reason(tx), "account_index_out_of_range");
  });

  it("given a transfer whose data has the wrong length, then it is refused", () => {
    const tx = mainnet();
    tx.meta!.innerInstructions![1]!.instructions[0]!.data = bs58.encode(Uint8Array.from([12, 1, 2, 3]));
    assert.equal(reason(tx), "malformed_token_instruction");
  });

  it("given an account key that is not base58 in a settlement, then it is refused (rows are never built from it)", () => {
    const tx = mainnet();
    tx.meta!.loadedAddresses!.writable[1] = "2rikd7tzPbmowhUJzPNVtX7fuUGcnBa8jqJnx6Hb,HeE";
    assert.equal(reason(tx), "bad_address");
    // base58 has no 0, O, I or l, nothing outside ASCII, and an address is 32-44 characters
    for (const bad of [
      "0rikd7tzPbmowhUJzPNVtX7fuUGcnBa8jqJnx6HbHeE",
      "2rikd7tzPbmowhUJzPNVtX7fuUGcnBa8jqJnx6HbHeÉ",
      "2rikd7tzPbmowhUJzPNVtX7fuUGcnBa",
      "2".repeat(45),
    ]) {
      tx.meta!.loadedAddresses!.writable[1] = bad;
      assert.equal(reason(tx), "bad_address", bad);
    }
  });

  it("given a signature that is not base58, then it is refused", () => {
    const tx = mainnet();
    tx.transaction.signatures[0] = tx.transaction.signatures[0]!.slice(0, -1) + "l";
    assert.equal(reason(tx), "bad_signature");
  });

  it("given jsonParsed accountKeys (objects), then it says so", () => {
    const tx = mainnet() as unknown as { transaction: { message: { accountKeys: unknown[] } } };
    tx.transaction.message.accountKeys = tx.transaction.message.accountKeys.map((k) => ({ pubkey: k }));
    assert.equal(reason(tx), "bad_shape");
  });
});
