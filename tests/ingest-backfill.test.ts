import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startLocalnet, type Localnet } from "@merit/localnet";
import { useFreshDb } from "./setup/db.js";
import { listSettlements } from "../indexer/src/ingest/store/settlements.js";
import { createWorld, rulesOf, sendFacilitated, type ExpectedSettlement } from "./fixtures/ingest/localnet-scenario.js";
import { MERIT_BIN } from "./helpers/indexer-cli.js";

const run = promisify(execFile);

describe("backfill command (from a slot or a signature, against the local chain)", function () {
  this.timeout(180_000);
  const db = useFreshDb();
  let net: Localnet;
  let sent: { sig: string; expected: ExpectedSettlement; slot: number }[];
  let env: NodeJS.ProcessEnv;

  before(async () => {
    net = await startLocalnet({ port: 0 });
    const world = await createWorld(net.url);
    sent = [];
    for (let i = 0; i < 12; i++) {
      const s = await sendFacilitated(world, world.payers[i % 2]!, world.merchants[i % 2]!.publicKey, BigInt(500 + i), null);
      const tx = await world.connection.getTransaction(s.sig, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
      sent.push({ ...s, slot: tx!.slot });
      if (i === 5) net.warp({ slots: 10 }); // a gap, so the second half starts in a later slot
    }
    const rules = rulesOf(world);
    env = {
      ...process.env,
      RPC_URL: net.url,
      WATCH_MINTS: rules.mints.join(","),
      WATCH_FACILITATORS: rules.facilitators.join(","),
      WATCH_MERCHANTS: rules.merchants.join(","),
      INGEST_BATCH_SIZE: "4",
    };
  });
  after(async () => {
    await net?.stop();
  });

  const backfill = (...args: string[]) => run(MERIT_BIN, ["ingest", "backfill", ...args], { env });
  const signatures = async () => (await listSettlements(db())).map((r) => r.signature).sort();

  it("given --from-signature, then exactly the settlements after it are ingested and the run reports its rate (and no progress bar on a pipe)", async () => {
    const { stdout, stderr } = await backfill("--from-signature", sent[7]!.sig);
    assert.deepEqual(
      await signatures(),
      sent
        .slice(8)
        .map((s) => s.sig)
        .sort(),
    );
    assert.match(stdout, /backfill done: \d+ transactions over \d+ addresses, 4 new settlements, 0 rejected, [\d.]+ tx\/s/);
    assert.doesNotMatch(stderr, /backfill \[/);
  });

  it("given --from-slot, then everything from that slot on is ingested, once, and a re-run adds nothing", async () => {
    const from = sent[6]!.slot;
    await backfill("--from-slot", String(from));
    const want = sent
      .filter((s) => s.slot >= from)
      .map((s) => s.sig)
      .sort();
    assert.ok(want.length >= 6 && want.length < 12, `slot split gives ${want.length}`);
    assert.deepEqual(await signatures(), want);
    const { stdout } = await backfill("--from-slot", String(from));
    assert.match(stdout, /0 new settlements/);
    assert.deepEqual(await signatures(), want);
  });

  it("given both or neither start point, then a clear error and exit code 2", async () => {
    for (const args of [[], ["--from-slot", "1", "--from-signature", sent[0]!.sig]]) {
      await assert.rejects(
        backfill(...args),
        (e: { code: number; stderr: string }) => e.code === 2 && /exactly one of --from-slot and --from-signature/.test(e.stderr),
      );
    }
  });
});
