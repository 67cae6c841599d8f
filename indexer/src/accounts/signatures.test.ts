import assert from "node:assert/strict";
import { ed25519 } from "@noble/curves/ed25519.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import bs58 from "bs58";
import { isEvmAddress, isSolanaAddress, recoverEvmSigner, verifyEvmSignature, verifySolanaSignature } from "./signatures.js";

// Published example of web3.js `eth.accounts.sign("Some data", privateKey)` (EIP-191 personal_sign).
const WEB3_VECTOR = {
  address: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
  message: "Some data",
  signature:
    "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c",
};

describe("signatures", () => {
  it("given the web3.js personal_sign example, then the signer is recovered", () => {
    assert.equal(recoverEvmSigner(WEB3_VECTOR.message, WEB3_VECTOR.signature), WEB3_VECTOR.address.toLowerCase());
    assert.ok(verifyEvmSignature(WEB3_VECTOR.address, WEB3_VECTOR.message, WEB3_VECTOR.signature));
  });

  it("given another message or a flipped byte, then the EVM signature does not verify", () => {
    assert.ok(!verifyEvmSignature(WEB3_VECTOR.address, "Some data!", WEB3_VECTOR.signature));
    const flipped = WEB3_VECTOR.signature.slice(0, 10) + (WEB3_VECTOR.signature[10] === "0" ? "1" : "0") + WEB3_VECTOR.signature.slice(11);
    assert.ok(!verifyEvmSignature(WEB3_VECTOR.address, WEB3_VECTOR.message, flipped));
    assert.equal(recoverEvmSigner(WEB3_VECTOR.message, "0x1234"), null);
  });

  it("given an ed25519 signature from a Solana key, then it verifies for that address only", () => {
    const sk = ed25519.utils.randomSecretKey();
    const address = bs58.encode(ed25519.getPublicKey(sk));
    const sig = bs58.encode(ed25519.sign(utf8ToBytes("hello merit"), sk));
    assert.ok(verifySolanaSignature(address, "hello merit", sig));
    assert.ok(!verifySolanaSignature(address, "hello merit?", sig));
    const other = bs58.encode(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
    assert.ok(!verifySolanaSignature(other, "hello merit", sig));
    assert.ok(!verifySolanaSignature(address, "hello merit", "notbase58!"));
  });

  it("tells address formats apart", () => {
    assert.ok(isSolanaAddress("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"));
    assert.ok(!isSolanaAddress("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"));
    assert.ok(isEvmAddress(WEB3_VECTOR.address));
    assert.ok(!isEvmAddress("0x2c75"));
  });
});
