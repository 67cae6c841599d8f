import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { parseSecret } from "../publish/keypair.js";

/**
 * The local stack's keys, kept under the data directory so a restart reuses the same distributor,
 * reward mint and demo wallets (the local chain keeps its ledger there too). Written as
 * solana-keygen does, readable by the owner only: these are development keys, but still keys.
 */
export const devKeysDir = (dataDir: string) => join(dataDir, "dev", "keys");

function writeSecret(path: string, secret: Uint8Array | Uint8Array[]): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const json = Array.isArray(secret) ? secret.map((s) => Array.from(s)) : Array.from(secret);
  writeFileSync(path, `${JSON.stringify(json)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** `<dataDir>/dev/keys/<name>.json`: read it, or create it on the first start. */
export function keptKeypair(dataDir: string, name: string): Keypair {
  const path = join(devKeysDir(dataDir), `${name}.json`);
  if (existsSync(path)) return parseSecret(readFileSync(path, "utf8"), `the keypair file ${path}`);
  const k = Keypair.generate();
  writeSecret(path, k.secretKey);
  return k;
}

/** `count` keypairs kept in one file (a JSON array of secret keys); more are added when asked for. */
export function keptKeypairs(dataDir: string, name: string, count: number): Keypair[] {
  const path = join(devKeysDir(dataDir), `${name}.json`);
  const kept = existsSync(path)
    ? (JSON.parse(readFileSync(path, "utf8")) as number[][]).map((s, i) => parseSecret(JSON.stringify(s), `${path} [${i}]`))
    : [];
  if (kept.length >= count) return kept.slice(0, count);
  const all = [...kept, ...Array.from({ length: count - kept.length }, () => Keypair.generate())];
  writeSecret(
    path,
    all.map((k) => k.secretKey),
  );
  return all;
}
