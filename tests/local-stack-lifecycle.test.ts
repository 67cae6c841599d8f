import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Connection, PublicKey } from "@solana/web3.js";
import { decodeClaimStatus, decodeEpochRoot } from "@merit/clients/chain";
import { claimStatusPda, epochRootPda } from "@merit/clients/idl";
import { freePort, type Stack, startStack, stopStack, waitFor } from "./helpers/stack.js";

/**
 * `npm start` from settlement to tokens: the local stack creates a distributor, publishes epoch 1
 * on its one-minute schedule, and a demo wallet claims it; a second start on the same data
 * directory finds all of it again and claims nothing more.
 */
describe("local stack lifecycle (npm start: distributor, epochs, a claim)", function () {
  this.timeout(300_000);
  let dataDir = "";
  let stack: Stack | undefined;

  after(async () => {
    await stopStack(stack);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("given a fresh data directory, when it runs past one epoch, then epoch 1 is on-chain, a demo wallet claimed it and the printed verify passes; a restart reuses it all", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "merit-lifecycle-"));
    stack = startStack(dataDir, await freePort());

    // When: the one-minute schedule closes epoch 1, it activates after the short delay, a payer claims
    const [, wallet, amount] = await waitFor(stack, /wallet\s+(\w+) claimed (\d+) base units/, 200_000);
    const [, signature] = await waitFor(stack, /claim tx\s+(\w+)/, 5_000);
    const [, verify, rpc, distributor] = await waitFor(
      stack,
      /audit it\s+(npx merit verify --epoch 1 --rpc (\S+) --distributor (\w+) [^"]*)"/,
      5_000,
    );

    // Then: the root is active on the chain and the wallet's ClaimStatus holds what it was paid
    const connection = new Connection(rpc!, "confirmed");
    const d = new PublicKey(distributor!);
    const root = await connection.getAccountInfo(epochRootPda(d, 1n)[0]);
    assert.ok(root, "no EpochRoot for epoch 1");
    assert.equal(decodeEpochRoot(root.data).status, "active");
    const status = await connection.getAccountInfo(claimStatusPda(d, new PublicKey(wallet!))[0]);
    assert.ok(status, "the sample wallet has no ClaimStatus");
    assert.ok(BigInt(amount!) > 0n);
    assert.equal(decodeClaimStatus(status.data).claimed, BigInt(amount!));
    assert.ok((await connection.getSignatureStatus(signature!)).value, "the claim transaction is unknown to the chain");

    // And the command the stack prints audits epoch 1 successfully
    const { stdout } = await promisify(execFile)("sh", ["-c", verify!]);
    assert.match(stdout, /passes every check/);
    const claimed = await readFile(join(dataDir, "dev", "sample-claim.json"), "utf8");

    // When: the stack starts again on the same data directory
    await stopStack(stack);
    stack = startStack(dataDir, await freePort());
    const [, again] = await waitFor(stack, /distributor (\w+) found on the chain/, 60_000);
    await waitFor(stack, /merit local stack is up/, 30_000);
    await waitFor(stack, new RegExp(`status: .*epochs published: [1-9]\\d*; sample claim: ${amount} base units to ${wallet}`), 30_000);

    // Then: the same distributor, no second claim (the kept record is the first one's)
    assert.equal(again, distributor);
    assert.doesNotMatch(stack.output(), /created distributor|created the reward mint/);
    assert.match(stack.output(), new RegExp(`claim tx\\s+${signature}`));
    assert.equal(await readFile(join(dataDir, "dev", "sample-claim.json"), "utf8"), claimed);
  });
});
