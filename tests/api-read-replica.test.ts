import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { connect, type Sql } from "../indexer/src/db/connection.js";
import { migrate } from "../indexer/src/db/migrate.js";
import { closeEpoch, epochDir, MANIFEST_FILE } from "../indexer/src/epochs/close.js";
import { addDistributor } from "../indexer/src/epochs/queries.js";
import { MERIT_BIN } from "./helpers/indexer-cli.js";
import { postgresBin, type ReplicatedPostgres, startReplicatedPostgres } from "./helpers/pg-replication.js";
import { RULES, settle } from "./helpers/publish-chain.js";
import { freePort } from "./helpers/stack.js";
import { publishRuleSet } from "../indexer/src/rules/rule-sets.js";

const TOKEN = "replica-test-admin-token-0123456789";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const address = () => Keypair.generate().publicKey.toBase58();

/**
 * An API replica: `merit start --roles api` with DATABASE_URL on a primary and DATABASE_READ_URL on
 * a hot standby streaming from it (pg_basebackup -R). Public reads come from the standby, admin
 * writes go to the primary, and an epoch is served only once its files are in the API's own data
 * directory (they reach a replica's host by copy, after the row has replicated).
 */
describe("API replicas: public reads from a streaming replica, writes to the primary", function () {
  this.timeout(180_000);
  let pg: ReplicatedPostgres | undefined;
  let primary: Sql;
  let replica: Sql;
  let api: ChildProcess | undefined;
  let output = "";
  let base: string;
  let publisherDir: string;
  let apiDir: string;
  let distributor: string;

  before(async function () {
    const bin = postgresBin();
    if (!bin) {
      console.log("      SKIPPED: PostgreSQL server binaries (initdb, pg_basebackup) not found; apt-get install -y postgresql");
      this.skip();
    }
    pg = await startReplicatedPostgres(bin!);
    primary = connect(pg.primaryUrl, { max: 4, name: "merit-test-primary" });
    replica = connect(pg.replicaUrl, { max: 2, name: "merit-test-replica" });
    await migrate(primary);
    publisherDir = mkdtempSync(join(tmpdir(), "merit-publisher-"));
    apiDir = mkdtempSync(join(tmpdir(), "merit-api-replica-"));
    // Given a distributor with one closed epoch, its files written on the publisher's host only
    distributor = address();
    await publishRuleSet(primary, { createdBy: "t", body: RULES });
    await addDistributor(primary, {
      address: distributor,
      mint: address(),
      conversion: { mode: "fixed", unitsPerPoint: "10", rounding: "floor" },
    });
    await settle(primary, [[Keypair.generate(), 3]]);
    await closeEpoch(primary, { distributor, dataDir: publisherDir });

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: pg.primaryUrl,
      DATABASE_READ_URL: pg.replicaUrl,
      // an RPC nobody listens on: the epoch routes read the database and the files only
      RPC_URL: `http://127.0.0.1:${await freePort()}`,
      WATCH_MINTS: address(),
      WATCH_FACILITATORS: address(),
      MERIT_DATA_DIR: apiDir,
      API_PORT: String(port),
      ADMIN_TOKEN: TOKEN,
      API_RATE_LIMIT_PER_MINUTE: "0",
    };
    delete env.MERIT_EMBEDDED_PG_URL;
    delete env.EPOCH_SCHEDULE;
    api = spawn(MERIT_BIN, ["start", "--roles", "api"], { env, stdio: ["ignore", "pipe", "pipe"] });
    api.stdout!.on("data", (d) => (output += d));
    api.stderr!.on("data", (d) => (output += d));
    const t0 = Date.now();
    while (!output.includes("is up") && api.exitCode === null && Date.now() - t0 < 60_000) await sleep(100);
    assert.match(output, /merit \(api\) is up/, output);
  });

  after(async () => {
    if (api && api.exitCode === null) {
      const exited = new Promise((r) => api!.once("exit", r));
      api.kill("SIGTERM");
      await exited;
    }
    await primary?.end();
    await replica?.end();
    pg?.stop();
    for (const d of [publisherDir, apiDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const r = await fetch(`${base}${path}`);
    return { status: r.status, text: await r.text() };
  };
  const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
    const t0 = Date.now();
    while (!(await check())) {
      if (Date.now() - t0 > ms) assert.fail(`${what} did not happen within ${ms} ms\n${output}`);
      await sleep(100);
    }
  };

  it("Given replay paused on the replica, When a distributor is added on the primary, Then the API does not know it until the replica replays it", async () => {
    const second = address();
    await replica`select pg_wal_replay_pause()`;
    try {
      await addDistributor(primary, {
        address: second,
        mint: address(),
        conversion: { mode: "fixed", unitsPerPoint: "1", rounding: "floor" },
      });
      await sleep(2500); // past the API's cache of the distributor list
      const paused = await get(`/v1/epochs?distributor=${second}`);
      assert.equal(paused.status, 404, paused.text);
      assert.match(paused.text, /unknown_distributor/);
    } finally {
      await replica`select pg_wal_replay_resume()`;
    }
    await until("the replica's distributor reaching the API", async () => (await get(`/v1/epochs?distributor=${second}`)).status === 200);
  });

  it("Given the API reads from a read-only standby, When an admin publishes a rule set, Then it lands on the primary", async () => {
    const before = (await primary<{ n: number }[]>`select count(*)::int as n from rule_sets`)[0]!.n;
    const r = await fetch(`${base}/v1/admin/rule-sets`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "x-admin-actor": "ops", "content-type": "application/json" },
      body: JSON.stringify({ body: { earn: [{ scope: { kind: "global" }, pointsPerUnit: 2000 }] } }),
    });
    assert.equal(r.status, 201, await r.text());
    // the standby refuses writes: only the primary could have taken it
    assert.equal((await primary<{ n: number }[]>`select count(*)::int as n from rule_sets`)[0]!.n, before + 1);
    const [audit] = await primary<{ action: string }[]>`select action from admin_audit order by id desc limit 1`;
    assert.equal(audit?.action, "POST /v1/admin/rule-sets");
    await assert.rejects(
      replica`insert into rule_sets (version, effective_from, after_seq, body, created_by, note) values (99, now(), 0, '{}', 'x', '')`,
      /read-only/,
    );
  });

  it("Given epoch rows replicated before their files reach the API's host, When a reader polls the whole time, Then it never sees an epoch whose files are missing, and sees each once its files are copied", async () => {
    const replicated = async (n: bigint) =>
      (await replica<{ n: number }[]>`select count(*)::int as n from epochs where distributor = ${distributor} and epoch = ${n}`)[0]!.n ===
      1;
    await until("epoch 1 replicating", () => replicated(1n));
    const listed = async () =>
      (JSON.parse((await get(`/v1/epochs?distributor=${distributor}`)).text) as { epochs: { epoch: string }[] }).epochs.map((e) => e.epoch);

    // a reader: every epoch it is shown, its files answer
    const seen: string[][] = [];
    const missing: string[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const epochs = await listed();
        seen.push(epochs);
        for (const n of epochs) {
          const m = await get(`/v1/epochs/${n}/manifest?distributor=${distributor}`);
          if (m.status !== 200) missing.push(`${n}: ${m.status} ${m.text}`);
        }
        await sleep(20);
      }
    })();

    await sleep(500);
    assert.deepEqual(await listed(), [], "epoch 1's row is on the replica but its files are not here");
    assert.equal((await get(`/v1/epochs/1?distributor=${distributor}`)).status, 404);
    cpSync(join(publisherDir, "epochs"), join(apiDir, "epochs"), { recursive: true });
    await until("epoch 1 listed", async () => (await listed()).includes("1"));

    await settle(primary, [[Keypair.generate(), 5]]);
    await closeEpoch(primary, { distributor, dataDir: publisherDir });
    await until("epoch 2 replicating", () => replicated(2n));
    await sleep(500);
    assert.deepEqual(await listed(), ["1"], "epoch 2 waits for its files");
    cpSync(epochDir(publisherDir, distributor, 2n), epochDir(apiDir, distributor, 2n), { recursive: true });
    await until("the reader shown epoch 2", async () => seen.some((s) => s.includes("2")));
    reading = false;
    await reader;

    assert.deepEqual(missing, [], "an epoch was listed whose files did not answer");
    assert.ok(
      seen.some((s) => s.length === 0) && seen.some((s) => s.length === 1) && seen.some((s) => s.length === 2),
      JSON.stringify(seen),
    );
    const manifest = await get(`/v1/epochs/2/manifest?distributor=${distributor}`);
    assert.equal(manifest.text, readFileSync(join(epochDir(publisherDir, distributor, 2n), MANIFEST_FILE), "utf8"));
  });
});
