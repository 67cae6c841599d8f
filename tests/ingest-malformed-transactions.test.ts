import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import bs58 from "bs58";
import fc from "fast-check";
import { truncateAll, useFreshDb } from "./setup/db.js";
import {
  getIngestWatermark,
  parseEnhanced,
  parseTransaction,
  startIngest,
  RpcClient,
  webhookRoutes,
  watchRules,
} from "../indexer/src/ingest/index.js";
import { getCursor } from "../indexer/src/ingest/store/cursors.js";
import { listRejects } from "../indexer/src/ingest/store/rejects.js";
import { listSettlements } from "../indexer/src/ingest/store/settlements.js";
import { toHeliusEnhanced } from "./fixtures/ingest/helius-payloads.js";
import type { ParseOutcome, RpcTransaction } from "../indexer/src/ingest/types.js";

/**
 * Issue #14, section 3: no single transaction can stop ingestion. Real transactions (the mainnet v0
 * swap and Helius's documented example) are mutated at random (a field's type changed, a field
 * dropped or duplicated, huge, negative or fractional numbers, strings that are not base58 or hold
 * NUL or lone surrogates, token amounts up to 2^64 - 1) and sent beside unmutated copies, through
 * the poller (a fake JSON-RPC node) and through the webhook. Whatever the mutation:
 *
 * Given a batch holding good and mutated transactions,
 * when the poller passes over it, or Helius delivers it,
 * then nothing throws past its transaction: the poller's pass completes, the cursor reaches the
 * newest signature and the watermark the head slot, the webhook answers 200; every row of the
 * good transactions is stored; and no reject says the parser met something it did not foresee.
 */
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/ingest/${name}`, import.meta.url), "utf8"));
const WSOL = "So11111111111111111111111111111111111111112";
const PUMP = "8k1DvnFBsbuWJw2t4JqTibR7cAgqadMveqiykMr1pump";
const FOX = "FdsNQE5EeCe57tbEYCRV1JwW5dzNCof7MUTaGWhmzYqu";
const BUYER = "CKs1E69a2e9TmH4mKKLrXFF8kD3ZnwKjoEuXa6sz9WqX";
const SWAPPER = "G2341KGbNxuSAfCfqNuPhfLQtPB94hPfgyVPC89Faor4";
const AUTH = "Bearer test-webhook-secret-0123456789";
const HEAD = 400_000_000;
const rulesInput = { mints: [WSOL, PUMP, FOX], facilitators: [SWAPPER], merchants: [BUYER] };
const rules = watchRules(rulesInput);
const RUNS = Number(process.env.INGEST_FUZZ_RUNS ?? 25);

type Tx = RpcTransaction & { indexWithinBlock?: number };
const templates: (() => Tx)[] = [
  () => fixture("mainnet-get-transaction-v0-lookup-tables.json").result,
  () => fixture("helius-raw-webhook-example.json")[0],
];

let serial = 0;
/** A fresh transaction from a template: its own signature and slot, so good and mutated rows never share a key. */
function fresh(template: number): Tx {
  const tx = templates[template % templates.length]!();
  const n = ++serial;
  tx.transaction.signatures[0] = bs58.encode(createHash("sha512").update(`tx-${n}`).digest());
  tx.slot = HEAD - 100_000 + n;
  tx.indexWithinBlock = n % 3000;
  return tx;
}
const signatureOf = (tx: Tx) => tx.transaction.signatures[0]!;

// ---- mutations ------------------------------------------------------------------------------

const WEIRD: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  0.5,
  1e20,
  2 ** 53 + 2,
  2 ** 64,
  -(2 ** 63),
  1e300,
  Number.MAX_SAFE_INTEGER,
  "",
  "0OIl",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "é",
  "2".repeat(45),
  "x".repeat(3000),
  "1",
  "6",
  [],
  {},
  [1, 2],
  { a: 1 },
  [null],
  ["\u0000"],
];

interface Mutation {
  pick: number;
  op: number;
  weird: number;
  amount: bigint;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  op: fc.nat({ max: 6 }),
  weird: fc.nat({ max: WEIRD.length - 1 }),
  amount: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(2n ** 64n - 1n, 2n ** 63n, 2n ** 53n * 1000n, 0n)),
});

type Slot = { parent: Record<string | number, unknown> | unknown[]; key: string | number };

/** Every place in a JSON tree below its root. */
function places(root: unknown): Slot[] {
  const out: Slot[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (out.push({ parent: v, key: i }), walk(x)));
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) out.push({ parent: v as Record<string, unknown>, key: k }), walk(x);
  };
  walk(root);
  return out;
}

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

function mutate(root: unknown, m: Mutation): void {
  const all = places(root);
  if (all.length === 0) return;
  const { parent, key } = all[m.pick % all.length]!;
  const p = parent as Record<string | number, unknown>;
  const v = p[key];
  const weird = clone(WEIRD[m.weird]);
  switch (m.op) {
    case 0: // the type changes
      p[key] = weird;
      break;
    case 1: // the field goes
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete p[key];
      break;
    case 2: // the field is duplicated: an array element twice, or a sibling's value copied over it
      if (Array.isArray(parent)) parent.splice(key as number, 0, clone(v));
      else {
        const keys = Object.keys(p);
        p[key] = clone(p[keys[m.weird % keys.length]!]);
      }
      break;
    case 3: // a number goes huge, negative or fractional
      p[key] = typeof v === "number" ? [v + 0.5, v * 1e15, -v - 1, 2 ** 63, v + 2 ** 53][m.weird % 5]! : weird;
      break;
    case 4: // a string's encoding breaks
      p[key] =
        typeof v === "string"
          ? [v + "0", v.slice(0, -1) + "l", v.slice(0, 5), v + "\u0000", "é" + v, v.toLowerCase()][m.weird % 6]!
          : weird;
      break;
    default: {
      // a token transfer moves a different (possibly enormous) amount
      const transfers = all.filter(
        (s) =>
          s.key === "data" &&
          typeof (s.parent as Record<string, unknown>).data === "string" &&
          isTransferData((s.parent as Record<string, string>).data!),
      );
      if (transfers.length === 0) return;
      const t = transfers[m.pick % transfers.length]!.parent as Record<string, string>;
      const bytes = Buffer.from(bs58.decode(t.data!));
      bytes.writeBigUInt64LE(m.amount, 1);
      t.data = bs58.encode(bytes);
    }
  }
}

function isTransferData(data: string): boolean {
  try {
    const b = bs58.decode(data);
    return (b[0] === 3 && b.length === 9) || (b[0] === 12 && b.length === 10);
  } catch {
    return false;
  }
}

// ---- a JSON-RPC node that serves the batch ---------------------------------------------------

interface Chain {
  /** signatures the facilitator's history lists, oldest first */
  listed: { signature: string; slot: number }[];
  bodies: Map<string, unknown>;
  /** slot -> the signatures of its block, in block order */
  blocks: Map<number, string[]>;
}

function startFakeRpc(chain: () => Chain): Promise<{ url: string; close(): Promise<void> }> {
  const answer = (method: string, params: unknown[]): { result: unknown } | { error: { code: number; message: string } } => {
    const c = chain();
    switch (method) {
      case "getSlot":
        return { result: HEAD };
      case "getTokenAccountsByOwner":
        return { result: { value: [] } };
      case "getSignaturesForAddress": {
        const [address, config] = params as [string, { until?: string; before?: string }];
        if (address !== SWAPPER) return { result: [] };
        let list = [...c.listed].reverse();
        if (config.before) list = list.slice(list.findIndex((s) => s.signature === config.before) + 1);
        if (config.until)
          list = list.slice(
            0,
            Math.max(
              0,
              list.findIndex((s) => s.signature === config.until),
            ),
          );
        return { result: list.map((s) => ({ ...s, err: null })) };
      }
      case "getTransaction": {
        const sig = params[0] as string;
        // an unknown signature (an enhanced item whose signature was mutated) gets a failed transaction, not null:
        // null is asked again for seconds, which would only slow the test down
        return {
          result: c.bodies.get(sig) ?? {
            slot: 1,
            blockTime: null,
            meta: { err: { InstructionError: [0, "Custom"] } },
            transaction: { signatures: [sig], message: { accountKeys: [SWAPPER], instructions: [] } },
          },
        };
      }
      case "getBlock": {
        const sigs = c.blocks.get(params[0] as number);
        return sigs
          ? { result: { signatures: sigs } }
          : { error: { code: -32009, message: "Slot was skipped, or missing in long-term storage" } };
      }
      default:
        return { error: { code: -32601, message: "Method not found" } };
    }
  };
  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (d) => (text += d));
    req.on("end", () => {
      const body = JSON.parse(text) as
        | { id: number; method: string; params: unknown[] }
        | { id: number; method: string; params: unknown[] }[];
      const one = (r: { id: number; method: string; params: unknown[] }) => ({ jsonrpc: "2.0", id: r.id, ...answer(r.method, r.params) });
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(Array.isArray(body) ? body.map(one) : one(body)));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    ),
  );
}

// ---- the property ---------------------------------------------------------------------------

const batchArb = fc.record({
  good: fc.array(fc.nat({ max: 1 }), { minLength: 1, maxLength: 3 }),
  bad: fc.array(fc.record({ template: fc.nat({ max: 1 }), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) }), {
    minLength: 1,
    maxLength: 4,
  }),
  seed: fc.nat(),
});
type BatchInput = typeof batchArb extends fc.Arbitrary<infer T> ? T : never;

const rowKeys = (o: ParseOutcome) =>
  o.kind === "settlements" ? o.settlements.map((s) => `${s.signature}/${s.outerIndex}/${s.innerIndex}/${s.amount}`) : [];

/** The good and mutated transactions of one case, in a shuffled order; `expected` are the good ones' row keys. */
function makeCase(input: BatchInput): {
  txs: { tx: Tx; listed: string; slot: number; good: boolean }[];
  expected: string[];
  mutated: Tx[];
} {
  const good = input.good.map((t) => fresh(t));
  const mutated: Tx[] = [];
  const bad = input.bad.map(({ template, mutations }) => {
    const tx = fresh(template);
    const listed = { listed: signatureOf(tx), slot: tx.slot };
    for (const m of mutations) mutate(tx, m);
    mutated.push(tx);
    return { tx, ...listed, good: false };
  });
  const all = [...good.map((tx) => ({ tx, listed: signatureOf(tx), slot: tx.slot, good: true })), ...bad];
  // a deterministic shuffle: good and bad transactions share batches in every order
  for (let i = all.length - 1, s = input.seed; i > 0; i--, s = (s * 1103515245 + 12345) >>> 0) {
    const j = s % (i + 1);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const expected = good.flatMap((tx) => rowKeys(parseTransaction(tx, rules)));
  return { txs: all, expected, mutated };
}

const keyOf = (r: { signature: string; outer_index: number; inner_index: number; amount: string }) =>
  `${r.signature}/${r.outer_index}/${r.inner_index}/${r.amount}`;

describe("Malformed transactions never stop ingestion (property, real transactions mutated)", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  let chain: Chain = { listed: [], bodies: new Map(), blocks: new Map() };
  let rpc: { url: string; close(): Promise<void> };
  before(async () => (rpc = await startFakeRpc(() => chain)));
  after(() => rpc?.close());

  const serve = (txs: { tx: unknown; listed: string; slot: number }[], extra: [string, unknown][] = []) => {
    chain = {
      listed: txs.map((t) => ({ signature: t.listed, slot: t.slot })),
      bodies: new Map([...txs.map((t) => [t.listed, t.tx] as [string, unknown]), ...extra]),
      blocks: new Map(),
    };
    for (const t of txs) chain.blocks.set(t.slot, [t.listed]);
  };

  /** One poller pass over `txs` (batches of 2): it must complete, move the cursor and the watermark, and store `expected`. */
  const pollOnce = async (txs: { tx: unknown; listed: string; slot: number }[], expected: readonly string[], about: () => string) => {
    await truncateAll(db());
    serve(txs);
    const lines: string[] = [];
    const handle = await startIngest({
      sql: db(),
      rpcUrl: rpc.url,
      rules,
      pollIntervalMs: 60_000,
      batchSize: 2,
      log: (l) => lines.push(l),
      rpc: { maxRetries: 0, timeoutMs: 5_000, requestsPerSecond: 1_000_000, maxConcurrency: 4 },
    });
    while (handle.stats().cycles < 1) await new Promise((r) => setTimeout(r, 5));
    await handle.stop();
    const context = () => `${lines.join("\n")}\n${about()}`;
    assert.equal(handle.stats().lastError, null, context());
    // the slot before the head: the head's block may still take transactions
    assert.equal(await getIngestWatermark(db()), BigInt(HEAD) - 1n, context());
    assert.equal((await getCursor(db(), SWAPPER, "live"))?.lastSignature, txs[txs.length - 1]!.listed);
    const stored = new Set((await listSettlements(db())).map(keyOf));
    for (const k of expected) assert.ok(stored.has(k), `good row ${k} is missing\n${context()}`);
    await assertNoSurprise();
  };

  const deliver = async (items: unknown[]) => {
    const app = webhookRoutes({
      sql: db(),
      rules,
      authHeader: AUTH,
      rpc: new RpcClient({ url: rpc.url, maxRetries: 0, requestsPerSecond: 1_000_000 }),
    });
    const res = await app.request("/webhooks/helius", {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body: JSON.stringify(items),
    });
    return { status: res.status, text: await res.text() };
  };

  const withMemo = (tx: Tx, data: string) => {
    tx.transaction.message.accountKeys.push("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
    tx.transaction.message.instructions.push({ programIdIndex: tx.transaction.message.accountKeys.length - 1, accounts: [], data });
  };
  const setAmount = (tx: Tx, amount: bigint) => {
    const ix = tx.meta!.innerInstructions!.find((g) => g.index === 7)!.instructions[5]!;
    const data = Buffer.from(bs58.decode(ix.data));
    data.writeBigUInt64LE(amount, 1);
    ix.data = bs58.encode(data);
  };
  const balances = (tx: Tx) => [...tx.meta!.preTokenBalances!, ...tx.meta!.postTokenBalances!];

  // Issue #14 §3, items 1, 2, 4, 5, 8: each of these stopped the poller's batch (or lost rows) before.
  const defects: [string, number, (tx: Tx) => void, string][] = [
    [
      "a token balance without decimals (item 1)",
      1,
      (tx) => balances(tx).forEach((b) => delete (b.uiTokenAmount as { decimals?: number }).decimals),
      "bad_token_balance",
    ],
    ["memo data that is not base58 (item 2)", 1, (tx) => withMemo(tx, "0OIl"), "bad_instruction_data"],
    [
      "an owner that is a number (item 4)",
      1,
      (tx) => balances(tx).forEach((b) => ((b as { owner: unknown }).owner = 12345)),
      "bad_token_balance",
    ],
    [
      "one destination owner unknown beside known transfers (item 5)",
      0,
      (tx) => balances(tx).forEach((b) => b.accountIndex === 18 && delete b.owner),
      "destination_owner_unknown",
    ],
    ["a transfer of 2^64 - 1 lamports (item 8)", 0, (tx) => setAmount(tx, 2n ** 64n - 1n), "volume_out_of_range"],
    ["a block time of 1e20", 0, (tx) => (tx.blockTime = 1e20), "bad_shape"],
  ];
  for (const [what, template, spoil, reason] of defects) {
    it(`given ${what} between two good transactions, when the poller passes, then it is a ${reason} reject and everything else moves on`, async () => {
      const [before, bad, after] = [fresh(template), fresh(template), fresh(template)];
      spoil(bad);
      const txs = [before, bad, after].map((tx) => ({ tx, listed: signatureOf(tx), slot: tx.slot }));
      await pollOnce(
        txs,
        [before, after].flatMap((tx) => rowKeys(parseTransaction(tx, rules))),
        () => what,
      );
      assert.deepEqual(
        (await listRejects(db())).map((r) => [r.signature, r.reason]),
        [[signatureOf(bad), reason]],
      );
      // a reject of one transfer keeps the transaction's other transfers
      const kept = (await listSettlements(db())).filter((r) => r.signature === signatureOf(bad)).length;
      assert.equal(kept > 0, reason === "destination_owner_unknown" || reason === "volume_out_of_range", `${kept} rows kept`);
    });
  }

  it("given an enhanced item with a fractional slot or a memo that is not base58, when delivered, then 200 and each is a reject (item 3: RangeError, item 2: 503 before)", async () => {
    await truncateAll(db());
    const good = fresh(1);
    const fractional = toHeliusEnhanced(fresh(1), { withInstructions: true });
    fractional.slot = 171942732.5;
    const memo = fresh(1);
    withMemo(memo, "0OIl");
    serve([good, memo].map((tx) => ({ tx, listed: signatureOf(tx), slot: tx.slot })));
    const res = await deliver([fractional, good, toHeliusEnhanced(memo, { withInstructions: true })]);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(JSON.parse(res.text), { received: 3, settlements: 1, inserted: 1, rejected: 2 });
    assert.deepEqual((await listRejects(db())).map((r) => r.reason).sort(), ["bad_instruction_data", "bad_shape"]);
  });

  const assertNoSurprise = async () => {
    const surprises = (await listRejects(db())).filter((r) => r.reason === "unexpected_parse_error");
    assert.deepEqual(surprises, [], "the parser met something it did not foresee");
  };

  it("given good and mutated getTransaction results in shared batches, when the poller passes, then the pass completes, good rows land, the cursor and the watermark advance", async () => {
    await fc.assert(
      fc.asyncProperty(batchArb, async (input) => {
        await truncateAll(db());
        const { txs, expected, mutated } = makeCase(input);
        await pollOnce(txs, expected, () => `mutated: ${JSON.stringify(mutated).slice(0, 3000)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it("given a delivery with one item of neither shape beside a good raw item, then 200, the good row lands and the odd item is a reject of its own", async () => {
    await truncateAll(db());
    const app = webhookRoutes({ sql: db(), rules, authHeader: AUTH });
    const good = fresh(1);
    const odd = fresh(1) as unknown as Record<string, unknown>;
    delete odd.meta;
    const res = await app.request("/webhooks/helius", {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body: JSON.stringify([odd, good]),
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { received: 1, settlements: 1, inserted: 1, rejected: 1 });
    assert.deepEqual(
      (await listSettlements(db())).map((r) => r.signature),
      [signatureOf(good)],
    );
    assert.deepEqual(
      (await listRejects(db())).map((r) => [r.signature, r.reason]),
      [[signatureOf(odd as unknown as Tx), "unknown_item_shape"]],
    );
  });

  it("given good and mutated raw and enhanced items in one delivery, when the webhook receives it, then 200, good rows land, the rest are rejects", async () => {
    await fc.assert(
      fc.asyncProperty(batchArb, fc.array(fc.nat({ max: 2 }), { minLength: 6, maxLength: 6 }), async (input, shapes) => {
        await truncateAll(db());
        const { txs } = makeCase(input);
        // Each transaction goes as a raw item, an enhanced item with instructions, or one without
        // (then the route fetches the raw transaction: served unmutated under the listed signature).
        const items = txs.map(({ tx }, i) => {
          const shape = shapes[i % shapes.length]!;
          if (shape === 0 || typeof tx.meta !== "object" || tx.meta === null || !Array.isArray(tx.meta.preTokenBalances)) return tx;
          try {
            return toHeliusEnhanced(tx, { withInstructions: shape === 1 });
          } catch {
            return tx; // too broken to convert: it goes raw
          }
        });
        // An enhanced item from a transaction has no owner for accounts whose balance did not change
        // (the fixture pairs debits with credits): its good rows are what parseEnhanced finds.
        const expected = txs.flatMap(({ good }, i) =>
          good
            ? rowKeys(
                items[i] === txs[i]!.tx || !Array.isArray((items[i] as { instructions?: unknown }).instructions)
                  ? parseTransaction(txs[i]!.tx, rules)
                  : parseEnhanced(items[i], rules),
              )
            : [],
        );
        serve(txs);
        const { status, text } = await deliver(items);
        assert.equal(status, 200, text);
        const stored = new Set((await listSettlements(db())).map(keyOf));
        for (const k of expected) assert.ok(stored.has(k), `good row ${k} is missing: ${text}`);
        await assertNoSurprise();
      }),
      { numRuns: RUNS },
    );
  });
});
