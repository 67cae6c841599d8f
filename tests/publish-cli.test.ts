import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Transaction } from "@solana/web3.js";
import { epochRootPda, proposeRootInstruction } from "@merit/clients/idl";
import { closeEpoch } from "../indexer/src/epochs/close.js";
import { getEpoch } from "../indexer/src/epochs/queries.js";
import { type ChainDistributor, configure, createDistributor, proposals, settle, usePublishSuite } from "./helpers/publish-chain.js";
import { isOneLineError, merit } from "./helpers/indexer-cli.js";
import { fundedKeypair } from "./helpers/localnet.js";

describe("publish CLI: refusals, --force, --unsigned and record, a foreign root (development chain, Postgres)", function () {
  this.timeout(180_000);
  const suite = usePublishSuite();
  const { chain, db } = suite;
  let dataDir: string;
  let d: ChainDistributor;
  const saved = { ...process.env };

  beforeEach(() => {
    dataDir = suite.dataDir();
    process.env.MERIT_DATA_DIR = dataDir;
  });
  afterEach(() => {
    for (const k of ["MERIT_DATA_DIR", "PUBLISHER_KEYPAIR"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  /** A distributor on the chain and here, its publisher key in a keypair file, epoch 1 closed (Alice: 5 units = 50 base units). */
  const given = async (opts: { fund: bigint; maxTotalIncrease?: bigint }) => {
    const { connection } = chain();
    d = await createDistributor(connection, opts);
    await configure(db(), d);
    const keyFile = join(dataDir, "publisher.json");
    writeFileSync(keyFile, JSON.stringify([...d.publisher.secretKey]));
    process.env.PUBLISHER_KEYPAIR = keyFile;
    await settle(db(), [[await fundedKeypair(connection, 1), 5]]);
    assert.equal((await closeEpoch(db(), { distributor: d.address.toBase58(), dataDir }))?.epoch, 1n);
  };
  const cli = (...args: string[]) => merit("epoch", ...args, "--distributor", d.address.toBase58(), "--rpc", chain().net.url);
  const status = async () => (await getEpoch(db(), d.address.toBase58(), 1n))!.status;

  it("given a vault that does not cover the new obligation, then publish refuses saying so, and --force proposes", async () => {
    await given({ fund: 49n });
    const refused = await cli("publish");
    assert.equal(refused.code, 2, refused.stderr);
    assert.ok(isOneLineError(refused.stderr), refused.stderr);
    assert.match(
      refused.stderr,
      /epoch 1 not proposed: the vault \w+ holds 49 but the new outstanding obligation is 50 \(cumulative total 50 minus 0 claimed\): fund it with at least 1 more, or --force/,
    );
    assert.equal(await status(), "closed");
    assert.deepEqual(await proposals(chain().connection, d, 1n), []);

    const forced = await cli("publish", "--force");
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /^epoch 1 proposed: \w+; pending, activates at /);
    assert.equal(await status(), "pending");
    assert.doesNotMatch(forced.stderr, new RegExp(`\\[${d.publisher.secretKey.slice(0, 4).join(",")}`), "the key is never logged");
  });

  it("given growth over the program's per-epoch cap, then publish refuses naming the cap, and --force lets the program refuse it (CapExceeded)", async () => {
    await given({ fund: 1_000n, maxTotalIncrease: 40n });
    const refused = await cli("publish");
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /the growth 50 .* exceeds the program's per-epoch cap max_total_increase 40/);
    const forced = await cli("publish", "--force");
    assert.notEqual(forced.code, 0);
    assert.match(forced.stderr, /CapExceeded/);
    assert.equal(await status(), "closed", "nothing landed");
  });

  it("given --unsigned, then it prints a transaction a multisig signs and sends, and record picks the result up from the chain", async () => {
    await given({ fund: 1_000n });
    delete process.env.PUBLISHER_KEYPAIR; // the multisig holds the key, not this host
    const r = await cli("publish", "--unsigned");
    assert.equal(r.code, 0, r.stderr);
    const [note, base64] = r.stdout.trim().split("\n");
    assert.match(note!, new RegExp(`unsigned propose_root transaction for ${d.publisher.publicKey.toBase58()}`));
    assert.equal(await status(), "closed", "nothing is recorded before the multisig acts");
    const notYet = await cli("record", "1");
    assert.equal(notYet.code, 2);
    assert.match(notYet.stderr, /no EpochRoot on-chain yet/);

    const tx = Transaction.from(Buffer.from(base64!, "base64"));
    tx.partialSign(d.publisher);
    const signature = await chain().connection.sendRawTransaction(tx.serialize());
    await chain().connection.confirmTransaction(signature, "finalized");

    const recorded = await cli("record", "1");
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.equal(recorded.stdout.trim(), `epoch 1 recorded: pending (${signature})`);
    const row = await getEpoch(db(), d.address.toBase58(), 1n);
    assert.deepEqual([row?.status, row?.proposeSignature], ["pending", signature]);
    const list = await cli("list", "--chain");
    assert.match(list.stdout, /^1 +pending +pending +/m);
    const st = JSON.parse((await cli("status", "1", "--chain")).stdout) as { status: string; chain: { status: string; root: string } };
    assert.deepEqual([st.status, st.chain.status, st.chain.root], ["pending", "pending", row?.root]);
    const follow = await cli("follow", "--no-activate");
    assert.equal(follow.code, 0, follow.stderr);
    assert.match(follow.stdout, /^epoch 1: pending, activates at \d{4}-\d\d-\d\dT/m);
  });

  it("given a different root already on-chain for the epoch, then publish alerts and sends nothing (never overwrites)", async () => {
    await given({ fund: 1_000n });
    const { connection } = chain();
    const foreign = proposeRootInstruction(d.program, d.publisher.publicKey, d.address, {
      epoch: 1n,
      root: Buffer.alloc(32, 7),
      cumulativeTotal: 50n,
      leafCount: 1n,
      datasetHash: Buffer.alloc(32, 1),
      inputsHash: Buffer.alloc(32, 2),
    });
    const { blockhash } = await connection.getLatestBlockhash();
    const tx = new Transaction({ feePayer: d.publisher.publicKey, recentBlockhash: blockhash }).add(foreign);
    tx.sign(d.publisher);
    await connection.confirmTransaction(await connection.sendRawTransaction(tx.serialize()), "finalized");
    const before = (await connection.getAccountInfo(epochRootPda(d.address, 1n)[0]))!.data;

    const r = await cli("publish");
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /ALERT: epoch 1 of \w+ has a different root on-chain than the one closed here \(root: ours [0-9a-f]{64}, on-chain 0707/,
    );
    assert.equal(await status(), "closed");
    assert.deepEqual((await connection.getAccountInfo(epochRootPda(d.address, 1n)[0]))!.data, before);
    assert.equal((await proposals(connection, d, 1n)).length, 1, "only the foreign proposal");
  });
});
