// Headless Chromium for the claim page's end-to-end tests: Debian's chromium-headless-shell driven
// by playwright-core (no browser download), a Wallet Standard test wallet whose key stays in Node,
// axe-core's accessibility check and screenshots saved as test artifacts.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Keypair, VersionedTransaction } from "@solana/web3.js";
import type { BrowserContext, Page } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium-headless-shell", "/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium"];

/** The installed Chromium, or undefined (the suite then skips with a notice). */
export const findChromium = (): string | undefined => CANDIDATES.find((p) => existsSync(p));

export const ARTIFACTS = join("test-artifacts", "claim-page");

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export interface TestWalletControl {
  /** "sign" signs in Node; "reject" refuses as a wallet does when its user declines. */
  mode: "sign" | "reject";
  /** Transactions signed so far. */
  signed: number;
}

/**
 * Registers a Wallet Standard wallet in every page of `context` before the page's scripts run.
 * The page sees only the account and the features; each signature is made in Node through the
 * exposed binding, so the secret key never enters the page.
 */
export async function installTestWallet(
  context: BrowserContext,
  keypair: Keypair,
  chains: string[] = ["solana:localnet"],
): Promise<TestWalletControl> {
  const control: TestWalletControl = { mode: "sign", signed: 0 };
  await context.exposeBinding("meritTestWalletSign", (_source, base64: string) => {
    if (control.mode === "reject") throw new Error("rejected by the test");
    const tx = VersionedTransaction.deserialize(Buffer.from(base64, "base64"));
    tx.sign([keypair]);
    control.signed++;
    return Buffer.from(tx.serialize()).toString("base64");
  });
  const args = { address: keypair.publicKey.toBase58(), publicKey: [...keypair.publicKey.toBytes()], chains };
  await context.addInitScript({ content: `(${REGISTER_WALLET})(${JSON.stringify(args)});` });
  return control;
}

/**
 * What a wallet extension's content script does, as plain JavaScript run in the page before its
 * own scripts (a TypeScript function would carry the transpiler's helpers, which the page lacks).
 */
const REGISTER_WALLET = `({ address, publicKey, chains }) => {
  const SIGN = "solana:signTransaction";
  const account = { address, publicKey: new Uint8Array(publicKey), chains, features: [SIGN] };
  const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
  const fromBase64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  let accounts = [];
  const wallet = {
    version: "1.0.0",
    name: "Merit Test Wallet",
    icon: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=",
    chains,
    get accounts() { return accounts; },
    features: {
      "standard:connect": { version: "1.0.0", connect: async () => { accounts = [account]; return { accounts }; } },
      "standard:disconnect": { version: "1.0.0", disconnect: async () => { accounts = []; } },
      "standard:events": { version: "1.0.0", on: () => () => {} },
      [SIGN]: {
        version: "1.0.0",
        supportedTransactionVersions: ["legacy", 0],
        signTransaction: (...inputs) => Promise.all(inputs.map(async (input) => {
          try {
            return { signedTransaction: fromBase64(await window.meritTestWalletSign(toBase64(input.transaction))) };
          } catch {
            // what wallets throw when their user declines (EIP-1193's code)
            throw Object.assign(new Error("User rejected the request."), { code: 4001 });
          }
        })),
      },
    },
  };
  // The Wallet Standard's registration handshake, both ways round (app first or wallet first).
  const callback = ({ register }) => register(wallet);
  class RegisterEvent extends Event {
    constructor() { super("wallet-standard:register-wallet", { bubbles: false, cancelable: false, composed: false }); }
    get detail() { return callback; }
  }
  window.dispatchEvent(new RegisterEvent());
  window.addEventListener("wallet-standard:app-ready", (e) => callback(e.detail));
}`;

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's WCAG A/AA rules on the page as it is now: no serious or critical violation. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.addScriptTag({ content: AXE });
  const violations = (await page.evaluate(`axe
    .run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) })))`)) as {
    id: string;
    impact: string;
    help: string;
    targets: string[];
  }[];
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(serious, [], `${what}: accessibility violations:\n${JSON.stringify(serious, null, 2)}`);
}
