import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { startLocalnet, type Localnet } from "@merit/localnet";
import { useFreshDb } from "./setup/db.js";
import { RpcClient, startIngest, watchRules } from "../indexer/src/ingest/index.js";
import { listSettlements } from "../indexer/src/ingest/store/settlements.js";
import { createWorld, drainAndCompare, rulesOf, runScenario } from "./fixtures/ingest/localnet-scenario.js";
import { freePort } from "./helpers/stack.js";

/**
 * RPC fallbacks (`rpc.urls` in the config file, RPC_FALLBACK_URLS): two local endpoints in front of
 * the real chain, the first dead (nothing listens, or it answers 503), and ingest still gets every
 * settlement exactly once through the second.
 */
describe("RPC fallback URLs: the client moves to the next URL when one is down", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  let net: Localnet;
  let down: Server;
  let downUrl = "";
  let deadUrl = "";

  before(async () => {
    net = await startLocalnet({ port: 0 });
    // A server that is up but broken, and a port nobody listens on.
    down = createServer((_req, res) => res.writeHead(503).end("maintenance"));
    await new Promise<void>((r) => down.listen(0, "127.0.0.1", r));
    downUrl = `http://127.0.0.1:${(down.address() as { port: number }).port}`;
    deadUrl = `http://127.0.0.1:${await freePort()}`;
  });
  after(async () => {
    await new Promise((r) => down?.close(r));
    await net?.stop();
  });

  it("given a first URL nobody listens on, when a call is made, then it is answered by the fallback at once (no backoff, no retry spent) and the switch is logged", async () => {
    const lines: string[] = [];
    const rpc = new RpcClient({ url: deadUrl, fallbackUrls: [net.url], maxRetries: 0, baseBackoffMs: 60_000, log: (l) => lines.push(l) });
    const t0 = Date.now();
    assert.equal(typeof (await rpc.call<number>("getSlot", [])), "number");
    assert.ok(Date.now() - t0 < 5_000, "waited as if backing off");
    assert.equal(rpc.url, net.url);
    assert.equal(rpc.stats.failovers, 1);
    assert.equal(rpc.stats.retries, 0);
    assert.match(lines.join("\n"), new RegExp(`rpc ${deadUrl} failed .*switching to ${net.url}`));
    // Then: later calls go straight to the URL that answered
    await rpc.call("getSlot", []);
    assert.equal(rpc.stats.failovers, 1);
  });

  it("given no fallback, when the only URL is dead, then the call fails as before (retryable, after the retry budget)", async () => {
    const rpc = new RpcClient({ url: deadUrl, maxRetries: 1, baseBackoffMs: 5, maxBackoffMs: 10 });
    await assert.rejects(rpc.call("getSlot", []), { code: "rpc_unreachable" });
    assert.equal(rpc.stats.failovers, 0);
  });

  it("given a first URL answering 503 and a second dead one, when ingest polls with the chain third, then every settlement is stored exactly once", async () => {
    const world = await createWorld(net.url);
    const scenario = await runScenario(world);
    const log: string[] = [];
    const handle = await startIngest({
      sql: db(),
      rpcUrl: downUrl,
      rules: watchRules(rulesOf(world)),
      pollIntervalMs: 50,
      batchSize: 2,
      rpc: {
        fallbackUrls: [deadUrl, net.url],
        timeoutMs: 1000,
        baseBackoffMs: 5,
        maxBackoffMs: 50,
        maxRetries: 2,
        requestsPerSecond: 1000,
      },
      log: (l) => log.push(l),
    });
    const { stored, expected } = await drainAndCompare(handle, scenario.expected, () => listSettlements(db()));
    assert.deepEqual(stored, expected);
    assert.ok(
      log.some((l) => l.includes(`switching to ${net.url}`)),
      `no switch to the chain logged:\n${log.join("\n")}`,
    );
  });
});
