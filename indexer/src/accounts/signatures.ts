import { ed25519 } from "@noble/curves/ed25519.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import bs58 from "bs58";

/** Address formats and signature checks for the two kinds of address an account can link. */
export type Chain = "solana" | "evm";

export function isSolanaAddress(address: string): boolean {
  try {
    return bs58.decode(address).length === 32;
  } catch {
    return false;
  }
}

export function isEvmAddress(address: string): boolean {
  return /^0x[0-9a-fA-F]{40}$/.test(address);
}

/** Solana wallets sign the raw message bytes with ed25519 (signMessage); the signature is base58. */
export function verifySolanaSignature(address: string, message: string, signatureB58: string): boolean {
  try {
    const sig = bs58.decode(signatureB58);
    return sig.length === 64 && ed25519.verify(sig, utf8ToBytes(message), bs58.decode(address));
  } catch {
    return false;
  }
}

/** EIP-191 personal_sign digest: keccak256("\x19Ethereum Signed Message:\n" + byte length + message). */
export function personalMessageHash(message: string): Uint8Array {
  const body = utf8ToBytes(message);
  const prefix = utf8ToBytes(`\x19Ethereum Signed Message:\n${body.length}`);
  const all = new Uint8Array(prefix.length + body.length);
  all.set(prefix);
  all.set(body, prefix.length);
  return keccak_256(all);
}

export function evmAddressOfPublicKey(publicKey: Uint8Array): string {
  const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return `0x${bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(-20))}`;
}

/**
 * personal_sign signatures are r || s || v (65 bytes, v = 27/28 or 0/1). We recover the signer's
 * key and compare addresses case-insensitively (EIP-55 checksums are presentation only). High-s
 * signatures are refused, as Ethereum does since Homestead.
 */
export function recoverEvmSigner(message: string, signatureHex: string): string | null {
  try {
    const sig = hexToBytes(signatureHex.replace(/^0x/, ""));
    if (sig.length !== 65) return null;
    const v = sig[64]!;
    const recovery = v >= 27 ? v - 27 : v;
    if (recovery !== 0 && recovery !== 1) return null;
    // noble's "recovered" format puts the recovery byte first.
    const recovered = new Uint8Array(65);
    recovered[0] = recovery;
    recovered.set(sig.subarray(0, 64), 1);
    const pub = secp256k1.recoverPublicKey(recovered, personalMessageHash(message), { prehash: false });
    return evmAddressOfPublicKey(pub);
  } catch {
    return null;
  }
}

export function verifyEvmSignature(address: string, message: string, signatureHex: string): boolean {
  const signer = recoverEvmSigner(message, signatureHex);
  return signer !== null && signer.toLowerCase() === address.toLowerCase();
}

export function verifySignature(chain: Chain, address: string, message: string, signature: string): boolean {
  return chain === "solana" ? verifySolanaSignature(address, message, signature) : verifyEvmSignature(address, message, signature);
}

/** The canonical form an address is stored under: EVM lower-cased, Solana as given (base58 is case-sensitive). */
export function normalizeAddress(chain: Chain, address: string): string {
  return chain === "evm" ? address.toLowerCase() : address;
}
