import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import postgres from "postgres";
import { decodeClaimStatus, decodeEpochRoot } from "@merit/clients/chain";
import { claimStatusPda, epochRootPda } from "@merit/clients/idl";
import { freePort, type Stack, startStack, stopStack, waitFor } from "./helpers/stack.js";

/**
 * `npm start` from settlement to tokens: the local stack creates a distributor, publishes epoch 1
 * on its one-minute schedule, and a demo wallet claims it; a second start on the same data
 * directory finds all of it again (the same demo world: mint, facilitator, payers, referrals and
 * links) and claims nothing more.
 */

/** The demo's kept payers, as `dev/keys/demo-payers.json` holds them. */
async function keptPayers(dataDir: string): Promise<string[]> {
  const secrets = JSON.parse(await readFile(join(dataDir, "dev", "keys", "demo-payers.json"), "utf8")) as number[][];
  return secrets.map((s) => Keypair.fromSecretKey(Uint8Array.from(s)).publicKey.toBase58());
}

/** What the running stack's database says of the demo world (through its embedded server's URL). */
async function demoCounts(dataDir: string, payers: string[]) {
  const { url } = JSON.parse(await readFile(join(dataDir, "embedded-pg.json"), "utf8")) as { url: string };
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [r] = await sql<Record<string, number>[]>`
      select
        (select count(distinct payer) from settlements where payer = any(${payers}))::int as "payersPaid",
        (select count(*) from settlements where payer <> all(${payers}))::int as strangers,
        (select count(distinct mint) from settlements)::int as mints,
        (select count(*) from referral_links where referee = any(${payers}))::int as referrals,
        (select count(*) from linked_addresses where address = any(${payers}))::int as links,
        (select count(*) from point_ledger where reason = 'referral')::int as "referralRows",
        (select count(*) from point_ledger l join settlements s on s.id = l.settlement_id
           join linked_addresses a on a.address = s.payer and a.account = l.account)::int as "linkedRows"`;
    return r!;
  } finally {
    await sql.end();
  }
}
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

    // And the demo world: its kept payers paid, spread over many of them; the referral chains and
    // linked addresses exist, and were scored (referral shares, a linked address's points on its account)
    const payers = await keptPayers(dataDir);
    assert.equal(payers.length, 300);
    const first = await demoCounts(dataDir, payers);
    assert.ok(first.payersPaid! >= 50, `only ${first.payersPaid} kept payers paid by the first claim`);
    assert.equal(first.strangers, 0, "a settlement from a payer that is not kept");
    assert.deepEqual([first.referrals, first.links], [100, 30]);
    assert.ok(first.referralRows! > 0, "no referral rows in the ledger");
    assert.ok(first.linkedRows! > 0, "no linked address's settlement credited to its account");
    const [, mint, facilitator] = /demo: mint (\w+), facilitator (\w+), 3 merchants, 300 payers, 100 referrals, 30 linked addresses/.exec(
      stack.output(),
    )!;
    assert.ok(mint && facilitator, `no demo line:\n${stack.output()}`);

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

    // And the same demo world pays on: same mint and facilitator, the same kept payers, the graph not doubled
    assert.match(
      stack.output(),
      new RegExp(`demo: mint ${mint}, facilitator ${facilitator}, 3 merchants, 300 payers, 100 referrals, 30 linked addresses`),
    );
    assert.deepEqual(await keptPayers(dataDir), payers);
    await waitFor(stack, /status: [1-9]\d* settlements ingested/, 30_000);
    const again2 = await demoCounts(dataDir, payers);
    assert.deepEqual([again2.strangers, again2.mints, again2.referrals, again2.links], [0, 1, 100, 30]);
    assert.ok(again2.payersPaid! >= first.payersPaid!);
    assert.match(stack.output(), /status: [^"\n]*; claims: 1\b/);
  });
});
