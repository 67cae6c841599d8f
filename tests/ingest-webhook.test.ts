import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { useFreshDb } from "./setup/db.js";
import { webhookRoutes, watchRules } from "../indexer/src/ingest/index.js";
import { listSettlements } from "../indexer/src/ingest/store/settlements.js";
import { listRejects } from "../indexer/src/ingest/store/rejects.js";
import { getRawTransaction } from "../indexer/src/ingest/store/raw-segments.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/ingest/${name}`, import.meta.url), "utf8");
const AUTH = "Bearer test-webhook-secret-0123456789";
const FOX = "FdsNQE5EeCe57tbEYCRV1JwW5dzNCof7MUTaGWhmzYqu";
const BUYER = "CKs1E69a2e9TmH4mKKLrXFF8kD3ZnwKjoEuXa6sz9WqX";
const SIG = "5nNtjezQMYBHvgSQmoRmJPiXGsPAWmJPoGSa64xanqrauogiVzFyGQhKeFataHGXq51jR2hjbzNTkPUpP787HAmL";

describe("Helius webhook route (documented payload examples, no RPC configured)", () => {
  const db = useFreshDb();
  let server: ServerType;
  let url: string;

  before(async () => {
    const app = webhookRoutes({ sql: db(), rules: watchRules({ mints: [FOX], merchants: [BUYER] }), authHeader: AUTH });
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/helius`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const post = (body: string, auth: string | null = AUTH) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(auth === null ? {} : { authorization: auth }) },
      body,
    });

  it("given the documented raw payload, when posted twice, then one settlement row exists with the block index Helius sent", async () => {
    const first = await post(fixture("helius-raw-webhook-example.json"));
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { received: 1, settlements: 1, inserted: 1, rejected: 0 });
    const again = await post(fixture("helius-raw-webhook-example.json"));
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { inserted: number }).inserted, 0);
    const rows = await listSettlements(db());
    assert.equal(rows.length, 1);
    assert.deepEqual(
      { ...rows[0], block_time: rows[0]!.block_time?.toISOString() },
      {
        signature: SIG,
        outer_index: 2,
        inner_index: 7,
        slot: 171942732n,
        tx_index: 2557,
        block_time: new Date(1673445241000).toISOString(),
        mint: FOX,
        token_program: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
        amount: "1",
        decimals: 0,
        payer: "1BWutmTvYPwDtmw9abTkS4Ssr8no61spGAvW1X6NDix",
        payee: BUYER,
        source_account: "25DTUAd1roBFoUQaxJQByL6Qy2cKQCBp4bK9sgfy9UiM",
        destination_account: "DTYuh7gAGGZg2okM7hdFfU1yMY9LUemCiPyD5Z5GCs6Z",
        fee_payer: BUYER,
        facilitator: null,
        memo: null,
        source: "helius",
      },
    );
    const raw = await getRawTransaction(db(), SIG);
    assert.equal(raw?.encoding, "helius-raw");
    assert.equal(JSON.parse(raw!.body).indexWithinBlock, 2557);
  });

  it("given a wrong or missing Authorization header, then 401 and nothing is written", async () => {
    for (const auth of [null, "Bearer wrong", AUTH + "x"]) {
      const res = await post(fixture("helius-raw-webhook-example.json").replace(SIG, "x".repeat(88)), auth);
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: string }).error, "unauthorized");
    }
    assert.equal((await listSettlements(db())).length, 1);
  });

  it("given bodies that are not Helius payloads, then 400 with a clear error, each stored for inspection", async () => {
    const cases: [string, string][] = [
      ["{not json", "malformed_json"],
      ['{"signature":"x"}', "expected_array"],
      ['[{"hello":1}]', "unknown_item_shape"],
    ];
    for (const [body, error] of cases) {
      const res = await post(body);
      assert.equal(res.status, 400, body);
      const json = (await res.json()) as { error: string; message: string };
      assert.equal(json.error, error);
      assert.ok(json.message.length > 10);
    }
    const stored = (await listRejects(db())).filter((r) => r.signature === null).map((r) => r.reason);
    assert.deepEqual(
      stored,
      cases.map((c) => c[1]),
    );
  });

  it("given the documented enhanced payload and no RPC to resolve it, then 200 and the transaction is parked as a reject, not guessed", async () => {
    const res = await post(fixture("helius-enhanced-webhook-example.json"));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { received: 1, settlements: 0, inserted: 0, rejected: 1 });
    const parked = (await listRejects(db())).find((r) => r.signature === SIG);
    assert.equal(parked?.reason, "enhanced_without_instructions");
  });

  it("given a raw transaction the parser cannot read, then 200 (redelivery would not help), a reject row with its signature, and a second delivery counts twice", async () => {
    const bad = JSON.parse(fixture("helius-raw-webhook-example.json"));
    bad[0].transaction.signatures[0] = "BadSig1111111111111111111111111111111111111111111111111111111111111111111111111111111";
    bad[0].meta.innerInstructions[2].instructions[7].data = "5TJKy"; // base58 of [3, 1, 0, 0]: a transfer cut short
    for (let i = 0; i < 2; i++) assert.equal((await post(JSON.stringify(bad))).status, 200);
    const r = (await listRejects(db())).find((x) => x.signature === bad[0].transaction.signatures[0]);
    assert.equal(r?.reason, "malformed_token_instruction");
    assert.equal(r?.seen_count, 2);
  });
});
