import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Connection, PublicKey } from "@solana/web3.js";
import { decodeEpochRoot, decodeEvents } from "@merit/clients/chain";
import { epochRootPda } from "@merit/clients/idl";
import { startLocalnet } from "@merit/localnet";
import { connect, type Sql } from "../indexer/src/db/connection.js";
import { migrate } from "../indexer/src/db/migrate.js";
import { DATASET_FILE, epochDir, MANIFEST_FILE } from "../indexer/src/epochs/close.js";
import { listDistributors, listEpochs } from "../indexer/src/epochs/queries.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "./fixtures/ingest/throwaway-postgres.js";
import { freshDb } from "./setup/db.js";
import { meritIn } from "./helpers/indexer-cli.js";
import { freePort, type Stack, startStack } from "./helpers/stack.js";
import { rng } from "../scripts/bench-engine-data.js";

/**
 * The whole local stack under kill -9: `npm start`'s daemon (ingest, scoring, epoch close and
 * publishing, the local chain with demo traffic, all in one process) on a real PostgreSQL is
 * SIGKILLed at seeded random moments — during start-up, while ingesting and scoring, at the
 * scheduled epoch close, and between sending a proposal and seeing it confirmed — and restarted on
 * the same data directory and database (the chain keeps its history in the data directory). Then:
 * every settlement on the chain is in the table exactly once, the ledger equals a replay, each
 * epoch was proposed once, and every published epoch passes `merit verify`.
 */
const SEED = 0x5eed17;
/** Kill points, in order; the RNG picks the moment within each. */
const KILLS = ["startup", "running", "close", "publish", "running", "publish", "close", "startup"] as const;
/** Close often, so a close and a publish fall inside each short life. */
const SCHEDULE_SECONDS = 5;
/** The publisher's pause after sending a proposal (env.ts PUBLISH_TEST_PAUSE_AFTER_SEND_MS): the send-to-confirm window. */
const PAUSE_AFTER_SEND_MS = 1200;
/** The local chain's blockhash validity: 150 slots of 400 ms (tools/localnet/src/blocks.ts), and a margin. */
const BLOCKHASH_EXPIRY_SECONDS = 70;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Life = Stack & { startedAt: number };

interface HistoryTx {
  signature: string;
  slot: number;
  accountKeys: string[];
  meta: { err: unknown; logMessages: string[] };
}

