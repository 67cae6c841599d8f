import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { publishRuleSet, scoreBatch } from "../indexer/src/engine/index.js";
import { advanceIngestWatermark } from "../indexer/src/ingest/store/cursors.js";
import { insertSettlements } from "./helpers/ledger-fixtures.js";
import { isOneLineError, merit } from "./helpers/indexer-cli.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const wallet = () => Keypair.generate().publicKey.toBase58();

describe("admin CLI: epochs", () => {
  const db = useFreshDb();
  let dataDir: string;
  const saved = process.env.MERIT_DATA_DIR;
  before(async () => {
    await truncateAll(db());
    dataDir = mkdtempSync(join(tmpdir(), "merit-epoch-cli-"));
    process.env.MERIT_DATA_DIR = dataDir;
  });
  after(() => {
    if (saved === undefined) delete process.env.MERIT_DATA_DIR;
    else process.env.MERIT_DATA_DIR = saved;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("given a distributor added with a budget, when an admin closes, lists and rebuilds epochs, then each command says what happened", async () => {
    const distributor = wallet();
    const payer = wallet();
    const added = await merit("epoch", "distributor", "add", distributor, "--mint", wallet(), "--mode", "budget", "--budget", "1000000");
    assert.equal(added.code, 0, added.stderr);
    await publishRuleSet(db(), { createdBy: "t", body: { earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }] } });
    await insertSettlements(db(), [{ slot: 3, payer, payee: "SHOP", amount: 2_000_000n }]);
    await advanceIngestWatermark(db(), 3n);
    await scoreBatch(db(), { maxSlot: 3n });

    const closed = await merit("epoch", "close", "--distributor", distributor);
    assert.equal(closed.code, 0, closed.stderr);
    assert.match(closed.stdout, /epoch 1 closed: 1 leaves, 1000000 released, cumulative total 1000000/);
    assert.match(closed.stdout, /root {10}[0-9a-f]{64}/);
    assert.match((await merit("epoch", "close", "--distributor", distributor)).stdout, /nothing to close/);
    const list = await merit("epoch", "list", "--distributor", distributor);
    assert.match(list.stdout, /^1 +closed +0-3 +1 +1000000 +1000000 /m);
    const rebuilt = await merit("epoch", "rebuild", "1", "--distributor", distributor);
    assert.match(rebuilt.stdout, /epoch 1 rebuilt byte-identical/);
  });

  it("given bad input, then one line says what is wrong and the exit code is 2", async () => {
    for (const args of [
      ["epoch", "distributor", "add", "nope", "--mint", wallet(), "--mode", "fixed", "--units-per-point", "1"],
      ["epoch", "distributor", "add", wallet(), "--mint", wallet(), "--mode", "fixed"],
      ["epoch", "distributor", "add", wallet(), "--mint", wallet(), "--mode", "budget", "--budget", "1.5"],
      ["epoch", "close", "--distributor", wallet()],
      ["epoch", "status", "0", "--distributor", wallet()],
    ]) {
      const r = await merit(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(isOneLineError(r.stderr), r.stderr);
    }
  });
});
