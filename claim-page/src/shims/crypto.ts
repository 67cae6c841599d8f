// node:crypto as the client library uses it (SHA-256 only), on @noble/hashes in the browser.
import { Buffer } from "buffer";
import { sha256 } from "@noble/hashes/sha2.js";

type Input = Uint8Array | string;
const bytes = (data: Input): Uint8Array => (typeof data === "string" ? new TextEncoder().encode(data) : data);

function only256(algorithm: string): void {
  if (algorithm !== "sha256") throw new Error(`the claim page hashes with sha256 only, not ${algorithm}`);
}

export function hash(algorithm: string, data: Input, encoding: "buffer" | "binary" | "hex" = "hex"): Buffer | string {
  only256(algorithm);
  const out = Buffer.from(sha256(bytes(data)));
  return encoding === "buffer" ? out : out.toString(encoding);
}

interface Hash {
  update(data: Input): Hash;
  copy(): Hash;
  digest(): Buffer;
}

function wrap(h: ReturnType<typeof sha256.create>): Hash {
  return {
    update(data) {
      h.update(bytes(data));
      return this;
    },
    copy: () => wrap(h.clone()),
    digest: () => Buffer.from(h.digest()),
  };
}

export function createHash(algorithm: string): Hash {
  only256(algorithm);
  return wrap(sha256.create());
}