describe("the whole pipeline under kill -9 (npm start: ingest, scoring, epoch close, publishing)", function () {
  this.timeout(360_000);
  let pg: ThrowawayPostgres | undefined;
  let sql: Sql;
  let dbUrl = "";
  let dataDir = "";
  let life: Life | undefined;
  const outputs: string[] = [];

  before(async () => {
    // SIGKILL mid-transaction and a second process at once need a real server, not PGlite.
    if (process.env.MERIT_TEST_EMBEDDED_PG === "1") {
      pg = await startThrowawayPostgres();
      dbUrl = pg.url;
      sql = connect(dbUrl, { max: 2, name: "merit-pipeline-crash" });
      await migrate(sql);
    } else {
      dbUrl = process.env.DATABASE_URL!;
      sql = await freshDb({ max: 2 });
    }
    dataDir = await mkdtemp(join(tmpdir(), "merit-pipeline-crash-"));
  });
  after(async () => {
    if (life && life.child.exitCode === null && life.child.signalCode === null) life.child.kill("SIGKILL");
    await sql?.end();
    pg?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const start = async (): Promise<Life> => {
    const stack = startStack(dataDir, await freePort(), {
      DATABASE_URL: dbUrl,
      POLL_INTERVAL_MS: "500",
      EPOCH_SCHEDULE: `every ${SCHEDULE_SECONDS}s`,
      PUBLISH_TEST_PAUSE_AFTER_SEND_MS: String(PAUSE_AFTER_SEND_MS),
      LOG_FORMAT: "json",
    });
    const i = outputs.push("") - 1;
    stack.child.once("exit", () => (outputs[i] = stack.output()));
    return { ...stack, startedAt: Date.now() };
  };
  const all = () => outputs.map((o, i) => `--- life ${i + 1} ---\n${o || life?.output() || ""}`).join("\n");
  const waitFor = async (l: Life, re: RegExp, ms: number): Promise<RegExpExecArray> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = re.exec(l.output());
      if (m) return m;
      assert.ok(l.child.exitCode === null && l.child.signalCode === null, `the daemon exited early:\n${all()}`);
      assert.ok(Date.now() < deadline, `no line matching ${re} in ${ms} ms:\n${all()}`);
      await sleep(25);
    }
  };
  const kill9 = async (l: Life) => {
    if (l.child.exitCode !== null || l.child.signalCode !== null) return;
    const exited = new Promise((r) => l.child.once("exit", r));
    l.child.kill("SIGKILL");
    await exited;
  };

  it("given seeded random SIGKILLs and restarts on one data directory and database, then no settlement is lost or doubled, the ledger replays, each epoch is proposed once and every published epoch verifies", async () => {
    const random = rng(SEED);
    const between = (lo: number, hi: number) => lo + random() * (hi - lo);
    const landed: string[] = [];
    for (const point of KILLS) {
      life = await start();
      if (point === "startup") {
        // migrations, the chain replaying its history, the demo world, the distributor
        await sleep(between(300, 3000));
      } else {
        await waitFor(life, /merit local stack is up/, 60_000);
        if (point === "running") await sleep(between(200, 3000));
        else if (point === "close") {
          const [, next] = await waitFor(life, /epochs: daemon started; next close (\S+?)"/, 5_000);
          await sleep(Math.max(0, Date.parse(next!) - Date.now() + between(-30, 250)));
        } else {
          await waitFor(life, /publish: proposing epoch/, (SCHEDULE_SECONDS + 20) * 1000);
          await sleep(between(0, PAUSE_AFTER_SEND_MS + 300));
        }
      }
      await kill9(life);
      landed.push(`${point}@${Date.now() - life.startedAt}ms`);
    }

    // The last life runs until it has closed and published an epoch of its own, then stops cleanly.
    life = await start();
    await waitFor(life, /merit local stack is up/, 60_000);
    const up = await sql<{ slot: string }[]>`select coalesce(max(slot), 0)::text as slot from settlements`;
    // A proposal sent just before a kill can be lost with the chain it ran in (the daemon's own):
    // the publisher then waits for its blockhash to expire before it sends another.
    await waitFor(life, /publish: epoch \d+ proposed/, (SCHEDULE_SECONDS + 30 + BLOCKHASH_EXPIRY_SECONDS) * 1000);
    const stopped = new Promise((r) => life!.child.once("exit", r));
    life.child.kill("SIGTERM");
    await stopped;
    const context = `kills: ${landed.join(", ")} (seed ${SEED})\n${all()}`;

    // The chain's settlements: every successful transaction a demo facilitator paid the fee of.
    const facilitators = new Set([...all().matchAll(/facilitator (\w+)/g)].map((m) => m[1]!));
    const history = (await readFile(join(dataDir, "localnet", "ledger.jsonl"), "utf8"))
      .split("\n")
      .filter((l) => l.startsWith('{"t":"tx"'))
      .map((l) => (JSON.parse(l) as { record: HistoryTx }).record);
    const [{ slot: watermark } = { slot: "0" }] = await sql<{ slot: string }[]>`select slot::text from ingest_watermark where id = 1`;
    assert.ok(BigInt(watermark) > BigInt(up[0]!.slot), `ingest made no progress in the last life:\n${context}`);
    const onChain = history
      .filter((t) => t.meta.err === null && facilitators.has(t.accountKeys[0]!) && BigInt(t.slot) <= BigInt(watermark))
      .map((t) => t.signature);
    const rows = await sql<{ signature: string; n: number }[]>`
      select signature, count(*)::int as n from settlements where slot <= ${watermark} group by signature`;

    // Then: every settlement up to ingest's watermark is in the table, once; nothing else is there
    const stored = new Map(rows.map((r) => [r.signature, r.n]));
    const lost = onChain.filter((s) => !stored.has(s));
    assert.deepEqual(lost, [], `settlements on the chain but not in the table:\n${context}`);
    assert.deepEqual(
      rows.filter((r) => r.n !== 1),
      [],
      "a settlement stored twice",
    );
    assert.deepEqual(
      [...stored.keys()].filter((s) => !onChain.includes(s)),
      [],
      "a stored settlement the chain does not have",
    );
    assert.ok(onChain.length >= 5, `too few settlements to mean anything (${onChain.length})`);

    // And each restarted chain re-ran its history to the same outcomes
    assert.doesNotMatch(all(), /replay of \w+ gave/, `a transaction re-run on restart did not do what it did first:\n${context}`);

    // And the ledger equals a replay of the settlements
    const cliEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: dbUrl, MERIT_DATA_DIR: dataDir, LOG_LEVEL: "warn" };
    delete cliEnv.MERIT_TEST_EMBEDDED_PG;
    const ledger = await meritIn(cliEnv, "ledger", "verify");
    assert.equal(ledger.code, 0, `ledger verify: ${ledger.stdout}${ledger.stderr}\n${context}`);

    // And each epoch was proposed once, on-chain as in the database, and each published one verifies
    const [distributor] = await listDistributors(sql);
    assert.ok(distributor, "no distributor configured");
    const epochs = await listEpochs(sql, distributor.address);
    const published = epochs.filter((e) => e.status !== "closed");
    assert.ok(published.length >= 2, `fewer than two epochs published:\n${context}`);
    assert.deepEqual(
      epochs.map((e) => Number(e.epoch)),
      epochs.map((_, i) => i + 1),
      "epoch numbers are not 1..N",
    );
    const proposed = history
      .filter((t) => t.meta.err === null)
      .flatMap((t) => decodeEvents(t.meta.logMessages))
      .filter((e) => e.name === "RootProposed");
    assert.deepEqual(
      proposed.map((e) => Number(e.data.epoch as bigint)),
      published.map((e) => Number(e.epoch)),
      "each published epoch proposed exactly once, in order",
    );

    const chain = await startLocalnet({ port: 0, historyFile: join(dataDir, "localnet", "ledger.jsonl") });
    try {
      const connection = new Connection(chain.url, "confirmed");
      const d = new PublicKey(distributor.address);
      for (const e of epochs) {
        const account = await connection.getAccountInfo(epochRootPda(d, e.epoch)[0]);
        if (e.status === "closed") {
          assert.equal(account, null, `epoch ${e.epoch} is closed here but has an EpochRoot on-chain`);
          continue;
        }
        assert.ok(account, `epoch ${e.epoch} is ${e.status} here but has no EpochRoot on-chain`);
        const root = decodeEpochRoot(account.data);
        assert.equal(root.root, e.root, `epoch ${e.epoch}: the root on-chain is not the one closed here`);
        // The chain rebuilt after each kill holds what its transactions did when they ran.
        const event = proposed.find((p) => p.data.epoch === e.epoch)!;
        assert.equal(root.activatesAt, event.data.activatesAt, `epoch ${e.epoch}: the restarted chain's EpochRoot is not the one proposed`);
      }
      const next = BigInt(epochs.length + 1);
      assert.equal(
        await connection.getAccountInfo(epochRootPda(d, next)[0]),
        null,
        `an EpochRoot for epoch ${next} the database does not know`,
      );
      for (const e of published) {
        const dir = epochDir(dataDir, distributor.address, e.epoch);
        const args = ["verify", "--epoch", String(e.epoch), "--rpc", chain.url, "--distributor", distributor.address];
        args.push("--dataset", join(dir, DATASET_FILE), "--manifest", join(dir, MANIFEST_FILE), "--full");
        if (e.epoch > 1n) args.push("--previous-dataset", join(epochDir(dataDir, distributor.address, e.epoch - 1n), DATASET_FILE));
        const v = await meritIn(cliEnv, ...args);
        assert.equal(v.code, 0, `verify epoch ${e.epoch}: ${v.stdout}${v.stderr}\n${context}`);
        assert.match(v.stdout, /passes every check/);
      }
    } finally {
      await chain.stop();
    }
    console.log(`      kills: ${landed.join(", ")}; ${onChain.length} settlements, ${published.length} epochs published`);
  });
});
