// The committed Anchor IDL is what the program implements: generated from the Rust sources,
// discriminators are Anchor's sighashes, and Anchor's coder lays out arguments the way the
// program's parsers read them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import anchor, { type Provider } from "@coral-xyz/anchor";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { claimStatusPda, distributorPda, epochRootPda, meritDistributorIdl, meritDistributorProgram, vaultPda } from "@merit/clients/idl";

const { BN } = anchor;
const sighash = (s: string) => [...createHash("sha256").update(s).digest().subarray(0, 8)];
const offline: Provider = { connection: new Connection("http://127.0.0.1:9") };

describe("distributor IDL", () => {
  it("Given the sources, When the IDL is regenerated, Then the committed JSON and TS type are unchanged", () => {
    execFileSync("node", ["programs/distributor/idl/generate.mjs", "--check"], { stdio: "pipe" });
  });

  // The generator reads instructions, accounts (the ACCOUNTS tables the program enforces) and
  // arguments (the args! declarations the program parses with) from the Rust sources, so a
  // change on either side alone makes --check fail. Each case edits a copy of src/.
  const SOURCE_EDITS: [string, string, string, string][] = [
    [
      "a writable flag dropped from claim's ACCOUNTS",
      "instructions/claim/accounts.rs",
      'AccountMeta::writable("vault")',
      'AccountMeta::readonly("vault")',
    ],
    [
      "a signer flag added to activate_root's ACCOUNTS",
      "instructions/roots/activate_root/accounts.rs",
      'AccountMeta::writable("distributor")',
      'AccountMeta::signer_writable("distributor")',
    ],
    [
      "two accounts of clawback swapped",
      "instructions/admin/clawback/accounts.rs",
      'AccountMeta::readonly("mint"),\n    AccountMeta::writable("vault"),',
      'AccountMeta::writable("vault"),\n    AccountMeta::readonly("mint"),',
    ],
    ["an argument type changed in propose_root", "instructions/roots/propose_root/data.rs", "leaf_count: u64,", "leaf_count: i64,"],
    [
      "two arguments of set_authorities swapped",
      "instructions/admin/set_authorities/data.rs",
      "publisher: Pubkey,\n        guardian: Pubkey,",
      "guardian: Pubkey,\n        publisher: Pubkey,",
    ],
    ["an argument added to clawback", "instructions/admin/clawback/data.rs", "amount: u64,", "amount: u64,\n        memo: u64,"],
    [
      "an error appended",
      "errors.rs",
      '    ClawbackToVault: "Clawback destination is the vault itself",',
      '    ClawbackToVault: "Clawback destination is the vault itself",\n    Extra: "Extra",',
    ],
  ];
  for (const [what, file, from, to] of SOURCE_EDITS) {
    it(`Given ${what} in the Rust sources only, When the IDL is checked, Then it is stale`, () => {
      const dir = mkdtempSync(join(tmpdir(), "merit-idl-"));
      try {
        cpSync("programs/distributor/src", dir, { recursive: true });
        const text = readFileSync(join(dir, file), "utf8");
        assert.ok(text.includes(from), `${file} no longer contains the edited text`);
        writeFileSync(join(dir, file), text.replace(from, to));
        assert.throws(
          () =>
            execFileSync("node", ["programs/distributor/idl/generate.mjs", "--check"], {
              stdio: "pipe",
              env: { ...process.env, MERIT_DISTRIBUTOR_SRC: dir },
            }),
          (e: { stderr?: Buffer }) => /stale: .*merit_distributor\.json/.test(String(e.stderr)),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it("Given the program's discriminator constants (what it dispatches on), Then the IDL's are the same bytes", () => {
    const rust = readFileSync("programs/distributor/src/instructions/mod.rs", "utf8");
    const consts = Object.fromEntries(
      [...rust.matchAll(/pub const (\w+): \[u8; 8\] = \[([^\]]+)\];/g)].map((m) => [
        m[1]!.toLowerCase(),
        m[2]!.split(",").map((b) => Number(b.trim())),
      ]),
    );
    assert.deepEqual(
      Object.keys(consts),
      meritDistributorIdl.instructions.map((ix) => ix.name),
    );
    for (const ix of meritDistributorIdl.instructions) assert.deepEqual(ix.discriminator, consts[ix.name], ix.name);
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
    assert.deepEqual(
      meritDistributorIdl.errors.map((e) => ({ name: e.name, msg: e.msg })),
      variants,
    );
    assert.deepEqual(
      meritDistributorIdl.errors.map((e) => e.code),
      variants.map((_, i) => 6000 + i),
    );
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
        claimant,
        distributor,
        epochRoot: epochRootPda(distributor, 1n)[0],
        mint: PublicKey.default,
        vault: vaultPda(distributor)[0],
        claimantToken: PublicKey.default,
        tokenProgram: PublicKey.default,
      })
      .instruction();
    const expected = Buffer.concat([
      Buffer.from(sighash("global:claim")),
      Buffer.alloc(8, 0xff),
      Buffer.from([2, 0, 0, 0]),
      Buffer.alloc(32, 1),
      Buffer.alloc(32, 2),
    ]);
    assert.deepEqual(ix.data, expected);
    // The IDL's seeds resolve the ClaimStatus PDA exactly as the helpers (and the program) derive it.
    assert.ok(ix.keys[3]!.pubkey.equals(claimStatusPda(distributor, claimant)[0]));
    assert.deepEqual(
      ix.keys.map((k) => [k.isSigner, k.isWritable]),
      [
        [true, true],
        [false, true],
        [false, true],
        [false, true],
        [false, false],
        [false, true],
        [false, true],
        [false, false],
        [false, false],
      ],
    );
  });

  it("When Anchor encodes claim proofs of 30 and 31 siblings, Then 30 encodes and 31 throws (its coder's 1,000-byte argument buffer)", () => {
    const program = meritDistributorProgram(offline);
    const encode = (n: number) =>
      program.coder.instruction.encode("claim", { cumulativeAmount: new BN(1), proof: Array.from({ length: n }, () => Array(32).fill(1)) });
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
