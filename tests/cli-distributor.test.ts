// `merit distributor …` (the admin group) as the real bin in a child process against the development
// chain running the real program: each instruction signed by --keypair and sent, and --unsigned
// transactions signed and sent here as a multisig would.
import assert from "node:assert/strict";
import * as spl from "@solana/spl-token";
import { Keypair, PublicKey, Transaction } from "@solana/web3.js";
import { epochRootPda, meritDistributorProgram, proposeRootInstruction } from "@merit/clients/idl";
import { isOneLineError, merit, useJsonDir } from "./helpers/indexer-cli.js";
import { fundedKeypair, useLocalnet } from "./helpers/localnet.js";

describe("merit distributor (admin instructions, signed and --unsigned, on the development chain)", function () {
  this.timeout(180_000);
  const chain = useLocalnet();
  const { file } = useJsonDir("merit-cli-dist-");
  const keyFile = (name: string, kp: Keypair) => file(`${name}.json`, [...kp.secretKey]);
  let admin: Keypair, publisher: Keypair, guardian: Keypair, mint: PublicKey, address: PublicKey;
  const cli = (...args: string[]) => merit("distributor", ...args, "--rpc", chain().net.url);
  const program = () => meritDistributorProgram({ connection: chain().connection } as never);
  const state = async () => program().coder.accounts.decode("distributor", (await chain().connection.getAccountInfo(address))!.data);

  /** Signs a printed --unsigned transaction with `signer` and sends it, as a multisig member would. */
  const signAndSend = async (base64: string, signer: Keypair) => {
    const tx = Transaction.from(Buffer.from(base64, "base64"));
    const { blockhash } = await chain().connection.getLatestBlockhash();
    tx.recentBlockhash = blockhash;
    tx.sign(signer);
    const sig = await chain().connection.sendRawTransaction(tx.serialize());
    await chain().connection.confirmTransaction(sig, "confirmed");
  };

  before(async () => {
    const { connection } = chain();
    [admin, publisher, guardian] = await Promise.all([fundedKeypair(connection), fundedKeypair(connection), fundedKeypair(connection)]);
    mint = await spl.createMint(connection, admin, admin.publicKey, null, 6);
  });

  it("given a mint, when init is signed by the admin's keypair, then the distributor exists with the authorities and params given", async () => {
    const r = await cli(
      "init",
      "--mint",
      mint.toBase58(),
      "--publisher",
      publisher.publicKey.toBase58(),
      "--guardian",
      guardian.publicKey.toBase58(),
      "--max-total-increase",
      "1000000",
      "--activation-delay",
      "3600",
      "--keypair",
      keyFile("admin", admin),
      "--json",
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.instruction, "initializeDistributor");
    assert.match(out.signature, /^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    address = new PublicKey(out.distributor);
    const d = await state();
    assert.ok(d.publisher.equals(publisher.publicKey));
    assert.ok(d.guardian.equals(guardian.publicKey));
    assert.equal(d.activationDelay.toString(), "3600");
    assert.equal(d.maxTotalIncrease.toString(), "1000000");
  });

  it("given --unsigned, when pause is printed, then the summary names the instruction and signer, and the transaction signed by the guardian pauses the distributor", async () => {
    const text = await cli("pause", address.toBase58(), "--unsigned");
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^unsigned pause transaction; fee payer and signer ${guardian.publicKey.toBase58()}`, "m"));
    assert.match(text.stdout, new RegExp(`account +authority +${guardian.publicKey.toBase58()} \\(signer\\)`));
    const r = await cli("pause", address.toBase58(), "--unsigned", "--json");
    const printed = JSON.parse(r.stdout);
    assert.equal(printed.feePayer, guardian.publicKey.toBase58());
    await signAndSend(printed.transaction, guardian);
    assert.equal((await state()).paused, true);
    const unpause = await cli("unpause", address.toBase58(), "--keypair", keyFile("guardian", guardian));
    assert.equal(unpause.code, 0, unpause.stderr);
    assert.match(unpause.stdout, /^unpause sent: /);
    assert.equal((await state()).paused, false);
  });

  it("given set-params and set-authorities, then only the values given change, signed or --unsigned for the admin", async () => {
    const p = await cli("set-params", address.toBase58(), "--grace-period", "120", "--keypair", keyFile("admin", admin));
    assert.equal(p.code, 0, p.stderr);
    let d = await state();
    assert.equal(d.gracePeriod.toString(), "120");
    assert.equal(d.activationDelay.toString(), "3600", "kept from the chain");
    const next = (await fundedKeypair(chain().connection)).publicKey;
    const a = await cli("set-authorities", address.toBase58(), "--pending-admin", next.toBase58(), "--unsigned", "--json");
    assert.equal(a.code, 0, a.stderr);
    assert.equal(JSON.parse(a.stdout).feePayer, admin.publicKey.toBase58(), "the admin read from the chain signs");
    await signAndSend(JSON.parse(a.stdout).transaction, admin);
    d = await state();
    assert.ok(d.pendingAdmin.equals(next));
    assert.ok(d.publisher.equals(publisher.publicKey), "kept from the chain");
  });

  it("given a pending root, when veto is signed by the guardian, then the EpochRoot is Vetoed", async () => {
    const { connection } = chain();
    const ix = proposeRootInstruction(program(), publisher.publicKey, address, {
      epoch: 1n,
      root: new Uint8Array(32).fill(7),
      cumulativeTotal: 10n,
      leafCount: 1n,
      datasetHash: new Uint8Array(32).fill(1),
      inputsHash: new Uint8Array(32).fill(2),
    });
    const tx = new Transaction().add(ix);
    await connection.confirmTransaction(await connection.sendTransaction(tx, [publisher]), "confirmed");
    const r = await cli("veto", address.toBase58(), "--epoch", "1", "--keypair", keyFile("guardian", guardian), "--json");
    assert.equal(r.code, 0, r.stderr);
    const root = program().coder.accounts.decode("epochRoot", (await connection.getAccountInfo(epochRootPda(address, 1n)[0]))!.data);
    assert.deepEqual(Object.keys(root.status), ["vetoed"]);
  });

  it("given tokens in the vault beyond what is owed, when clawback is signed by the admin, then they move to the destination", async () => {
    const { connection } = chain();
    const d = await state();
    await spl.mintTo(connection, admin, mint, d.vault, admin, 500n);
    const dest = await spl.createAssociatedTokenAccount(connection, admin, mint, Keypair.generate().publicKey);
    const r = await cli(
      "clawback",
      address.toBase58(),
      "--amount",
      "300",
      "--destination",
      dest.toBase58(),
      "--keypair",
      keyFile("admin", admin),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await spl.getAccount(connection, dest)).amount, 300n);
  });

  it("given a keypair that is not the guardian, or bad flags, then one line says what is wrong and the exit code is 2", async () => {
    const stranger = await fundedKeypair(chain().connection);
    const refused = await cli("pause", address.toBase58(), "--keypair", keyFile("stranger", stranger));
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /^error: the program refused the transaction \(\w+\)/);
    for (const args of [
      ["pause", address.toBase58()],
      ["pause", "not-an-address", "--unsigned"],
      ["clawback", address.toBase58(), "--amount", "-1", "--destination", address.toBase58(), "--unsigned"],
    ]) {
      const r = await cli(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(isOneLineError(r.stderr), r.stderr);
    }
  });

  it("given an RPC that does not answer, then it says so and what to check, exit 3", async () => {
    const r = await merit("distributor", "pause", address.toBase58(), "--unsigned", "--rpc", "http://127.0.0.1:9");
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /fetch failed: the service did not answer; check it is up and its URL \(--rpc, RPC_URL\) is right/);
    assert.ok(isOneLineError(r.stderr), r.stderr);
  });
});
