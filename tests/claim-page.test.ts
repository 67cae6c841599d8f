// The claim page end to end: headless Chromium (Debian's chromium-headless-shell through
// playwright-core) loads the built page from the daemon's /claim route, over merit's real API, the
// development chain running the real distributor program, and a Wallet Standard test wallet whose
// key signs in Node. Screenshots of every state go to test-artifacts/claim-page/.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import * as spl from "@solana/spl-token";
import { Connection, Keypair, PublicKey, SYSVAR_CLOCK_PUBKEY, sendAndConfirmTransaction, Transaction } from "@solana/web3.js";
import { claimStatusPda, decodeClaimStatus, setParamsInstruction } from "@merit/clients/chain";
import { Hono } from "hono";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { createApp } from "../indexer/src/api/app.js";
import { CLAIM_PAGE_DIST, claimPageBuilt, claimPageRoutes } from "../indexer/src/api/claim-page.js";
import { flowApiDeps } from "./helpers/api.js";
import { assertAccessible, findChromium, installTestWallet, screenshot } from "./helpers/browser.js";
import { tokenBalance } from "./helpers/claim-chain.js";
import { fundedKeypair, useLocalnet } from "./helpers/localnet.js";
import {
  type ChainDistributor,
  configure,
  createDistributor,
  DELAY,
  publishContext,
  publishNextEpoch,
  setPaused,
  settle,
} from "./helpers/publish-chain.js";
import { freePort, type Stack, startStack, stopStack, waitFor } from "./helpers/stack.js";
import { useFreshDb } from "./setup/db.js";

interface Server {
  url: string;
  stop(): Promise<void>;
}

