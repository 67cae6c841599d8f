import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import bs58 from "bs58";
import { shortVec } from "./wire.js";

/**
 * The airdrop faucet: a fixed ed25519 key (so a replayed history finds it where it left it) that
 * signs plain System transfers. Signing uses node:crypto, keeping @solana/web3.js out of start-up.
 */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SYSTEM_PROGRAM = new Uint8Array(32);

export class Faucet {
  private readonly key: KeyObject;
  readonly publicKey: Uint8Array;
  readonly address: string;

  constructor(seedText = "merit-localnet-faucet") {
    const seed = createHash("sha256").update(seedText).digest();
    this.key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
    const spki = createPublicKey(this.key).export({ format: "der", type: "spki" });
    this.publicKey = new Uint8Array(spki.subarray(spki.length - 32));
    this.address = bs58.encode(this.publicKey);
  }

  /** A signed legacy transaction moving `lamports` from the faucet to `to`. */
  transfer(to: Uint8Array, lamports: bigint, blockhash: string): Uint8Array {
    const data = Buffer.alloc(12);
    data.writeUInt32LE(2, 0); // SystemInstruction::Transfer
    data.writeBigUInt64LE(lamports, 4);
    const message = Buffer.concat([
      Buffer.from([1, 0, 1]), // one signer (the faucet), one read-only unsigned key (the program)
      Buffer.from(shortVec(3)),
      this.publicKey,
      to,
      SYSTEM_PROGRAM,
      bs58.decode(blockhash),
      Buffer.from([1, 2, ...shortVec(2), 0, 1, ...shortVec(12)]),
      data,
    ]);
    const signature = sign(null, message, this.key);
    return new Uint8Array(Buffer.concat([Buffer.from(shortVec(1)), signature, message]));
  }
}
