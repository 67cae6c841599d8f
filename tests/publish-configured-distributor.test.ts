import assert from "node:assert/strict";
import { Keypair } from "@solana/web3.js";
import { conversionSettings, parseEnv } from "../indexer/src/env.js";
import { getDistributor } from "../indexer/src/epochs/queries.js";
import { offlineProgram } from "../indexer/src/publish/chain.js";
import { ensureConfiguredDistributor } from "../indexer/src/publish/configured.js";
import { createDistributor, usePublishSuite } from "./helpers/publish-chain.js";

/**
 * The configured distributor (`[distributor] address` with `[epochs] conversion`) is registered
 * for the epochs daemon on the development chain, its mint read from the chain; a registered one
 * is left alone; an address with no distributor is refused naming it.
 */
describe("configured distributor: DISTRIBUTOR_ADDRESS and EPOCH_CONVERSION registered at start", function () {
  this.timeout(120_000);
  const { chain, db } = usePublishSuite();

  it("given a distributor on the chain and a budget conversion in the config, when ensured twice, then it is registered once with the chain's mint and that conversion", async () => {
    const { connection } = chain();
    const d = await createDistributor(connection);
    const e = parseEnv({ DISTRIBUTOR_ADDRESS: d.address.toBase58(), EPOCH_CONVERSION: "budget", EPOCH_BUDGET_PER_EPOCH: "5000000" });
    const lines: string[] = [];
    const o = {
      address: e.DISTRIBUTOR_ADDRESS!,
      conversion: conversionSettings(e),
      program: offlineProgram(connection),
      log: (l: string) => lines.push(l),
    };
    assert.equal(await ensureConfiguredDistributor(db(), connection, o), "registered");
    assert.deepEqual(await getDistributor(db(), d.address.toBase58()), {
      address: d.address.toBase58(),
      mint: d.mint.toBase58(),
      conversion: { mode: "budget", budgetPerEpoch: "5000000" },
    });
    // Then a restart with another conversion keeps the registered one, and says so
    const other = { ...o, conversion: conversionSettings(parseEnv({ EPOCH_UNITS_PER_POINT: "7" })) };
    assert.equal(await ensureConfiguredDistributor(db(), connection, other), "known");
    assert.deepEqual((await getDistributor(db(), d.address.toBase58()))?.conversion, { mode: "budget", budgetPerEpoch: "5000000" });
    assert.match(lines.join("\n"), /not the configured one; kept/);
  });

  it("given an address with no distributor on the chain, then it is refused naming the address, and nothing is registered", async () => {
    const { connection } = chain();
    const address = Keypair.generate().publicKey.toBase58();
    const o = { address, conversion: conversionSettings(parseEnv({})), program: offlineProgram(connection), log: () => {} };
    await assert.rejects(ensureConfiguredDistributor(db(), connection, o), {
      code: "unknown_distributor_account",
      message: new RegExp(address),
    });
    assert.equal(await getDistributor(db(), address), undefined);
  });
});