async function listen(app: Hono): Promise<Server> {
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => server.once("listening", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

const chromiumPath = findChromium();

describe("claim page: a wallet holder claims in the browser (headless Chromium, development chain, merit's API)", function () {
  this.timeout(240_000);
  before(function () {
    // CI installs the browser (.ci/run): there a missing one is a failure, not a skip.
    assert.ok(chromiumPath || !process.env.CI, "CI is set but chromium-headless-shell is not installed");
    if (!chromiumPath) {
      console.log(
        "    chromium-headless-shell not found: skipping the claim page's browser tests (apt-get install chromium-headless-shell)",
      );
      this.skip();
    }
    // npm install builds the page; a checkout that skipped it, or changed its sources since, is built here.
    const r = spawnSync(process.execPath, ["build-if-missing.mjs", "--strict"], { cwd: join(CLAIM_PAGE_DIST, ".."), stdio: "inherit" });
    assert.equal(r.status, 0, "the claim page does not build");
    assert.ok(claimPageBuilt());
  });
  describe("the page served by the daemon and by a static host", suite);
  describe("npm start: the sample wallet claims on the printed page", sampleWalletSuite);
});

/** The whole local stack as a newcomer starts it: the printed claim page URL, and the demo wallet claiming its next epoch there. */
function sampleWalletSuite(this: Mocha.Suite) {
  this.timeout(330_000);
  let dataDir = "";
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  after(async () => {
    await browser?.close();
    await stopStack(stack);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("Given npm start on a fresh data directory, When the demo wallet claimed epoch 1 and a later epoch pays it more, Then the printed claim page shows that amount and claiming it there pays it on-chain", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "merit-claim-page-stack-"));
    stack = startStack(dataDir, await freePort());
    const [, url, wallet] = await waitFor(stack, /claim page (http:\/\/\S+\/claim\/\?wallet=(\w+)) /, 240_000);
    const [, paid] = await waitFor(stack, new RegExp(`wallet\\s+${wallet} claimed (\\d+) base units`), 1000);
    const [, rpc, distributor] = await waitFor(stack, /audit it\s+npx merit verify --epoch 1 --rpc (\S+) --distributor (\w+)/, 1000);
    const api = new URL(url!).origin;
    // the demo payers' keys, kept where the summary says (solana-keygen's format)
    const secrets = JSON.parse(readFileSync(join(dataDir, "dev", "keys", "demo-payers.json"), "utf8")) as number[][];
    const key = secrets.map((k) => Keypair.fromSecretKey(Uint8Array.from(k))).find((k) => k.publicKey.toBase58() === wallet);
    assert.ok(key, "the sample wallet's key is not among the demo payers");

    // When: a later epoch allocates the wallet more (the demo traffic keeps paying)
    const deadline = Date.now() + 200_000;
    for (;;) {
      const w = (await (await fetch(`${api}/v1/wallets/${wallet}`)).json()) as { claimable: string };
      if (BigInt(w.claimable) > 0n) break;
      assert.ok(Date.now() < deadline, `nothing new became claimable for ${wallet}:\n${stack.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
    const context = await browser.newContext();
    await installTestWallet(context, key);
    const page = await context.newPage();
    await page.goto(url!);
    await page.getByRole("button", { name: "Connect Merit Test Wallet" }).click();
    await page.locator('#state[data-state="claimable"]').waitFor({ timeout: 30_000 });
    await screenshot(page, "12-npm-start-sample-wallet");
    await page.getByRole("button", { name: /^Claim .* tokens$/ }).click();
    await page.locator("[data-claim-result]").waitFor({ timeout: 60_000 });
    await screenshot(page, "13-npm-start-sample-wallet-claimed");

    // Then: on-chain, the wallet's ClaimStatus holds more than the sample claim paid
    const connection = new Connection(rpc!, "confirmed");
    const status = await connection.getAccountInfo(claimStatusPda(new PublicKey(distributor!), key.publicKey)[0]);
    assert.ok(status);
    assert.ok(decodeClaimStatus(status.data).claimed > BigInt(paid!), "the page's claim paid nothing more");
  });
}

function suite() {
  const chain = useLocalnet();
  const db = useFreshDb({ max: 6 });
  let dataDir: string;
  let d: ChainDistributor;
  let alice: Keypair;
  let daemon: Server;
  let browser: Browser;
  const spl1 = () => ({ mint: d.mint, tokenProgram: spl.TOKEN_PROGRAM_ID });
  // 10 base units per point, 1 point per whole unit paid, a 6-decimal mint: 250,000 paid is 2.5 tokens.
  const PAID_EPOCH_1 = 250_000;

  /** The daemon's HTTP side as main.ts mounts it: the claim page at /claim beside the API. */
  async function startDaemon(corsOrigins: string[] = []): Promise<Server> {
    const { connection, net } = chain();
    const root = new Hono();
    root.route("/", claimPageRoutes({ rpcUrl: net.url }));
    root.route("/", createApp({ ...flowApiDeps(db(), connection, dataDir), corsOrigins, logRequest: () => {} }));
    return listen(root);
  }

  async function openPage(opts: { width?: number; chains?: string[]; path?: string; base?: string } = {}) {
    const context = await browser.newContext({
      viewport: { width: opts.width ?? 1024, height: 800 },
      ...(opts.width && opts.width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    });
    const wallet = await installTestWallet(context, alice, opts.chains);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${opts.base ?? daemon.url}${opts.path ?? "/claim/"}`);
    return { context, page, wallet, errors };
  }

  const text = async (l: Locator) => (await l.textContent()) ?? "";
  const state = (page: Page) => page.locator("#state").getAttribute("data-state");
  async function waitState(page: Page, expected: string): Promise<void> {
    try {
      await page.locator(`#state[data-state="${expected}"]`).waitFor({ timeout: 30_000 });
    } catch {
      assert.fail(`the page never showed "${expected}"; it shows "${await state(page)}": ${await text(page.locator("main"))}`);
    }
  }
  const figure = (page: Page, name: string) => text(page.locator(`[data-figure="${name}"]`));

  async function connect(page: Page): Promise<void> {
    await page.getByRole("button", { name: "Connect Merit Test Wallet" }).click();
  }

  before(async () => {
    const { connection, net } = chain();
    dataDir = mkdtempSync(join(tmpdir(), "merit-claim-page-"));
    d = await createDistributor(connection, { fund: 1_000_000_000_000n, maxTotalIncrease: 1n << 50n });
    await configure(db(), d);
    alice = await fundedKeypair(connection);
    const bob = await fundedKeypair(connection);
    await settle(db(), [
      [alice, PAID_EPOCH_1],
      [bob, 1000],
    ]);
    await publishNextEpoch(publishContext(db(), connection, dataDir, d.publisher), d.address.toBase58(), net);
    daemon = await startDaemon();
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  });
  after(async () => {
    await browser?.close();
    await daemon?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("Given the daemon, When /claim is asked for, Then it redirects to /claim/ with the query, serves the built page and a config.json naming the chain's RPC", async () => {
    const redirect = await fetch(`${daemon.url}/claim?wallet=x`, { redirect: "manual" });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get("location"), "/claim/?wallet=x");
    const page = await fetch(`${daemon.url}/claim/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Claim your merit rewards<\/title>/);
    assert.deepEqual(await (await fetch(`${daemon.url}/claim/config.json`)).json(), { rpc: chain().net.url });
  });

  it("Given epoch 1 active with 2.5 tokens for the wallet, When it connects, declines the signature, then signs, Then the page shows the error, then the confirmed transaction, and the tokens are in its account on-chain", async () => {
    const { connection } = chain();
    const { context, page, wallet, errors } = await openPage();
    try {
      await waitState(page, "disconnected");
      await screenshot(page, "01-not-connected");
      await connect(page);
      await waitState(page, "claimable");
      assert.equal(await figure(page, "claimable"), "2.5");
      assert.equal(await figure(page, "claimed"), "0");
      assert.equal(await figure(page, "points"), "250,000");
      assert.equal(await text(page.locator('tr[data-epoch="1"] td').nth(2)), "2.5", "the epoch's tokens in the history");
      await screenshot(page, "02-claimable");
      await assertAccessible(page, "claimable");

      // When: the user declines in the wallet
      wallet.mode = "reject";
      await page.getByRole("button", { name: "Claim 2.5 tokens" }).click();
      await page.locator('[data-claim-error="rejected"]').waitFor({ timeout: 30_000 });
      assert.match(await text(page.locator('[data-claim-error="rejected"]')), /declined to sign/);
      assert.equal(wallet.signed, 0);
      assert.equal(await tokenBalance(connection, spl1(), alice.publicKey), undefined, "nothing was paid");
      await screenshot(page, "03-signature-rejected");
      await assertAccessible(page, "signature rejected");

      // When: it signs
      wallet.mode = "sign";
      await page.getByRole("button", { name: "Claim 2.5 tokens" }).click();
      const result = page.locator("[data-claim-result]");
      await result.waitFor({ timeout: 60_000 });
      assert.match(await text(result), /Claimed 2\.5 tokens/);
      const link = result.locator("a[data-signature]");
      const signature = await link.getAttribute("data-signature");
      assert.ok(signature);
      assert.equal(
        await link.getAttribute("href"),
        `https://explorer.solana.com/tx/${signature}?cluster=custom&customUrl=${encodeURIComponent(chain().net.url)}`,
      );
      // Then: on-chain, the transaction landed and the wallet holds the tokens
      const landed = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
      assert.equal(landed?.meta?.err, null);
      assert.equal(await tokenBalance(connection, spl1(), alice.publicKey), 2_500_000n);
      assert.equal(wallet.signed, 1);
      await waitState(page, "nothing-new");
      assert.equal(await figure(page, "claimed"), "2.5");
      assert.equal(await figure(page, "claimable"), "0");
      await screenshot(page, "04-claimed");
      await assertAccessible(page, "claimed");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("Given epoch 2 (+1 token) proposed and inside its timelock, When the wallet connects by keyboard alone, Then it sees the pending amount with its activation time and nothing to claim now", async () => {
    const { connection } = chain();
    await settle(db(), [[alice, 100_000]]);
    await publishNextEpoch(publishContext(db(), connection, dataDir, d.publisher), d.address.toBase58());
    const { context, page } = await openPage();
    try {
      // keyboard only: the first Tab reaches the wallet's connect button, Enter presses it
      await page.getByRole("button", { name: "Connect Merit Test Wallet" }).waitFor();
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate("document.activeElement.textContent.trim()"), "Connect Merit Test Wallet");
      await page.keyboard.press("Enter");
      await waitState(page, "pending");
      assert.match(await figure(page, "pending"), /^1\s+from /);
      assert.match(await text(page.locator("#state")), /1 more tokens become claimable on .+ epoch 2's root activates/);
      assert.equal(await figure(page, "claimable"), "0");
      assert.ok(await page.getByRole("button", { name: "Claim", exact: true }).isDisabled());
      await screenshot(page, "05-pending-root");
      await assertAccessible(page, "pending root");
    } finally {
      await context.close();
    }
  });

  it("Given the guardian paused the distributor, When the wallet opens the page, Then it says claims are paused and offers no claim", async () => {
    const { connection } = chain();
    await setPaused(connection, d, true);
    const { context, page } = await openPage();
    try {
      await connect(page);
      await waitState(page, "paused");
      assert.ok(await page.getByRole("button", { name: /^Claim/ }).isDisabled());
      await screenshot(page, "06-paused");
    } finally {
      await setPaused(connection, d, false);
      await context.close();
    }
  });

  it("Given a wallet whose account is on mainnet, When it connects to a page on the development chain, Then the page says wrong network", async () => {
    const { context, page } = await openPage({ chains: ["solana:mainnet"] });
    try {
      await connect(page);
      await waitState(page, "wrong-network");
      await screenshot(page, "07-wrong-network");
    } finally {
      await context.close();
    }
  });

  it("Given a wallet merit knows nothing of, When it is looked up, Then the page says no rewards yet", async () => {
    const { connection } = chain();
    const stranger = await fundedKeypair(connection);
    const { context, page } = await openPage({ path: `/claim/?wallet=${stranger.publicKey.toBase58()}` });
    try {
      await waitState(page, "no-rewards");
      await screenshot(page, "08-no-rewards");
      await assertAccessible(page, "no rewards");
    } finally {
      await context.close();
    }
  });

  it("Given a phone-sized viewport (375 px), When the wallet connects, Then nothing overflows sideways and the claim controls are on screen", async () => {
    const { context, page } = await openPage({ width: 375 });
    try {
      await connect(page);
      await waitState(page, "pending");
      const overflow = await page.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document
          .documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
      const box = await page.getByRole("button", { name: "Claim", exact: true }).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `the claim button is off screen: ${JSON.stringify(box)}`);
      await screenshot(page, "09-phone-375px");
      await assertAccessible(page, "phone");
    } finally {
      await context.close();
    }
  });

  it("Given merit's API stopped and epoch 2 past its timelock, When the page on a static host (with the proof shards beside it) opens, Then it says it works from the shards and the claim of epoch 2 pays 1 token", async () => {
    const { connection, net } = chain();
    // A static host: the built page, and the epochs' proof shards as the publisher wrote them.
    const host = new Hono();
    host.route("/", claimPageRoutes({ rpcUrl: net.url }));
    host.use(
      "/shards/*",
      serveStatic({ root: join(dataDir, "epochs", d.address.toBase58()), rewriteRequestPath: (p) => p.replace(/^\/shards/, "") }),
    );
    const statik = await listen(host);
    const apiUrl = daemon.url;
    await daemon.stop();
    net.warp({ seconds: DELAY + 1 });
    const query = new URLSearchParams({ api: apiUrl, shards: `${statik.url}/shards/{epoch}/shards`, distributor: d.address.toBase58() });
    const { context, page } = await openPage({
      base: statik.url,
      path: `/claim/?${query.toString().replaceAll("%7B", "{").replaceAll("%7D", "}")}`,
    });
    try {
      await connect(page);
      await waitState(page, "claimable");
      assert.match(await text(page.locator('[data-notice="api-down"]')), /Working without merit's API/);
      assert.equal(await figure(page, "claimable"), "1");
      assert.equal(await figure(page, "claimed"), "2.5");
      await screenshot(page, "10-api-down-shards");
      await assertAccessible(page, "API down");
      await page.getByRole("button", { name: "Claim 1 tokens" }).click();
      const result = page.locator("[data-claim-result]");
      await result.waitFor({ timeout: 60_000 });
      assert.match(await text(result), /proof from the static proof shards/);
      assert.equal(await tokenBalance(connection, spl1(), alice.publicKey), 3_500_000n);
      await screenshot(page, "11-api-down-claimed");
    } finally {
      await context.close();
      await statik.stop();
      daemon = await startDaemon();
    }
  });

  it("Given the admin set a claim expiry (30 days' notice) and chain time passed it, When the wallet opens the page, Then it says the claim window has closed and offers no claim", async () => {
    const { connection, net } = chain();
    const clock = await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY, "confirmed");
    const now = clock!.data.readBigInt64LE(32);
    const month = 30n * 86_400n;
    const params = { activationDelay: BigInt(DELAY), gracePeriod: 600n, maxTotalIncrease: 1n << 50n, claimExpiry: now + month + 60n };
    await sendAndConfirmTransaction(
      connection,
      new Transaction().add(setParamsInstruction({ admin: d.admin.publicKey, distributor: d.address, params })),
      [d.admin],
      {
        commitment: "confirmed",
      },
    );
    net.warp({ seconds: Number(month) + 120 });
    const { context, page } = await openPage();
    try {
      await connect(page);
      await waitState(page, "expired");
      assert.match(await text(page.locator("#state")), /The claim window has closed/);
      assert.ok(await page.getByRole("button", { name: /^Claim/ }).isDisabled());
      await screenshot(page, "14-claim-expired");
      await assertAccessible(page, "claim expired");
    } finally {
      await context.close();
    }
  });
}
