// The wallet holders' group of `merit`, run as the real bin in a child process against merit's real
// HTTP API (createApp over the test Postgres, on a loopback port) and the development chain running
// the real distributor program. Given: epoch 1 (Alice 30, Bob 50 base units) published and active;
// epoch 2 (Alice +20) proposed and in its timelock.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as spl from "@solana/spl-token";
import { Connection, Keypair } from "@solana/web3.js";
import { type ApiServer, flowApiDeps, startApi } from "./helpers/api.js";
import { tokenBalance } from "./helpers/claim-chain.js";
import { freePort, isOneLineError, merit, meritIn, useJsonDir } from "./helpers/indexer-cli.js";
import { closeConnection, fundedKeypair, useLocalnet } from "./helpers/localnet.js";
import { type ChainDistributor, configure, createDistributor, publishContext, publishNextEpoch, settle } from "./helpers/publish-chain.js";
import { useFreshDb } from "./setup/db.js";

describe("merit, wallet holder commands (the bin as a subprocess, the real API and development chain)", function () {
  this.timeout(240_000);
  const chain = useLocalnet();
  const db = useFreshDb({ max: 6 });
  const files = useJsonDir("merit-cli-wallet-");
  let dataDir: string;
  let d: ChainDistributor;
  let alice: Keypair, bob: Keypair;
  let api: ApiServer;
  const A = () => alice.publicKey.toBase58();
  const spl1 = () => ({ mint: d.mint, tokenProgram: spl.TOKEN_PROGRAM_ID });
  const keypairFile = (name: string, kp: Keypair) => files.file(name, Array.from(kp.secretKey));
  const rpc = () => chain().net.url;

  before(async () => {
    const { connection, net } = chain();
    dataDir = mkdtempSync(join(tmpdir(), "merit-cli-wallet-data-"));
    d = await createDistributor(connection, { fund: 1_000_000_000n });
    await configure(db(), d);
    [alice, bob] = await Promise.all([fundedKeypair(connection), fundedKeypair(connection)]);
    const ctx = publishContext(db(), connection, dataDir, d.publisher);
    await settle(db(), [
      [alice, 3],
      [bob, 5],
    ]);
    await publishNextEpoch(ctx, d.address.toBase58(), net);
    await settle(db(), [[alice, 2]]);
    await publishNextEpoch(ctx, d.address.toBase58());
    api = await startApi(flowApiDeps(db(), connection, dataDir));
  });
  after(async () => {
    await api?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("given --help, then status, claim and history are listed first, under Wallet holders", async () => {
    const r = await merit("--help");
    const wallet = r.stdout.slice(r.stdout.indexOf("Wallet holders:"), r.stdout.indexOf("Operators:"));
    assert.ok(r.stdout.indexOf("Wallet holders:") < r.stdout.indexOf("Operators:"));
    for (const c of ["status", "claim", "history"]) assert.match(wallet, new RegExp(`^  ${c}\\b`, "m"));
  });

  describe("status", () => {
    it("given Alice's epoch 1 active and epoch 2 pending, when `status` runs with the API at API_HOST:API_PORT, then it reads allocated, claimed, claimable and pending in base units", async () => {
      const port = new URL(api.url).port;
      const r = await meritIn({ ...process.env, API_HOST: "127.0.0.1", API_PORT: port }, "status", A());
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^wallet +${A()}$`, "m"));
      assert.match(r.stdout, /^points +5\.000 total, 0\.000 earned in the open epoch/m);
      assert.match(r.stdout, new RegExp(`^tokens, in base units of mint ${d.mint.toBase58()}:$`, "m"));
      assert.match(r.stdout, /^ {2}allocated +30 \(cumulative, as of active epoch 1\)$/m);
      assert.match(r.stdout, /^ {2}claimed +0 \(on-chain\)$/m);
      assert.match(r.stdout, /^ {2}claimable +30 /m);
      assert.match(r.stdout, /^ {2}pending +20 more in epoch 2, claimable from \d{4}-\d\d-\d\dT/m);
      assert.match(r.stdout, /^claims end +never$/m);
      assert.equal(r.stderr, "", "no progress on a pipe");
    });

    it("given --json, then one JSON document with the API's figures as decimal strings", async () => {
      const r = await merit("status", A(), "--json", "--api", api.url);
      assert.equal(r.code, 0, r.stderr);
      const w = JSON.parse(r.stdout);
      assert.equal(w.known, true);
      assert.deepEqual(
        [w.wallet, w.mint, w.activeEpoch, w.cumulative, w.claimed, w.claimable],
        [A(), d.mint.toBase58(), "1", "30", "0", "30"],
      );
      assert.deepEqual([w.pending.epoch, w.pending.amount], ["2", "20"]);
      assert.deepEqual(w.points, { unit: "millipoint", total: "5000", pendingInOpenEpoch: "0" });
    });

    it("given a wallet merit knows nothing of, then it says not eligible and exits 0 (--json: known false); a malformed address is exit 2", async () => {
      const stranger = Keypair.generate().publicKey.toBase58();
      const r = await merit("status", stranger, "--api", api.url);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /not eligible/);
      const j = await merit("status", stranger, "--api", api.url, "--json");
      assert.equal(j.code, 0, j.stderr);
      assert.deepEqual([JSON.parse(j.stdout).known, JSON.parse(j.stdout).error], [false, "unknown_wallet"]);
      const bad = await merit("status", "not-a-wallet", "--api", api.url);
      assert.equal(bad.code, 2);
      assert.ok(isOneLineError(bad.stderr), bad.stderr);
    });

    it("given the API stopped, then exit 3 naming the daemon and --api; given the API's RPC down, then exit 3 naming /readyz", async () => {
      const stopped = `http://127.0.0.1:${await freePort()}`;
      const r = await merit("status", A(), "--api", stopped);
      assert.equal(r.code, 3, r.stderr);
      assert.ok(isOneLineError(r.stderr), r.stderr);
      assert.match(r.stderr, /did not answer at http:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED.*merit start.*--api/);
      const deadRpc = new Connection("http://127.0.0.1:9", "confirmed");
      const noRpc = await startApi(flowApiDeps(db(), deadRpc, dataDir));
      try {
        const down = await merit("status", A(), "--api", noRpc.url);
        assert.equal(down.code, 3, down.stderr);
        assert.match(down.stderr, /its database or RPC is not .*\/readyz/);
      } finally {
        await noRpc.stop();
        closeConnection(deadRpc);
      }
    });
  });

  describe("history", () => {
    it("given two scored settlements of Alice's, then --json lists both ledger rows with their reasons, newest first; --limit 1 --all follows the cursor", async () => {
      const r = await merit("history", A(), "--json", "--api", api.url);
      assert.equal(r.code, 0, r.stderr);
      const h = JSON.parse(r.stdout);
      assert.deepEqual(
        h.rows.map((x: { delta: string; reason: string }) => [x.delta, x.reason]),
        [
          ["2000", "earn"],
          ["3000", "earn"],
        ],
      );
      assert.equal(h.nextCursor, null);
      const paged = await merit("history", A(), "--json", "--limit", "1", "--all", "--api", api.url);
      assert.equal(paged.code, 0, paged.stderr);
      assert.deepEqual(JSON.parse(paged.stdout).rows, h.rows);
      const first = await merit("history", A(), "--json", "--limit", "1", "--api", api.url);
      assert.equal(JSON.parse(first.stdout).rows.length, 1);
      assert.notEqual(JSON.parse(first.stdout).nextCursor, null);
      const readable = await merit("history", A(), "--api", api.url);
      assert.match(readable.stdout, /^\S+Z +\+2\.000 +earn +settlement \d+$/m);
    });

    it("given --csv, then the API's CSV with one header; --limit 1 --all joins the pages under that one header", async () => {
      const r = await merit("history", A(), "--csv", "--api", api.url);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split("\r\n");
      assert.equal(lines[0], "id,seq,settlementId,delta,reason,campaignId,ruleId,referralPath,ruleSetVersion,note,occurredAt");
      assert.equal(lines.length, 3);
      assert.deepEqual(
        lines.slice(1).map((l) => l.split(",").slice(3, 5)),
        [
          ["2000", "earn"],
          ["3000", "earn"],
        ],
      );
      const paged = await merit("history", A(), "--csv", "--limit", "1", "--all", "--api", api.url);
      assert.equal(paged.stdout, r.stdout);
    });
  });

  describe("claim", () => {
    it("given a fresh wallet's keypair file, when it claims (RPC from LOCALNET_PORT), then its token account is created and holds 30; the output names amount, epoch, signature and recipient", async () => {
      const { connection } = chain();
      assert.equal(await tokenBalance(connection, spl1(), alice.publicKey), undefined, "no token account yet");
      const env = { ...process.env, LOCALNET_PORT: new URL(rpc()).port };
      const r = await meritIn(env, "claim", "--keypair", keypairFile("alice.json", alice), "--api", api.url);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^claimed 30 \\(base units\\) under epoch 1 to ${A()}$`, "m"));
      const signature = /^ {2}signature +(\w+)$/m.exec(r.stdout)?.[1];
      assert.ok(signature, r.stdout);
      assert.equal((await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 }))?.meta?.err, null);
      assert.equal(await tokenBalance(connection, spl1(), alice.publicKey), 30n);
      const after = JSON.parse((await merit("status", A(), "--json", "--api", api.url)).stdout);
      assert.deepEqual([after.claimed, after.claimable], ["30", "0"]);
    });

    it("given Alice already claimed everything active, when she claims again, then one line says there is nothing new to claim and the exit code is 2", async () => {
      const r = await merit("claim", "--keypair", keypairFile("alice.json", alice), "--api", api.url, "--rpc", rpc());
      assert.equal(r.code, 2, r.stderr);
      assert.ok(isOneLineError(r.stderr), r.stderr);
      assert.match(r.stderr, /^error: there is nothing new to claim/);
      assert.equal(await tokenBalance(chain().connection, spl1(), alice.publicKey), 30n);
    });

    it("given Bob moving away from his key, when he claims --to another wallet --json, then that wallet receives all 50 in the same transaction", async () => {
      const { connection } = chain();
      const carol = Keypair.generate().publicKey;
      const bobFile = keypairFile("bob.json", bob);
      const r = await merit("claim", "--keypair", bobFile, "--to", carol.toBase58(), "--api", api.url, "--rpc", rpc(), "--json");
      assert.equal(r.code, 0, r.stderr);
      const c = JSON.parse(r.stdout);
      assert.deepEqual(
        [c.wallet, c.recipient, c.amount, c.epoch, c.proofSource],
        [bob.publicKey.toBase58(), carol.toBase58(), "50", "1", "api"],
      );
      assert.equal(c.recipientTokenAccount, spl.getAssociatedTokenAddressSync(d.mint, carol).toBase58());
      assert.equal(await tokenBalance(connection, spl1(), carol), 50n);
      assert.equal(await tokenBalance(connection, spl1(), bob.publicKey), 0n);
    });

    it("given no proof source answers, then exit 3 with claim()'s sentence; given an unreadable keypair file, then exit 2", async () => {
      const stopped = `http://127.0.0.1:${await freePort()}`;
      const r = await merit("claim", "--keypair", keypairFile("bob.json", bob), "--api", stopped, "--rpc", rpc());
      assert.equal(r.code, 3, r.stderr);
      assert.ok(isOneLineError(r.stderr), r.stderr);
      assert.match(r.stderr, /^error: the proof could not be fetched/);
      const missing = await merit("claim", "--keypair", join(files.dir, "none.json"), "--api", api.url, "--rpc", rpc());
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /^error: --keypair: cannot read .*none\.json \(ENOENT\)/);
    });
  });
});
