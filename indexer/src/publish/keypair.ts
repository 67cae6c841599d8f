import { readFileSync } from "node:fs";
import { Keypair } from "@solana/web3.js";
import bs58 from "bs58";
import { CallerError } from "../errors.js";

/**
 * The publisher's key, from a keypair file (PUBLISHER_KEYPAIR) or the environment
 * (PUBLISHER_SECRET_KEY): a JSON array of 64 bytes as solana-keygen writes it, or base58. No
 * message here ever includes the key or the file's content; callers log the public key only.
 */
export function publisherKeypair(e: { PUBLISHER_KEYPAIR?: string; PUBLISHER_SECRET_KEY?: string }): Keypair {
  if (e.PUBLISHER_KEYPAIR) {
    let text: string;
    try {
      text = readFileSync(e.PUBLISHER_KEYPAIR, "utf8");
    } catch (err) {
      throw new CallerError(
        "bad_keypair",
        `PUBLISHER_KEYPAIR: cannot read ${e.PUBLISHER_KEYPAIR} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
    return parseSecret(text, `PUBLISHER_KEYPAIR: the keypair file ${e.PUBLISHER_KEYPAIR}`);
  }
  if (e.PUBLISHER_SECRET_KEY) return parseSecret(e.PUBLISHER_SECRET_KEY, "PUBLISHER_SECRET_KEY");
  throw new CallerError(
    "no_publisher_key",
    "no publisher key: set PUBLISHER_KEYPAIR (a keypair file) or PUBLISHER_SECRET_KEY, or use --unsigned for a multisig to sign",
  );
}

/** A secret key as solana-keygen writes it (a JSON array of 64 bytes) or base58; `what` names its source in errors. */
export function parseSecret(text: string, what: string): Keypair {
  const t = text.trim();
  let bytes: Uint8Array | undefined;
  if (t.startsWith("[")) {
    try {
      const arr = JSON.parse(t) as unknown;
      if (Array.isArray(arr) && arr.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) bytes = Uint8Array.from(arr as number[]);
    } catch {
      // reported below without the content
    }
  } else {
    try {
      bytes = bs58.decode(t);
    } catch {
      // reported below without the content
    }
  }
  if (bytes?.length !== 64)
    throw new CallerError("bad_keypair", `${what} is not a Solana secret key (a JSON array of 64 bytes, or base58)`);
  try {
    return Keypair.fromSecretKey(bytes);
  } catch {
    throw new CallerError("bad_keypair", `${what}: the secret and public halves do not match`);
  }
}
