import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { startLocalnet, type Localnet } from "@merit/localnet";
import { freshDb, truncateAll } from "./setup/db.js";
import { RpcClient } from "../indexer/src/ingest/rpc/client.js";
import type { RpcTransaction } from "../indexer/src/ingest/types.js";
import { toHeliusRaw } from "./fixtures/ingest/helius-payloads.js";
import { connect, type Sql } from "../indexer/src/db/connection.js";
import { migrate } from "../indexer/src/db/migrate.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "./fixtures/ingest/throwaway-postgres.js";
import { countSettlements, listSettlements } from "../indexer/src/ingest/store/settlements.js";
import { createWorld, rulesOf, sendFacilitated, type ExpectedSettlement } from "./fixtures/ingest/localnet-scenario.js";
import { MERIT_BIN } from "./helpers/indexer-cli.js";

/**
 * Exactly once under kill -9: the real `run` command polls the local chain in a child process
 * that is killed with SIGKILL at random moments (during start-up, between fetch and commit,
 * between batches), restarted each time, and finally left to finish. The table must then hold
 * exactly the expected settlements: none lost, none twice.
 */
const SETTLEMENTS = 120;
const AUTH = "crash-test-webhook-secret-0123456789";
const KILLS = 6;

describe("Ingest under kill -9", function () {
  this.timeout(600_000);
  // Processes killed mid-transaction and several writers at once need a real server: PGlite
  // serves one session at a time over its socket. Without DATABASE_URL a throwaway cluster runs.
  let pg: ThrowawayPostgres | undefined;
  let sql: Sql;
  const db = () => sql;
  let net: Localnet;
  let expected: ExpectedSettlement[];
  let env: NodeJS.ProcessEnv;
  const logs: string[] = [];

  before(async () => {
    if (process.env.MERIT_TEST_EMBEDDED_PG === "1") {
      pg = await startThrowawayPostgres();
      sql = connect(pg.url, { max: 2, name: "merit-crash-test" });
      await migrate(sql);
    } else {
      sql = await freshDb({ max: 2 });
    }
    net = await startLocalnet({ port: 0 });
    const world = await createWorld(net.url, { payers: 4 });
    expected = [];
    for (let i = 0; i < SETTLEMENTS; i++) {
      const payer = world.payers[i % world.payers.length]!;
      const merchant = world.merchants[i % 2]!.publicKey;
      expected.push((await sendFacilitated(world, payer, merchant, BigInt(1000 + i), i % 3 === 0 ? `x402:crash/${i}` : null)).expected);
    }
    const rules = rulesOf(world);
    env = {
      ...process.env,
      RPC_URL: net.url,
      DATABASE_URL: pg?.url ?? process.env.DATABASE_URL,
      WATCH_MINTS: rules.mints.join(","),
      WATCH_FACILITATORS: rules.facilitators.join(","),
      WATCH_MERCHANTS: rules.merchants.join(","),
      // Small batches and a tight request budget stretch ingestion over seconds, so random kills
      // land in the middle of it rather than before or after.
      INGEST_BATCH_SIZE: "2",
      RPC_REQUESTS_PER_SECOND: "25",
      RPC_MAX_CONCURRENCY: "2",
      POLL_INTERVAL_MS: "100",
    };
  });
  after(async () => {
    await net?.stop();
    await sql?.end();
    pg?.stop();
  });

  const start = (): ChildProcess => {
    const child = spawn(MERIT_BIN, ["ingest", "run"], { env, stdio: ["ignore", "ignore", "pipe"], detached: true });
    child.stderr!.on("data", (d) => logs.push(String(d)));
    return child;
  };
  // npx -> tsx -> node: kill the whole process group, like a machine losing power.
  const kill9 = async (child: ChildProcess) => {
    const exited = new Promise((r) => child.once("exit", r));
    process.kill(-child.pid!, "SIGKILL");
    await exited;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("given random SIGKILLs and restarts, then the table equals the expected set exactly", async () => {
    const killedAt: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const before = await countSettlements(db());
      const child = start();
      // Half the kills wait for progress past a random count (mid-ingest); the others fire at a
      // random time, which may be during start-up or listing.
      if (k % 2 === 0) {
        const target = before + 1 + Math.floor(Math.random() * 12);
        const t0 = Date.now();
        while ((await countSettlements(db())) < target && Date.now() - t0 < 60_000) await sleep(20 + Math.random() * 40);
        await sleep(Math.random() * 150);
      } else {
        // Random time: from start-up (tsx loading, listing) into the first batches.
        await sleep(500 + Math.random() * 5000);
      }
      await kill9(child);
      killedAt.push(await countSettlements(db()));
    }
    const child = start();
    const t0 = Date.now();
    while ((await countSettlements(db())) < expected.length && Date.now() - t0 < 120_000) await sleep(100);
    await sleep(1500); // a full extra pass: nothing more may appear
    await kill9(child);

    const key = (r: { signature: string; outer_index: number; inner_index: number }) => `${r.signature}/${r.outer_index}/${r.inner_index}`;
    const rows = await listSettlements(db());
    const got = rows.map((r) => `${key(r)} ${r.amount} ${r.payer} ${r.payee} ${r.memo}`).sort();
    const want = expected.map((e) => `${key(e)} ${e.amount} ${e.payer} ${e.payee} ${e.memo}`).sort();
    assert.ok(
      killedAt.some((n, i) => n > 0 && n < expected.length && (i === 0 || n > killedAt[i - 1]!)),
      `no kill landed mid-ingest: ${killedAt}\n${logs.join("")}`,
    );
    assert.deepEqual(got, want, logs.join(""));
    console.log(`      killed at ${killedAt.join(", ")} of ${expected.length} settlements`);
  });

  it("given the webhook server killed with SIGKILL mid-delivery and Helius redelivering what was not acknowledged, then every acknowledged payload is committed and the table equals the expected set", async () => {
    await truncateAll(sql);
    const rpc = new RpcClient({ url: net.url, requestsPerSecond: 1000 });
    const items: unknown[] = [];
    for (const e of expected) {
      const tx = await rpc.call<RpcTransaction>("getTransaction", [e.signature, { encoding: "json", maxSupportedTransactionVersion: 0 }]);
      const block = await rpc.call<{ signatures: string[] }>("getBlock", [tx.slot, { transactionDetails: "signatures" }]);
      items.push(toHeliusRaw(tx, block.signatures.indexOf(e.signature)));
    }
    const payloads: unknown[][] = [];
    for (let i = 0; i < items.length; i += 3) payloads.push(items.slice(i, i + 3));
    const whEnv = { ...env, HELIUS_WEBHOOK_AUTH: AUTH };
    const startServer = async (): Promise<{ child: ChildProcess; url: string }> => {
      const child = spawn("npx", ["tsx", "tests/fixtures/ingest/webhook-server.ts"], {
        env: whEnv,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      child.stderr!.on("data", (d) => logs.push(String(d)));
      const port = await new Promise<string>((resolve, reject) => {
        child.stdout!.on("data", (d) => {
          const m = /listening (\d+)/.exec(String(d));
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`webhook server exited ${code}: ${logs.join("")}`)));
      });
      return { child, url: `http://127.0.0.1:${port}/webhooks/helius` };
    };
    const acknowledged = new Set<number>();
    let kills = 0;
    while (acknowledged.size < payloads.length) {
      const { child, url } = await startServer();
      // Like Helius: deliver every unacknowledged payload in order, one request at a time, while a
      // timer kills the server at a random moment (except on the last life, which must finish).
      // The kill fires a random 0-25 ms into the request after a random number of acknowledged
      // ones, i.e. while the route parses, writes or commits (or just after it answered).
      const killAt = kills < KILLS ? Math.floor(Math.random() * 6) : -1;
      let served = 0;
      let killer: NodeJS.Timeout | undefined;
      for (let i = 0; i < payloads.length; i++) {
        if (acknowledged.has(i)) continue;
        if (served++ === killAt) killer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), Math.random() * 25);
        try {
          const res = await fetch(url, {
            method: "POST",
            headers: { authorization: AUTH, "content-type": "application/json" },
            body: JSON.stringify(payloads[i]),
          });
          if (res.status === 200) acknowledged.add(i);
        } catch {
          break; // connection refused or reset: the server died; Helius will retry later
        }
        if (killer) {
          await new Promise((r) => setTimeout(r, 30));
          break; // this life is over: the server was killed during or right after that request
        }
      }
      clearTimeout(killer);
      if (child.exitCode === null && child.signalCode === null) await kill9(child);
      kills++;
      // 2xx only after commit: everything acknowledged so far must already be in the table.
      const have = new Set((await listSettlements(db())).map((r) => r.signature));
      for (const i of acknowledged)
        for (const item of payloads[i]!)
          assert.ok(have.has((item as RpcTransaction).transaction.signatures[0]!), "an acknowledged payload is missing");
    }
    const got = (await listSettlements(db()))
      .map((r) => `${r.signature}/${r.outer_index}/${r.inner_index} ${r.amount} ${r.tx_index >= 0}`)
      .sort();
    const want = expected.map((e) => `${e.signature}/${e.outer_index}/${e.inner_index} ${e.amount} true`).sort();
    assert.deepEqual(got, want);
    assert.ok(kills > 1, "the server was never killed mid-delivery");
    console.log(`      webhook server killed ${kills - 1} times`);
  });
});
