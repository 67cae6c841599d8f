// Program-derived addresses without web3.js's slow on-curve test.
import { createHash } from "node:crypto";
import { PublicKey } from "@solana/web3.js";

const P = 2n ** 255n - 19n;
/** The twisted Edwards constant d of ed25519, -121665/121666 mod p. */
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;

/** The Jacobi symbol (a/n) for odd n, by the binary reciprocity algorithm (no exponentiation). */
function jacobi(a: bigint, n: bigint): number {
  let t = 1;
  a %= n;
  while (a !== 0n) {
    // strip factors of two a machine word at a time: (2/n) is -1 when n ≡ 3, 5 (mod 8)
    let low = Number(BigInt.asUintN(32, a));
    while (low === 0) {
      a >>= 32n;
      low = Number(BigInt.asUintN(32, a));
    }
    const z = 31 - Math.clz32(low & -low);
    if (z > 0) {
      a >>= BigInt(z);
      const r = Number(BigInt.asUintN(3, n));
      if (z & 1 && (r === 3 || r === 5)) t = -t;
    }
    [a, n] = [n, a];
    if (Number(BigInt.asUintN(2, a)) === 3 && Number(BigInt.asUintN(2, n)) === 3) t = -t;
    a %= n;
  }
  return n === 1n ? t : 0;
}

/**
 * Whether 32 bytes decode to an ed25519 point, with the rules of web3.js's `PublicKey.isOnCurve`
 * (noble's strict decoding: y below p, and no x = 0 with the sign bit set). A point exists when
 * x² = (y² − 1)/(d·y² + 1) has a root, that is when (y² − 1)(d·y² + 1) is a square mod p: one
 * Jacobi symbol instead of the square root web3.js computes, which is most of a PDA search.
 */
export function isOnCurve(bytes: Uint8Array): boolean {
  if (bytes.length !== 32) return false;
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? bytes[i]! & 0x7f : bytes[i]!);
  if (y >= P) return false;
  const y2 = (y * y) % P;
  const uv = (((y2 + P - 1n) % P) * ((D * y2 + 1n) % P)) % P;
  if (uv === 0n) return (bytes[31]! & 0x80) === 0;
  return jacobi(uv, P) === 1;
}

/** `createProgramAddress` with a known bump: one sha256, no on-curve search (the bump came from one). */
export function programAddress(seeds: Uint8Array[], bump: number, programId: PublicKey): PublicKey {
  const h = createHash("sha256");
  for (const s of seeds) h.update(s);
  return new PublicKey(h.update(Uint8Array.of(bump)).update(programId.toBytes()).update("ProgramDerivedAddress").digest());
}

/** `PublicKey.findProgramAddressSync`, same result: the highest bump whose address is off the curve. */
export function findProgramAddress(seeds: Uint8Array[], programId: PublicKey): [PublicKey, number] {
  for (const s of seeds) if (s.length > 32) throw new TypeError("Max seed length exceeded");
  const prefix = createHash("sha256");
  for (const s of seeds) prefix.update(s);
  const program = programId.toBytes();
  for (let bump = 255; bump >= 0; bump--) {
    const h = prefix.copy().update(Uint8Array.of(bump)).update(program).update("ProgramDerivedAddress").digest();
    if (!isOnCurve(h)) return [new PublicKey(h), bump];
  }
  throw new Error("Unable to find a viable program address nonce");
}
