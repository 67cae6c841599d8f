import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { startLocalnet, type Localnet } from "@merit/localnet";
import { useFreshDb } from "./setup/db.js";
import { truncateAll } from "./setup/db.js";
import { getIngestWatermark, startIngest, webhookRoutes, watchRules, RpcClient, type WatchRules } from "../indexer/src/ingest/index.js";
import { listSettlements, type StoredSettlement } from "../indexer/src/ingest/store/settlements.js";
import { listRejects } from "../indexer/src/ingest/store/rejects.js";
import type { RpcTransaction } from "../indexer/src/ingest/types.js";
import { replayRawTransactions } from "../indexer/src/ingest/sources/reparse.js";
import { createWorld, rulesOf, runScenario, type ExpectedSettlement, type World } from "./fixtures/ingest/localnet-scenario.js";
import { toHeliusEnhanced, toHeliusRaw } from "./fixtures/ingest/helius-payloads.js";

const AUTH = "local-test-webhook-secret-123456";
const withoutSource = (rows: StoredSettlement[]) => rows.map(({ source: _s, ...r }) => r);

describe("Ingest from the local chain over HTTP", function () {
  this.timeout(180_000);
  const db = useFreshDb();
  let net: Localnet;
  let world: World;
  let rules: WatchRules;
  let scenario: Awaited<ReturnType<typeof runScenario>>;
  let rpc: RpcClient;
  let polled: StoredSettlement[];

  before(async () => {
    net = await startLocalnet({ port: 0 });
    world = await createWorld(net.url);
    rules = watchRules(rulesOf(world));
    scenario = await runScenario(world);
    rpc = new RpcClient({ url: net.url, requestsPerSecond: 1000 });
  });
  after(async () => {
    await net?.stop();
  });

  const fetchTx = (sig: string) =>
    rpc.call<RpcTransaction>("getTransaction", [sig, { encoding: "json", maxSupportedTransactionVersion: 0 }]);
  const blockIndexOf = async (slot: number, sig: string) =>
    (
      await rpc.call<{ signatures: string[] }>("getBlock", [slot, { transactionDetails: "signatures", maxSupportedTransactionVersion: 0 }])
    ).signatures.indexOf(sig);

  async function pollOnce(): Promise<void> {
    const handle = await startIngest({ sql: db(), rpcUrl: net.url, rules, pollIntervalMs: 50, batchSize: 3 });
    const t0 = Date.now();
    while (handle.stats().cycles < 1) {
      if (Date.now() - t0 > 60_000) throw new Error(`poller made no full pass: ${JSON.stringify(handle.stats())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await handle.stop();
    assert.equal(handle.stats().rpcErrors, 0, handle.stats().lastError ?? "");
    assert.doesNotThrow(() => JSON.stringify(handle.stats()), "stats() is served as JSON by /health");
  }

  it("given real transfers, when the poller runs, then each settlement is ingested once with its chain position, and failed or non-matching transfers are not", async () => {
    await pollOnce();
    polled = await listSettlements(db());
    const key = (r: { signature: string; outer_index: number; inner_index: number }) => `${r.signature}/${r.outer_index}/${r.inner_index}`;
    const expected = [...scenario.expected].sort((a, b) => key(a).localeCompare(key(b)));
    const got = [...polled].sort((a, b) => key(a).localeCompare(key(b)));
    const pick = (r: StoredSettlement): ExpectedSettlement => ({
      signature: r.signature,
      outer_index: r.outer_index,
      inner_index: r.inner_index,
      mint: r.mint,
      token_program: r.token_program,
      amount: r.amount,
      decimals: r.decimals,
      payer: r.payer,
      payee: r.payee,
      fee_payer: r.fee_payer,
      facilitator: r.facilitator,
      memo: r.memo,
    });
    assert.deepEqual(got.map(pick), expected);
    for (const r of polled) {
      const tx = await fetchTx(r.signature);
      assert.equal(r.slot, BigInt(tx.slot));
      assert.equal(r.tx_index, await blockIndexOf(tx.slot, r.signature));
      assert.equal(r.block_time?.getTime(), tx.blockTime! * 1000);
      assert.equal(r.source, "rpc");
    }
    assert.ok(!polled.some((r) => scenario.failed.includes(r.signature)));
    assert.deepEqual(await listRejects(db()), []);
    // every slot below the head at the pass is complete; the head's own block may still be open
    const watermark = await getIngestWatermark(db());
    assert.ok(
      watermark !== undefined && watermark >= polled.reduce((m, r) => (r.slot > m ? r.slot : m), 0n) - 1n,
      `watermark ${watermark}`,
    );
  });

  it("given the same chain, when the poller runs again with and without its cursors, then nothing is duplicated", async () => {
    await pollOnce();
    assert.deepEqual(await listSettlements(db()), polled);
    await db()`delete from ingest_cursors`;
    await pollOnce();
    assert.deepEqual(await listSettlements(db()), polled);
  });

  it("given the stored raw transactions, when settlements are lost and replayed, then the same rows return with source replay", async () => {
    await db()`delete from settlements`;
    const stats = await replayRawTransactions(db(), rules);
    assert.equal(stats.settlementsInserted, polled.length);
    const rows = await listSettlements(db());
    assert.deepEqual(withoutSource(rows), withoutSource(polled));
    assert.ok(rows.every((r) => r.source === "replay"));
    assert.equal((await replayRawTransactions(db(), rules)).settlementsInserted, 0);
  });

  async function deliver(items: unknown[], withRpc: boolean): Promise<StoredSettlement[]> {
    await truncateAll(db());
    const app = webhookRoutes({ sql: db(), rules, authHeader: AUTH, ...(withRpc ? { rpcUrl: net.url } : {}) });
    const server: ServerType = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/helius`;
      // Helius batches several transactions per POST; deliver in pairs, then everything again.
      for (const round of [0, 1]) {
        for (let i = 0; i < items.length; i += 2) {
          const res = await fetch(url, {
            method: "POST",
            headers: { authorization: AUTH, "content-type": "application/json" },
            body: JSON.stringify(items.slice(i, i + 2)),
          });
          assert.equal(res.status, 200, `round ${round}: ${await res.text()}`);
        }
      }
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    assert.deepEqual(await listRejects(db()), []);
    return listSettlements(db());
  }

  it("given the same transactions as Helius raw webhook payloads (failed one included), then the rows are identical", async () => {
    const items = [];
    for (const sig of scenario.signatures) {
      const tx = await fetchTx(sig);
      items.push(toHeliusRaw(tx, await blockIndexOf(tx.slot, sig)));
    }
    const rows = await deliver(items, false);
    assert.deepEqual(withoutSource(rows), withoutSource(polled));
    assert.ok(rows.every((r) => r.source === "helius"));
  });

  it("given them as enhanced payloads carrying instructions, then the rows are identical (tx_index resolved over RPC)", async () => {
    const items = [];
    for (const sig of scenario.signatures) {
      if (scenario.failed.includes(sig)) continue; // Helius does not send failed transactions as enhanced
      items.push(toHeliusEnhanced(await fetchTx(sig), { withInstructions: true }));
    }
    assert.deepEqual(withoutSource(await deliver(items, true)), withoutSource(polled));
  });

  it("given them as enhanced payloads in the documented shape (no instructions), then the raw transaction is fetched and the rows are identical", async () => {
    const items = [];
    for (const sig of scenario.signatures) {
      if (!scenario.failed.includes(sig)) items.push(toHeliusEnhanced(await fetchTx(sig), { withInstructions: false }));
    }
    assert.deepEqual(withoutSource(await deliver(items, true)), withoutSource(polled));
  });
});
