import assert from "node:assert/strict";
import { startLocalnet, type Localnet } from "@merit/localnet";
import { useFreshDb } from "./setup/db.js";
import { UpstreamError } from "../indexer/src/errors.js";
import { RpcClient, startIngest, watchRules } from "../indexer/src/ingest/index.js";
import { listSettlements } from "../indexer/src/ingest/store/settlements.js";
import { createWorld, drainAndCompare, rulesOf, runScenario } from "./fixtures/ingest/localnet-scenario.js";
import { startFaultProxy, type Fault, type FaultProxy } from "./fixtures/ingest/fault-proxy.js";

describe("RPC failures: rate limits, 5xx, garbage, timeouts", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  let net: Localnet;
  let proxy: FaultProxy;
  const lines: string[] = [];
  const client = (o: Partial<ConstructorParameters<typeof RpcClient>[0]> = {}) =>
    new RpcClient({
      url: proxy.url,
      timeoutMs: 300,
      baseBackoffMs: 5,
      maxBackoffMs: 50,
      requestsPerSecond: 1000,
      log: (l) => lines.push(l),
      ...o,
    });

  before(async () => {
    net = await startLocalnet({ port: 0 });
    proxy = await startFaultProxy(net.url);
  });
  after(async () => {
    await proxy?.close();
    await net?.stop();
  });
  beforeEach(() => {
    proxy.queue = [];
    proxy.fallback = () => "ok";
    proxy.seen.length = 0;
    lines.length = 0;
  });

  it("given 429, 503, an HTML page, a truncated body and a hang, then each is retried with backoff and logged, and the real answer arrives", async () => {
    proxy.queue = ["429", "503", "garbage", "truncated", "hang"];
    const rpc = client();
    const slot = await rpc.call<number>("getSlot", []);
    assert.equal(typeof slot, "number");
    assert.deepEqual(
      proxy.seen.map((s) => s.fault),
      ["429", "503", "garbage", "truncated", "hang", "ok"],
    );
    assert.equal(rpc.stats.retries, 5);
    for (const pattern of [/HTTP 429/, /HTTP 503/, /not JSON/, /not JSON/, /timed out/])
      assert.ok(
        lines.some((l) => pattern.test(l)),
        `${pattern} in ${lines.join("\n")}`,
      );
  });

  it("given an RPC that keeps failing, then a typed retryable UpstreamError after the retry budget", async () => {
    proxy.fallback = () => "503";
    const rpc = client({ maxRetries: 3 });
    await assert.rejects(
      rpc.call("getSlot", []),
      (e: unknown) => e instanceof UpstreamError && e.retryable && e.code === "rpc_server_error" && e.kind === "upstream",
    );
    assert.equal(proxy.seen.length, 4);
    assert.equal(rpc.stats.failures, 1);
  });

  it("given a JSON-RPC error the node means (unknown method), then a non-retryable UpstreamError at once", async () => {
    const rpc = client();
    await assert.rejects(
      rpc.call("noSuchMethod", []),
      (e: unknown) => e instanceof UpstreamError && !e.retryable && e.code === "rpc_error" && /-32601/.test(e.message),
    );
    assert.equal(proxy.seen.length, 1);
  });

  it("given a budget of 10 requests/s and 2 in flight, then 30 calls respect both", async () => {
    const slow = await startFaultProxy(net.url, { delayMs: 30 });
    try {
      const rpc = new RpcClient({ url: slow.url, requestsPerSecond: 10, maxConcurrency: 2 });
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 30 }, () => rpc.call("getSlot", [])));
      const seconds = (performance.now() - t0) / 1000;
      // A full bucket of 10, then 20 more at 10/s: at least ~2 s.
      assert.ok(seconds >= 1.8, `30 calls took ${seconds.toFixed(2)} s`);
      assert.ok(slow.maxInFlight <= 2, `max in flight ${slow.maxInFlight}`);
    } finally {
      await slow.close();
    }
  });

  it("given a flaky RPC (a third of requests fail in random ways), then the poller still ingests each settlement exactly once", async () => {
    const world = await createWorld(net.url);
    const scenario = await runScenario(world);
    const faults: Fault[] = ["429", "503", "garbage", "truncated", "hang"];
    proxy.fallback = () => (Math.random() < 0.33 ? faults[Math.floor(Math.random() * faults.length)]! : "ok");
    const log: string[] = [];
    const handle = await startIngest({
      sql: db(),
      rpcUrl: proxy.url,
      rules: watchRules(rulesOf(world)),
      pollIntervalMs: 50,
      batchSize: 2,
      rpc: { timeoutMs: 300, baseBackoffMs: 5, maxBackoffMs: 50, maxRetries: 2, requestsPerSecond: 1000 },
      log: (l) => log.push(l),
    });
    const { stored, expected } = await drainAndCompare(handle, scenario.expected, () => listSettlements(db()));
    assert.deepEqual(stored, expected);
    assert.ok(
      proxy.seen.some((s) => s.fault !== "ok"),
      "no fault was injected",
    );
    assert.ok(
      log.some((l) => /retry/.test(l)),
      "retries are logged",
    );
  });
});
