import assert from "node:assert/strict";
import bs58 from "bs58";
import fc from "fast-check";
import {
  AddressLookupTableAccount,
  Keypair,
  PublicKey,
  SystemProgram,
  Transaction,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import { decodeTransaction } from "./decode-transaction.js";
import { decodeMessage, shortVec, splitTransaction } from "./wire.js";

// The hand-written wire decoder against web3.js' encoder, which clients use to build what it reads.
describe("localnet wire decoder", () => {
  const payer = Keypair.generate();
  const blockhash = Keypair.generate().publicKey.toBase58();

  it("given compact-u16 lengths, when encoded, then at most 3 bytes of 7 bits each give the length back", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (n) => {
        const bytes = shortVec(n);
        assert.ok(bytes.length <= 3);
        let value = 0;
        bytes.forEach((b, i) => (value |= (b & 0x7f) << (7 * i)));
        assert.equal(value, n);
      }),
    );
  });

  it("given a signed legacy transaction, when decoded, then keys, header, blockhash, instructions and signature match web3.js", () => {
    const to = Keypair.generate().publicKey;
    const tx = new Transaction({ feePayer: payer.publicKey, blockhash, lastValidBlockHeight: 0 }).add(
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 42 }),
      new TransactionInstruction({
        programId: new PublicKey("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"),
        keys: [],
        data: Buffer.from("hi"),
      }),
    );
    tx.sign(payer);
    const d = decodeTransaction(tx.serialize());
    const m = tx.compileMessage();
    assert.equal(d.version, "legacy");
    assert.deepEqual(d.staticKeys, m.accountKeys.map(String));
    assert.deepEqual(d.message.header, m.header);
    assert.equal(d.recentBlockhash, blockhash);
    assert.deepEqual(
      d.message.instructions.map((ix) => [ix.programIdIndex, ix.accounts, Buffer.from(ix.data).toString("hex")]),
      m.compiledInstructions.map((ix) => [ix.programIdIndex, ix.accountKeyIndexes, Buffer.from(ix.data).toString("hex")]),
    );
    assert.equal(d.signature, bs58.encode(tx.signature!));
  });

  it("given v0 messages with lookups of random sizes, when decoded, then the lookups match web3.js", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 3 }), (count, extraSigners) => {
        const table = new AddressLookupTableAccount({
          key: Keypair.generate().publicKey,
          state: {
            deactivationSlot: 2n ** 64n - 1n,
            lastExtendedSlot: 0,
            lastExtendedSlotStartIndex: 0,
            authority: undefined,
            addresses: Array.from({ length: count }, () => Keypair.generate().publicKey),
          },
        });
        const signers = Array.from({ length: extraSigners }, () => Keypair.generate());
        const ix = new TransactionInstruction({
          programId: Keypair.generate().publicKey,
          keys: [
            ...table.state.addresses.map((pubkey, i) => ({ pubkey, isSigner: false, isWritable: i % 2 === 0 })),
            ...signers.map((s) => ({ pubkey: s.publicKey, isSigner: true, isWritable: false })),
          ],
          data: Buffer.from([1, 2, 3]),
        });
        const message = new TransactionMessage({
          payerKey: payer.publicKey,
          recentBlockhash: blockhash,
          instructions: [ix],
        }).compileToV0Message([table]);
        const tx = new VersionedTransaction(message);
        const wire = tx.serialize();
        const { signatures, message: bytes } = splitTransaction(wire);
        assert.equal(signatures.length, 1 + extraSigners);
        const m = decodeMessage(bytes);
        assert.equal(m.version, 0);
        assert.deepEqual(
          m.lookups,
          message.addressTableLookups.map((l) => ({
            accountKey: l.accountKey.toBase58(),
            writableIndexes: l.writableIndexes,
            readonlyIndexes: l.readonlyIndexes,
          })),
        );
        assert.deepEqual(m.staticKeys, message.staticAccountKeys.map(String));
      }),
      { numRuns: 30 },
    );
  });

  it("given truncated or trailing bytes, when decoded, then it is an invalid-params error, not a crash", () => {
    const tx = new Transaction({ feePayer: payer.publicKey, blockhash, lastValidBlockHeight: 0 }).add(
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payer.publicKey, lamports: 1 }),
    );
    tx.sign(payer);
    const wire = tx.serialize();
    for (const bad of [wire.subarray(0, wire.length - 1), Buffer.concat([wire, Buffer.from([0])]), Buffer.alloc(0)]) {
      assert.throws(
        () => decodeTransaction(bad),
        (err: { code?: number }) => err.code === -32602,
      );
    }
  });
});
