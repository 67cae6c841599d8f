// Flow: the shared litesvm helper moves real tokens with both token programs, reports failures
// the way the RPC does, controls the clock programs read, and runs a program built by this
// repository's toolchain (the smoke program) with exact logs and compute units.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as spl from "@solana/spl-token";
import { Keypair, PublicKey, SYSVAR_CLOCK_PUBKEY, TransactionInstruction } from "@solana/web3.js";
import { createMint, mintTo, TestSvm, tokenAccount, tokenBalance, tokenProgramId, type TokenProgram } from "./svm.js";

const SMOKE_SO = "tools/sbf-smoke/bin/sbf_smoke.so";
const U64 = (1n << 64n) - 1n;

/** What tools/sbf-smoke logs as data for `data`, computed independently of the program. */
function smokeFields(data: Buffer): string[] {
  const copy = data.subarray(0, 64);
  let sum = 0n;
  for (const b of copy) sum = copy.length % 2 === 0 ? (sum + BigInt(b)) & U64 : (((sum << 8n) | (sum >> 56n)) & U64) ^ BigInt(b);
  const product = sum * (BigInt(data.length) + (1n << 40n));
  const greeting = Buffer.from("hello world, long data");
  const matches = data.equals(greeting.subarray(0, Math.min(data.length, greeting.length)));
  const u64 = (v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return b;
  };
  return [copy, u64(sum), u64(product > U64 ? U64 : product), Buffer.from([matches ? 1 : 0])].map((b) => b.toString("base64"));
}

describe("tests/helpers/svm", () => {
  it("Given a bare helper VM, the SPL Token, Token-2022 and Associated Token programs are deployed", () => {
    const t = new TestSvm({ program: false });
    for (const id of [spl.TOKEN_PROGRAM_ID, spl.TOKEN_2022_PROGRAM_ID, spl.ASSOCIATED_TOKEN_PROGRAM_ID]) {
      assert.equal(t.account(id)?.executable, true, id.toBase58());
    }
  });

  for (const program of ["spl", "2022"] as TokenProgram[]) {
    it(`Given a ${program} mint and two holders, When one transfers, Then both balances change by exactly the amount`, () => {
      const t = new TestSvm({ program: false });
      const m = createMint(t, program, 6);
      const alice = t.funded();
      const bob = Keypair.generate().publicKey;
      const from = tokenAccount(t, m, alice.publicKey);
      const to = tokenAccount(t, m, bob);
      mintTo(t, m, from, 1_000_000n);

      const ix = spl.createTransferCheckedInstruction(from, m.mint, to, alice.publicKey, 250_001n, 6, [], tokenProgramId(program));
      const r = t.sendIxs([ix], [alice]);

      assert.ok(r.ok, r.error);
      assert.equal(tokenBalance(t, from), 749_999n);
      assert.equal(tokenBalance(t, to), 250_001n);
      assert.equal(t.account(to)?.owner.toBase58(), tokenProgramId(program).toBase58());
      assert.ok(r.cu > 0n, "compute units are reported");
      assert.equal(r.logs.at(-1), `Program ${tokenProgramId(program).toBase58()} success`);
    });
  }

  it("When a transfer exceeds the balance, Then the result carries the custom error code in RPC wording", () => {
    const t = new TestSvm({ program: false });
    const m = createMint(t, "spl");
    const alice = t.funded();
    const from = tokenAccount(t, m, alice.publicKey);
    const to = tokenAccount(t, m, Keypair.generate().publicKey);
    mintTo(t, m, from, 10n);

    const r = t.sendIxs([spl.createTransferInstruction(from, to, alice.publicKey, 11n)], [alice]);

    assert.equal(r.ok, false);
    assert.equal(r.code, 1); // TokenError::InsufficientFunds
    assert.equal(r.error, "Error processing Instruction 0: custom program error: 0x1");
    assert.equal(tokenBalance(t, from), 10n);
  });

  it("When the same instruction is sent twice, Then both land (a fresh blockhash per send)", () => {
    const t = new TestSvm({ program: false });
    const m = createMint(t, "2022");
    const ata = tokenAccount(t, m, Keypair.generate().publicKey);
    for (let i = 0; i < 2; i++) mintTo(t, m, ata, 5n);
    assert.equal(tokenBalance(t, ata), 10n);
  });

  it("When the clock is set or advanced, Then the Clock sysvar account programs read changes with it", () => {
    const t = new TestSvm({ program: false, unixTimestamp: 1_800_000_000n });
    t.advance(10n);
    const clock = t.account(SYSVAR_CLOCK_PUBKEY)!.data;
    assert.equal(clock.readBigInt64LE(32), 1_800_000_010n);
    assert.equal(t.now(), 1_800_000_010n);
    t.setTime(5n, 777n);
    assert.deepEqual([t.account(SYSVAR_CLOCK_PUBKEY)!.data.readBigUInt64LE(0), t.now()], [777n, 5n]);
  });

  describe("the smoke program built by npm run build:program", () => {
    const programId = new PublicKey("Smoke11111111111111111111111111111111111111");
    const t = new TestSvm({ program: SMOKE_SO, programId });
    const call = (data: Buffer) => t.sendIxs([new TransactionInstruction({ programId, keys: [], data })]);

    it("its committed bytes match the committed sha256", () => {
      const [hash] = readFileSync(`${SMOKE_SO}.sha256`, "utf8").split(/\s+/);
      assert.equal(createHash("sha256").update(readFileSync(SMOKE_SO)).digest("hex"), hash);
    });

    it("logs, copies (sol_memcpy_), multiplies with overflow checks and compares slices (sol_memcmp_) at exact CU", () => {
      const cases = [
        { data: Buffer.alloc(0), log: "smoke: empty", cu: 754n },
        { data: Buffer.from([1, 2, 3]), log: "smoke: short", cu: 804n },
        { data: Buffer.from("hello world, long data"), log: "smoke: long", cu: 1028n },
        { data: Buffer.alloc(9, 0xff), log: "smoke: long", cu: 912n }, // checked_mul overflows
      ];
      for (const c of cases) {
        const r = call(c.data);
        assert.ok(r.ok, r.error);
        assert.deepEqual(r.logs.slice(1, 3), [`Program log: ${c.log}`, `Program data: ${smokeFields(c.data).join(" ")}`]);
        assert.equal(r.cu, c.cu, `compute units for ${c.data.length} bytes`);
      }
    });

    it("refuses accounts with its own error code 1", () => {
      const r = t.sendIxs([
        new TransactionInstruction({
          programId,
          keys: [{ pubkey: t.payer.publicKey, isSigner: false, isWritable: false }],
          data: Buffer.alloc(0),
        }),
      ]);
      assert.equal(r.code, 1);
      assert.equal(r.error, "Error processing Instruction 0: custom program error: 0x1");
    });
  });
});
