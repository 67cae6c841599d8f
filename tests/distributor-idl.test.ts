// The committed Anchor IDL is what the program implements: generated from the Rust sources,
// discriminators are Anchor's sighashes, and Anchor's coder lays out arguments the way the
// program's parsers read them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import anchor, { type Provider } from "@coral-xyz/anchor";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { claimStatusPda, distributorPda, epochRootPda, meritDistributorIdl, meritDistributorProgram, vaultPda } from "../clients/src/idl/index.js";

const { BN } = anchor;
const sighash = (s: string) => [...createHash("sha256").update(s).digest().subarray(0, 8)];
const offline: Provider = { connection: new Connection("http://127.0.0.1:9") };

describe("distributor IDL", () => {
  it("Given the sources, When the IDL is regenerated, Then the committed JSON and TS type are unchanged", () => {
    execFileSync("node", ["programs/distributor/idl/generate.mjs", "--check"], { stdio: "pipe" });
  });

  it("Given the IDL, Then every discriminator is Anchor's sighash of its name", () => {
    for (const ix of meritDistributorIdl.instructions) assert.deepEqual(ix.discriminator, sighash(`global:${ix.name}`), ix.name);
    for (const a of meritDistributorIdl.accounts) assert.deepEqual(a.discriminator, sighash(`account:${a.name}`), a.name);
    for (const e of meritDistributorIdl.events) assert.deepEqual(e.discriminator, sighash(`event:${e.name}`), e.name);
  });

  it("Given errors.rs, Then the IDL errors are its errors! list in order from 6000", () => {
    const rust = readFileSync("programs/distributor/src/errors.rs", "utf8");
    const list = rust.slice(rust.indexOf("\nerrors! {"), rust.indexOf("\n}", rust.indexOf("\nerrors! {")));
    const variants = [...list.matchAll(/^\s+(\w+)(?: = 6000)?: "([^"]+)",$/gm)].map((m) => ({ name: m[1]!, msg: m[2]! }));
    assert.ok(variants.length >= 39, `${variants.length} errors parsed`);
    assert.deepEqual(meritDistributorIdl.errors.map((e) => ({ name: e.name, msg: e.msg })), variants);
    assert.deepEqual(meritDistributorIdl.errors.map((e) => e.code), variants.map((_, i) => 6000 + i));
  });

  it("Given the program id keypair, Then the IDL address is its public key", () => {
    const secret = JSON.parse(readFileSync("programs/distributor/keys/localnet-program-keypair.json", "utf8")) as number[];
    assert.equal(meritDistributorIdl.address, Keypair.fromSecretKey(Uint8Array.from(secret)).publicKey.toBase58());
  });

  it("When Anchor encodes claim, Then the data is discriminator, u64 LE, u32 count, 32-byte siblings", async () => {
    const program = meritDistributorProgram(offline);
    const [distributor] = distributorPda(Keypair.generate().publicKey, Keypair.generate().publicKey, 7n);
    const claimant = Keypair.generate().publicKey;
    const proof = [Array(32).fill(1), Array(32).fill(2)];
    const ix = await program.methods
      .claim(new BN("18446744073709551615"), proof)
      .accountsPartial({
        claimant, distributor, epochRoot: epochRootPda(distributor, 1n)[0], mint: PublicKey.default, vault: vaultPda(distributor)[0],
        claimantToken: PublicKey.default, tokenProgram: PublicKey.default,
      })
      .instruction();
    const expected = Buffer.concat([Buffer.from(sighash("global:claim")), Buffer.alloc(8, 0xff), Buffer.from([2, 0, 0, 0]), Buffer.alloc(32, 1), Buffer.alloc(32, 2)]);
    assert.deepEqual(ix.data, expected);
    // The IDL's seeds resolve the ClaimStatus PDA exactly as the helpers (and the program) derive it.
    assert.ok(ix.keys[3]!.pubkey.equals(claimStatusPda(distributor, claimant)[0]));
    assert.deepEqual(ix.keys.map((k) => [k.isSigner, k.isWritable]), [
      [true, true], [false, true], [false, true], [false, true], [false, false], [false, true], [false, true], [false, false], [false, false],
    ]);
  });

  it("When Anchor encodes claim proofs of 30 and 31 siblings, Then 30 encodes and 31 throws (its coder's 1,000-byte argument buffer)", () => {
    const program = meritDistributorProgram(offline);
    const encode = (n: number) => program.coder.instruction.encode("claim", { cumulativeAmount: new BN(1), proof: Array.from({ length: n }, () => Array(32).fill(1)) });
    assert.equal(encode(30).length, 8 + 8 + 4 + 30 * 32);
    assert.throws(() => encode(31), RangeError);
  });

  it("When Anchor resolves initialize_distributor and propose_root, Then the u64 seeds are little-endian", async () => {
    const program = meritDistributorProgram(offline);
    const admin = Keypair.generate().publicKey;
    const mint = Keypair.generate().publicKey;
    const params = { activationDelay: new BN(1), gracePeriod: new BN(2), maxTotalIncrease: new BN(3), claimExpiry: new BN(0) };
    const init = await program.methods
      .initializeDistributor(new BN(258), admin, admin, params)
      .accountsPartial({ admin, mint, tokenProgram: PublicKey.default })
      .instruction();
    const [distributor] = distributorPda(mint, admin, 258n);
    assert.ok(init.keys[2]!.pubkey.equals(distributor));
    assert.ok(init.keys[3]!.pubkey.equals(vaultPda(distributor)[0]));
    assert.equal(init.data.length, 8 + 8 + 32 + 32 + 32);

    const propose = await program.methods
      .proposeRoot(new BN(513), Array(32).fill(0), new BN(5), new BN(1), Array(32).fill(0), Array(32).fill(0))
      .accountsPartial({ publisher: admin, distributor })
      .instruction();
    assert.ok(propose.keys[2]!.pubkey.equals(epochRootPda(distributor, 513n)[0]));
    assert.equal(propose.data.length, 8 + 8 + 32 + 8 + 8 + 32 + 32);
  });
});
