import assert from "node:assert/strict";
import { Keypair } from "@solana/web3.js";
import { adminRoutes } from "../indexer/src/api/admin/routes.js";
import { eventsRoutes } from "../indexer/src/api/events/routes.js";
import { signEvents, signShopify } from "../indexer/src/events/signature.js";
import { type Body, call, serveRouters, type TestApi } from "./helpers/api-app.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const TOKEN = "s3cret-admin-token-for-tests";
const wallet = () => Keypair.generate().publicKey.toBase58();
const WINDOW = 300;

describe("off-chain events ingest over HTTP: sources, signatures, replay window, dedup, batch limits", function () {
  this.timeout(60_000);
  // several connections: the concurrent posts below must really run side by side
  const db = useFreshDb({ max: 10 });
  let api: TestApi;
  let clock = Date.now();
  const auth = { authorization: `Bearer ${TOKEN}`, "x-admin-actor": "alice@ops" };
  const admin = (path: string, body?: unknown, method?: string) => call(`${api.url}/v1/admin${path}`, { body, method, headers: auth });

  /** POSTs `body` to /v1/events signed as `source` with `secret`, unless `override` changes a header. */
  const post = (source: string, secret: string, body: unknown, override: Record<string, string> = {}) => {
    const ts = String(Math.floor(clock / 1000));
    const raw = JSON.stringify(body);
    return call(`${api.url}/v1/events`, {
      body,
      headers: { "x-merit-source": source, "x-merit-timestamp": ts, "x-merit-signature": signEvents(secret, ts, raw), ...override },
    });
  };
  const addSource = async (name: string, kind = "generic", secret?: string) => {
    const r = await admin("/event-sources", { name, kind, ...(secret ? { secret } : {}) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.secret as string;
  };

  before(async () => {
    api = await serveRouters([
      { at: "/v1", router: eventsRoutes({ sql: db(), replayWindowSeconds: WINDOW, now: () => clock }) },
      { at: "/v1/admin", router: adminRoutes({ sql: db(), adminToken: TOKEN, dataDir: "/nonexistent" }) },
    ]);
  });
  after(() => api?.close());
  beforeEach(async () => {
    clock = Date.now();
    await truncateAll(db());
  });

  it("given the routers, when /openapi.json is read, then the event, Shopify and event-source routes are in it", async () => {
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const p of [
      "/v1/events",
      "/v1/events/shopify/{source}",
      "/v1/campaigns/{id}/analytics",
      "/v1/admin/event-sources",
      "/v1/admin/event-sources/{name}/rotate",
    ])
      assert.ok(p in doc.paths, `${p} is documented`);
  });

  it("given a new source, when created, then its secret is answered once: the list and the audit rows never show it", async () => {
    const secret = await addSource("shop");
    assert.match(secret, /^msec_/);
    const list = await admin("/event-sources");
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.map((s: Body) => [s.name, s.kind, s.disabledAt, s.events, "secret" in s]),
      [["shop", "generic", null, 0, false]],
    );
    const audit = await db()<
      { action: string; outcome: string; after: Body }[]
    >`select action, outcome, after from admin_audit order by id`;
    assert.deepEqual(
      audit.map((a) => [a.action, a.outcome]),
      [
        ["POST /v1/admin/event-sources", "ok"],
        ["GET /v1/admin/event-sources", "ok"],
      ],
    );
    assert.ok(!JSON.stringify(audit).includes(secret), "no audit row holds the secret");
    assert.equal((await admin("/event-sources", { name: "shop" })).status, 409);
    const bad = await admin("/event-sources", { name: "Bad Name" });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, "body.name");
  });

  it("given a signed batch, when posted, then each event is accepted once and a second post of the same keys is all duplicates", async () => {
    const secret = await addSource("app");
    const w = wallet();
    const events = [
      { wallet: w, type: "signup", key: "u-1" },
      { wallet: w, type: "api_call", key: "req-1", properties: { tier: "pro" }, value: "2500000" },
      { wallet: w, type: "api_call", key: "req-1" },
    ];
    const first = await post("app", secret, { events });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual([first.body.accepted, first.body.duplicates], [2, 1]);
    assert.deepEqual(
      first.body.results.map((r: Body) => r.status),
      ["accepted", "accepted", "duplicate"],
    );
    const again = await post("app", secret, { events });
    assert.deepEqual([again.body.accepted, again.body.duplicates], [0, 3]);
    const stored = await db()<{ type: string; properties: Body; value: bigint }[]>`select type, properties, value from events order by seq`;
    assert.deepEqual(
      stored.map((e) => [e.type, e.properties, e.value]),
      [
        ["signup", {}, 0n],
        ["api_call", { tier: "pro" }, 2_500_000n],
      ],
    );
  });

  it("given ten identical posts at once, when they race, then exactly one stores the event and the sequence has no gap a reader could skip", async () => {
    const secret = await addSource("app");
    const body = { events: [{ wallet: wallet(), type: "signup", key: "same" }] };
    const answers = await Promise.all(Array.from({ length: 10 }, () => post("app", secret, body)));
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(10).fill(200),
    );
    assert.equal(answers.filter((a) => a.body.accepted === 1).length, 1);
    assert.equal(answers.filter((a) => a.body.duplicates === 1).length, 9);
    const [n] = await db()<{ n: number }[]>`select count(*)::int as n from events`;
    assert.equal(n!.n, 1);
  });

  it("given concurrent batches of different events, when they race, then sequence numbers are unique and each batch's are consecutive", async () => {
    const secret = await addSource("app");
    const batches = Array.from({ length: 6 }, (_, b) => ({
      events: Array.from({ length: 20 }, (_, i) => ({ wallet: wallet(), type: "api_call", key: `${b}-${i}` })),
    }));
    const answers = await Promise.all(batches.map((body) => post("app", secret, body)));
    for (const a of answers) {
      const seqs = a.body.results.map((r: Body) => BigInt(r.seq));
      assert.deepEqual(
        seqs,
        seqs.map((_: bigint, i: number) => seqs[0] + BigInt(i)),
      );
    }
    const [r] = await db()<{ n: number; distinct: number }[]>`select count(*)::int as n, count(distinct seq)::int as distinct from events`;
    assert.deepEqual([r!.n, r!.distinct], [120, 120]);
  });

  it("given a bad signature, a wrong secret, an unknown or disabled source, then 401 or 403 names the header and nothing is stored", async () => {
    const secret = await addSource("app");
    const body = { events: [{ wallet: wallet(), type: "signup", key: "k" }] };
    const forged = await post("app", secret, body, { "x-merit-signature": `sha256=${"0".repeat(64)}` });
    assert.deepEqual([forged.status, forged.body.error, forged.body.field], [401, "bad_signature", "header.x-merit-signature"]);
    const wrong = await post("app", "msec_not-the-secret", body);
    assert.equal(wrong.status, 401);
    // the body changed after signing: the signature covers the raw bytes
    const ts = String(Math.floor(clock / 1000));
    const tampered = await call(`${api.url}/v1/events`, {
      body: { events: [{ wallet: wallet(), type: "signup", key: "k2" }] },
      headers: { "x-merit-source": "app", "x-merit-timestamp": ts, "x-merit-signature": signEvents(secret, ts, JSON.stringify(body)) },
    });
    assert.equal(tampered.status, 401);
    const unknown = await post("nobody", secret, body);
    assert.deepEqual([unknown.status, unknown.body.field], [401, "header.x-merit-source"]);
    assert.equal((await admin("/event-sources/app/disable", {})).status, 200);
    const disabled = await post("app", secret, body);
    assert.deepEqual([disabled.status, disabled.body.error], [403, "source_disabled"]);
    const [n] = await db()<{ n: number }[]>`select count(*)::int as n from events`;
    assert.equal(n!.n, 0);
  });

  it("given timestamps outside the replay window or malformed, then 401 names the timestamp header; inside the window it is accepted", async () => {
    const secret = await addSource("app");
    const body = () => ({ events: [{ wallet: wallet(), type: "signup", key: String(Math.random()) }] });
    const at = async (offsetSeconds: number) => {
      const ts = String(Math.floor(clock / 1000) + offsetSeconds);
      const b = body();
      return call(`${api.url}/v1/events`, {
        body: b,
        headers: { "x-merit-source": "app", "x-merit-timestamp": ts, "x-merit-signature": signEvents(secret, ts, JSON.stringify(b)) },
      });
    };
    const stale = await at(-(WINDOW + 5));
    assert.deepEqual([stale.status, stale.body.error, stale.body.field], [401, "bad_timestamp", "header.x-merit-timestamp"]);
    assert.match(stale.body.message, /outside the replay window/);
    assert.equal((await at(WINDOW + 5)).status, 401);
    assert.equal((await at(-(WINDOW - 5))).status, 200);
    const iso = await post("app", secret, body(), { "x-merit-timestamp": new Date(clock).toISOString() });
    assert.deepEqual([iso.status, iso.body.field], [401, "header.x-merit-timestamp"]);
    // a captured request replayed later: same bytes, same signature, the clock has moved past the window
    const b = body();
    const ts = String(Math.floor(clock / 1000));
    const headers = { "x-merit-source": "app", "x-merit-timestamp": ts, "x-merit-signature": signEvents(secret, ts, JSON.stringify(b)) };
    assert.equal((await call(`${api.url}/v1/events`, { body: b, headers })).status, 200);
    clock += (WINDOW + 1) * 1000;
    assert.equal((await call(`${api.url}/v1/events`, { body: b, headers })).status, 401);
  });

  it("given 1,001 events or bad fields, then 400 names the field; 1,000 events are accepted", async () => {
    const secret = await addSource("app");
    const w = wallet();
    const many = (n: number) => ({ events: Array.from({ length: n }, (_, i) => ({ wallet: w, type: "api_call", key: `k${i}` })) });
    const over = await post("app", secret, many(1001));
    assert.deepEqual([over.status, over.body.field], [400, "body.events"]);
    assert.match(over.body.message, /1000/);
    const full = await post("app", secret, many(1000));
    assert.deepEqual([full.status, full.body.accepted], [200, 1000]);
    const cases: [unknown, string][] = [
      [{ events: [{ wallet: "not-a-wallet", type: "signup", key: "a" }] }, "body.events.0.wallet"],
      [{ events: [{ wallet: w, type: "Sign Up", key: "a" }] }, "body.events.0.type"],
      [{ events: [{ wallet: w, type: "signup" }] }, "body.events.0.key"],
      [{ events: [{ wallet: w, type: "signup", key: "a", value: "1.5" }] }, "body.events.0.value"],
      [{ events: [{ wallet: w, type: "signup", key: "a", properties: { tier: { nested: true } } }] }, "body.events.0.properties.tier"],
      [{ events: [{ wallet: w, type: "signup", key: "a", extra: 1 }] }, "body.events.0"],
      [{ events: [] }, "body.events"],
    ];
    for (const [body, field] of cases) {
      const r = await post("app", secret, body);
      assert.deepEqual([r.status, r.body.field], [400, field], JSON.stringify(r.body));
    }
  });

  it("given a rotated secret, when the old one signs, then it is refused and the new one works", async () => {
    const old = await addSource("app");
    const rotated = await admin("/event-sources/app/rotate", {});
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.secret, old);
    const body = { events: [{ wallet: wallet(), type: "signup", key: "k" }] };
    assert.equal((await post("app", old, body)).status, 401);
    assert.equal((await post("app", rotated.body.secret, body)).status, 200);
    assert.equal((await admin("/event-sources/nope/rotate", {})).status, 404);
  });

  it("given a Shopify source, when orders/create arrives signed, then one purchase event is stored for the note attribute's wallet, once", async () => {
    const secret = "shpss_test-shopify-app-secret";
    await addSource("store", "shopify", secret);
    const w = wallet();
    const order = {
      id: 820982911946154500,
      order_number: 1001,
      total_price: "12.50",
      currency: "USD",
      created_at: "2026-06-01T10:00:00Z",
      note_attributes: [{ name: "merit_wallet", value: w }],
      line_items: [{}, {}],
    };
    const send = (body: unknown, hmac = signShopify(secret, JSON.stringify(body)), topic = "orders/create") =>
      call(`${api.url}/v1/events/shopify/store`, {
        body,
        headers: { "x-shopify-hmac-sha256": hmac, "x-shopify-topic": topic, "x-shopify-shop-domain": "demo.myshopify.com" },
      });
    const first = await send(order);
    assert.deepEqual([first.status, first.body.accepted, first.body.ignored], [200, 1, null]);
    assert.deepEqual([(await send(order)).body.duplicates], [1]);
    const forged = await send(order, signShopify("other", JSON.stringify(order)));
    assert.deepEqual([forged.status, forged.body.field], [401, "header.x-shopify-hmac-sha256"]);
    const noWallet = await send({ ...order, id: 2, note_attributes: [] });
    assert.equal(noWallet.status, 200);
    assert.match(noWallet.body.ignored, /names no wallet/);
    const [e] = await db()<{ wallet: string; type: string; dedup_key: string; value: bigint; properties: Body }[]>`
      select wallet, type, dedup_key, value, properties from events`;
    assert.deepEqual(
      [e!.wallet, e!.type, e!.dedup_key, e!.value, e!.properties.shop, e!.properties.items],
      [w, "purchase", "order:820982911946154500", 12_500_000n, "demo.myshopify.com", 2],
    );
    // a generic source's name on the Shopify route, or the Shopify source on /v1/events, is refused
    assert.equal((await post("store", secret, { events: [{ wallet: w, type: "x", key: "y" }] })).status, 401);
  });
});
