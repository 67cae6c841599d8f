import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Keypair, PublicKey } from "@solana/web3.js";
import { findProgramAddress, isOnCurve, programAddress } from "./curve.js";
import { claimStatusPda, MERIT_DISTRIBUTOR_PROGRAM_ID } from "./pda.js";

const P = 2n ** 255n - 19n;
const le32 = (v: bigint, signBit = false) => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  if (signBit) out[31]! |= 0x80;
  return out;
};
const digest = (s: string) => new Uint8Array(createHash("sha256").update(s).digest());

describe("idl/curve: PDA derivation without web3.js's square root", () => {
  it("given 20,000 hash outputs (PDA candidates), when tested on-curve, then every answer is web3.js's", () => {
    let on = 0;
    for (let i = 0; i < 20_000; i++) {
      const h = digest(`candidate ${i}`);
      const want = PublicKey.isOnCurve(h);
      assert.equal(isOnCurve(h), want, `candidate ${i}`);
      if (want) on++;
    }
    // about half of all 32-byte strings are points: both answers are exercised
    assert.ok(on > 9_000 && on < 11_000, `${on} on the curve`);
  });

  it("given real public keys and the edge encodings, when tested, then the answers are web3.js's", () => {
    for (let i = 0; i < 200; i++) assert.equal(isOnCurve(Keypair.generate().publicKey.toBytes()), true);
    const edges: [string, Uint8Array][] = [
      ["y = 0", le32(0n)],
      ["y = 1 (x = 0)", le32(1n)],
      ["y = 1 with the sign bit (x = 0, rejected)", le32(1n, true)],
      ["y = p − 1 (x = 0)", le32(P - 1n)],
      ["y = p − 1 with the sign bit", le32(P - 1n, true)],
      ["y = p (non-canonical)", le32(P)],
      ["y = p + 1 (non-canonical)", le32(P + 1n)],
      ["y = 2^255 − 1", le32(2n ** 255n - 1n)],
      ["all ones", new Uint8Array(32).fill(0xff)],
    ];
    for (const [name, bytes] of edges) assert.equal(isOnCurve(bytes), PublicKey.isOnCurve(bytes), name);
    assert.equal(isOnCurve(new Uint8Array(31)), false);
  });

  it("given 500 wallets, when their ClaimStatus PDAs are derived, then address and bump are findProgramAddressSync's", () => {
    const distributor = Keypair.generate().publicKey;
    for (let i = 0; i < 500; i++) {
      const wallet = Keypair.generate().publicKey;
      const seeds = [Buffer.from("claim"), distributor.toBuffer(), wallet.toBuffer()];
      const [want, wantBump] = PublicKey.findProgramAddressSync(seeds, MERIT_DISTRIBUTOR_PROGRAM_ID);
      const [got, bump] = claimStatusPda(distributor, wallet);
      assert.equal(got.toBase58(), want.toBase58());
      assert.equal(bump, wantBump);
      // and the bump alone gives the address back (one hash)
      assert.equal(programAddress(seeds, bump, MERIT_DISTRIBUTOR_PROGRAM_ID).toBase58(), want.toBase58());
    }
  });

  it("given a seed longer than 32 bytes, when derived, then it throws as web3.js does", () => {
    assert.throws(() => findProgramAddress([new Uint8Array(33)], MERIT_DISTRIBUTOR_PROGRAM_ID), /Max seed length/);
  });
});
