import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Keypair } from "@solana/web3.js";
import { closeEpoch } from "../indexer/src/epochs/close.js";
import { registry } from "../indexer/src/metrics/index.js";
import { type PublishContext, publishEpoch } from "../indexer/src/publish/publish.js";
import { checkVaults } from "../indexer/src/publish/vault.js";
import { type ChainDistributor, configure, createDistributor, publishContext, settle, usePublishSuite } from "./helpers/publish-chain.js";
import { fundedKeypair } from "./helpers/localnet.js";
import { call, serveRouters } from "./helpers/api-app.js";
import { adminRoutes } from "../indexer/src/api/admin/routes.js";

const TOKEN = "s3cret-admin-token-for-tests";

describe("vault monitoring: a vault short of what it owes plus the next epoch warns (development chain, Postgres)", function () {
  this.timeout(120_000);
  const suite = usePublishSuite();
  const { chain, db } = suite;
  let d: ChainDistributor;
  let ctx: PublishContext;
  let alice: Keypair;
  let server: Server;
  let webhookUrl: string;
  const posts: Record<string, string>[] = [];
  const lines: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        posts.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alert`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  beforeEach(async () => {
    posts.length = 0;
    lines.length = 0;
    const { connection } = chain();
    // Given: a vault of 100 base units (10 points at 10 base units each)
    d = await createDistributor(connection, { fund: 100n });
    await configure(db(), d);
    alice = await fundedKeypair(connection);
    ctx = publishContext(db(), connection, suite.dataDir(), d.publisher, { log: (l) => lines.push(l) });
  });

  const distributor = () => d.address.toBase58();
  const check = (alerted?: Map<string, bigint>) =>
    checkVaults({ sql: db(), connection: chain().connection, program: d.program, webhookUrl, log: (l) => lines.push(l) }, alerted);
  const gauge = async () => {
    const m = (await registry.getSingleMetric("merit_vault_shortfall")!.get()).values.find((v) => v.labels.distributor === distributor());
    return m?.value;
  };

  it("given epoch 1 on-chain and a vault short of it plus the same growth again, then a warning in the log, the metric and one webhook post; a closed epoch it cannot cover is refused unless forced", async () => {
    // Given: epoch 1 owes 60 (6 units) and is on-chain; the last epoch's growth (60) is the expected next amount
    await settle(db(), [[alice, 6]]);
    await closeEpoch(db(), { distributor: distributor(), dataDir: suite.dataDir() });
    assert.equal((await publishEpoch(ctx, { distributor: distributor() })).outcome, "proposed");
    const [ok] = await check();
    assert.deepEqual(
      [ok!.outstanding, ok!.nextExpected, ok!.nextSource, ok!.shortfall],
      [60n, 60n, "last_growth", 20n],
      "60 owed + 60 expected > 100 held",
    );
    assert.equal(posts.length, 1, "the webhook hears of the shortfall");
    assert.equal(posts[0]!.alert, "vault_short");
    assert.equal(posts[0]!.shortfall, "20");
    assert.match(lines.join("\n"), /WARNING: vault of \w+ is short by 20: it holds 100, claimants can still claim 60/);
    assert.equal(await gauge(), 20);

    // When: the same shortfall is seen again, then no second post (the log and metric keep it)
    const alerted = new Map([[distributor(), 20n]]);
    await check(alerted);
    assert.equal(posts.length, 1);

    // When: epoch 2 is closed with 5 more units (50), then the closed epoch is the expected amount
    await settle(db(), [[alice, 5]]);
    await closeEpoch(db(), { distributor: distributor(), dataDir: suite.dataDir() });
    const [short] = await check(alerted);
    assert.deepEqual([short!.nextExpected, short!.nextSource, short!.shortfall], [50n, "closed_epoch", 10n]);
    assert.equal(posts.length, 1, "a smaller shortfall than the one alerted is not posted again");

    // Then: the publisher refuses epoch 2 (110 owed > 100 held) unless forced
    await assert.rejects(
      publishEpoch(ctx, { distributor: distributor() }),
      /vault_uncovered|holds 100 but the new outstanding obligation is 110/,
    );
    const forced = await publishEpoch(ctx, { distributor: distributor(), force: true });
    assert.equal(forced.outcome, "proposed");
  });

  it("given a vault that cannot cover the next root, then the admin route refuses to publish naming vault_uncovered, and publishes with force: true", async () => {
    await settle(db(), [[alice, 12]]);
    await closeEpoch(db(), { distributor: distributor(), dataDir: suite.dataDir() });
    const { sql: _sql, ...publisher } = ctx;
    const api = await serveRouters([
      { at: "/v1/admin", router: adminRoutes({ sql: db(), adminToken: TOKEN, dataDir: suite.dataDir(), publisher }) },
    ]);
    try {
      const headers = { authorization: `Bearer ${TOKEN}`, "x-admin-actor": "ops" };
      const refused = await call(`${api.url}/v1/admin/epochs/publish`, { body: { distributor: distributor() }, headers });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, "vault_uncovered");
      assert.match(refused.body.message, /holds 100 but the new outstanding obligation is 120/);
      const bad = await call(`${api.url}/v1/admin/epochs/publish`, { body: { distributor: distributor(), force: "yes" }, headers });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, "body.force");
      const forced = await call(`${api.url}/v1/admin/epochs/publish`, { body: { distributor: distributor(), force: true }, headers });
      assert.equal(forced.status, 200);
      assert.equal(forced.body.outcome, "proposed");
      assert.match(lines.join("\n"), /--force: the vault \w+ holds 100/);
    } finally {
      await api.close();
    }
  });

  it("given a vault funded above what it owes and the next epoch, then the shortfall is 0 and nothing is posted", async () => {
    await settle(db(), [[alice, 3]]);
    await closeEpoch(db(), { distributor: distributor(), dataDir: suite.dataDir() });
    await publishEpoch(ctx, { distributor: distributor() });
    const [c] = await check();
    assert.deepEqual([c!.outstanding, c!.nextExpected, c!.shortfall], [30n, 30n, 0n]);
    assert.equal(posts.length, 0);
    assert.equal(await gauge(), 0);
    assert.doesNotMatch(lines.join("\n"), /WARNING/);
  });
});
