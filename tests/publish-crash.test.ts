import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { connect } from "../indexer/src/db/connection.js";
import { closeEpoch, DATASET_FILE, epochDir } from "../indexer/src/epochs/close.js";
import type { MeritError } from "../indexer/src/errors.js";
import { getEpoch } from "../indexer/src/epochs/queries.js";
import { publishEpoch } from "../indexer/src/publish/publish.js";
import {
  type ChainDistributor,
  configure,
  createDistributor,
  proposals,
  publishContext,
  settle,
  usePublishSuite,
} from "./helpers/publish-chain.js";
import { fundedKeypair } from "./helpers/localnet.js";
import { MERIT_BIN } from "./helpers/indexer-cli.js";

const run = promisify(execFile);

describe("publish: a crash after sending, and two publishers at once (development chain, Postgres)", function () {
  this.timeout(180_000);
  const suite = usePublishSuite();
  const { chain, db } = suite;
  let dataDir: string;
  let d: ChainDistributor;

  beforeEach(async () => {
    const { connection } = chain();
    dataDir = suite.dataDir();
    d = await createDistributor(connection, { fund: 1_000_000n });
    await configure(db(), d);
    await settle(db(), [[await fundedKeypair(connection, 1), 5]]);
    assert.equal((await closeEpoch(db(), { distributor: d.address.toBase58(), dataDir }))?.epoch, 1n);
  });

  it("given a publisher SIGKILLed after sending and before recording, when it restarts, then it records the epoch without a second proposal", async () => {
    const keyFile = join(dataDir, "publisher.json");
    writeFileSync(keyFile, JSON.stringify([...d.publisher.secretKey]));
    const env = { ...process.env, MERIT_DATA_DIR: dataDir, PUBLISHER_KEYPAIR: keyFile, LOG_FORMAT: "json" };
    const args = [MERIT_BIN, "epoch", "publish", "--distributor", d.address.toBase58(), "--rpc", chain().net.url];

    // Given: a publisher that pauses after its transaction left (the test hook), killed there
    const child = spawn(process.execPath, args, {
      env: { ...env, PUBLISH_TEST_PAUSE_AFTER_SEND_MS: "120000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const sent = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (b: Buffer) => {
        stderr += b.toString();
        const m = /publish: sent (\w+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`publisher exited (${code}) before sending:\n${stderr}`)));
    });
    const exited = new Promise((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGKILL");
    assert.equal(await exited, "SIGKILL");
    const crashed = await getEpoch(db(), d.address.toBase58(), 1n);
    assert.deepEqual(
      [crashed?.status, crashed?.proposeSignature],
      ["proposed", sent],
      "the signature was committed before sending; nothing after",
    );
    assert.deepEqual(await proposals(chain().connection, d, 1n), [sent], "the transaction landed");

    // When: it restarts
    const r = await run(process.execPath, args, { env }).then(
      (x) => ({ code: 0, ...x }),
      (x: { code: number; stdout: string; stderr: string }) => x,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /epoch 1 is already on-chain with the same root \(pending, (\w+)\): recorded/);

    // Then: one proposal, and the epoch recorded with it
    assert.deepEqual(await proposals(chain().connection, d, 1n), [sent]);
    const row = await getEpoch(db(), d.address.toBase58(), 1n);
    assert.deepEqual([row?.status, row?.proposeSignature, row?.proposeValidUntil], ["pending", sent, null]);
  });

  it("given two publishers racing on the same epoch, then one proposes and the other proposes nothing", async () => {
    const url = process.env.DATABASE_URL!;
    const [a, b] = [connect(url, { max: 2, name: "publisher-a" }), connect(url, { max: 2, name: "publisher-b" })];
    try {
      // Each holds on after sending for a moment, so the two runs overlap whatever the scheduling.
      const ctx = (sql: typeof a) => publishContext(sql, chain().connection, dataDir, d.publisher, { pauseAfterSendMs: 500 });
      const results = await Promise.all([a, b].map((sql) => publishEpoch(ctx(sql), { distributor: d.address.toBase58() })));
      const outcomes = results.map((r) => r.outcome).sort();
      assert.equal(outcomes.filter((o) => o === "proposed").length, 1, JSON.stringify(outcomes));
      // On Postgres the other finds the lock taken. On the embedded PGlite advisory locks do not
      // exclude (one session): its proposal is refused on-chain and it records the first one's.
      assert.deepEqual(outcomes, process.env.MERIT_TEST_EMBEDDED_PG ? ["proposed", "recorded"] : ["busy", "proposed"]);
      assert.equal((await proposals(chain().connection, d, 1n)).length, 1);
      assert.equal((await getEpoch(db(), d.address.toBase58(), 1n))?.status, "pending");
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it("given a proposal whose blockhash expires before it lands, then the publisher sends it again with a fresh blockhash, and one proposal lands", async () => {
    const { connection, net } = chain();
    // The node loses the first attempt; the chain then moves 200 slots, past its blockhash's life.
    let dropped: string | undefined;
    const lossy = Object.create(connection) as typeof connection;
    lossy.sendRawTransaction = async (raw, opts) => {
      if (dropped) return connection.sendRawTransaction(raw, opts);
      dropped = "yes";
      net.warp({ slots: 200 });
      return "dropped";
    };
    const lines: string[] = [];
    const r = await publishEpoch(publishContext(db(), lossy, dataDir, d.publisher, { log: (l) => lines.push(l) }), {
      distributor: d.address.toBase58(),
    });
    assert.equal(r.outcome, "proposed");
    assert.ok(
      lines.some((l) => /attempt 1 \(\w+\) expired before landing; retrying with a fresh blockhash/.test(l)),
      lines.join("\n"),
    );
    assert.deepEqual(await proposals(connection, d, 1n), [r.outcome === "proposed" ? r.signature : ""]);
    // web3.js keeps a blockhash for 30 s for its own sends; the warp expired it
    (connection as unknown as { _blockhashInfo: { latestBlockhash: null } })._blockhashInfo.latestBlockhash = null;
  });

  it("given one byte of the epoch's dataset changed, then publish refuses before sending anything", async () => {
    const file = join(epochDir(dataDir, d.address.toBase58(), 1n), DATASET_FILE);
    const bytes = readFileSync(file);
    const at = bytes.length - 3;
    bytes.writeUInt8(bytes[at]! ^ 1, at);
    writeFileSync(file, bytes);
    await assert.rejects(
      publishEpoch(publishContext(db(), chain().connection, dataDir, d.publisher), { distributor: d.address.toBase58() }),
      (err: MeritError) => err.code === "dataset_mismatch" && /epoch 1: the dataset .* does not check out/.test(err.message),
    );
    assert.equal((await getEpoch(db(), d.address.toBase58(), 1n))?.status, "closed");
    assert.deepEqual(await proposals(chain().connection, d, 1n), []);
  });
});
