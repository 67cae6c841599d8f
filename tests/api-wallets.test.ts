import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Connection, type Keypair } from "@solana/web3.js";
import { ApiNetworkError, ApiNotFoundError, ApiUnavailableError, apiClient } from "@merit/clients/api";
import { decodeKey58, leafHash, readClaimProof, verifyProof } from "@merit/clients/merkle";
import { createReferralCode } from "../indexer/src/accounts/referrals.js";
import { connect } from "../indexer/src/db/connection.js";
import { closeEpoch, DATASET_FILE, epochDir, MANIFEST_FILE } from "../indexer/src/epochs/close.js";
import { snapshotLeaderboard } from "../indexer/src/ledger/queries.js";
import { followEpochs } from "../indexer/src/publish/follow.js";
import { publishEpoch } from "../indexer/src/publish/publish.js";
import { type ApiServer, startApi } from "./helpers/api.js";
import { closeConnection, fundedKeypair, useLocalnet } from "./helpers/localnet.js";
import {
  type ChainDistributor,
  claimFromShards,
  configure,
  createDistributor,
  DELAY,
  publishContext,
  settle,
} from "./helpers/publish-chain.js";
import { useFreshDb } from "./setup/db.js";

/**
 * The public wallet, epoch and chain routes over real HTTP, against the real Postgres and the
 * development chain running the real distributor program. Given: epoch 1 (Alice 30, Bob 50 base
 * units) published, activated and claimed by Alice; epoch 2 (Alice +20) published and still in its
 * timelock; 1 more point of Alice's in the open epoch. Every response is checked against /openapi.json.
 */
describe("api: wallets, proofs, epochs and the distributor over HTTP (development chain, Postgres)", function () {
  this.timeout(180_000);
  const chain = useLocalnet();
  const db = useFreshDb({ max: 6 });
  let dataDir: string;
  let d: ChainDistributor;
  let alice: Keypair, bob: Keypair, carol: Keypair;
  let api: ApiServer;
  const A = () => alice.publicKey.toBase58();
  const B = () => bob.publicKey.toBase58();
  const C = () => carol.publicKey.toBase58();
  const deps = () => ({
    sql: db(),
    connection: chain().connection,
    dataDir,
    corsOrigins: [],
    rateLimitPerMinute: 0,
    cacheMs: 0,
    chainCacheMs: 0,
  });

  before(async () => {
    const { connection, net } = chain();
    dataDir = mkdtempSync(join(tmpdir(), "merit-api-"));
    d = await createDistributor(connection, { fund: 1_000_000_000n });
    await configure(db(), d);
    [alice, bob, carol] = await Promise.all([fundedKeypair(connection), fundedKeypair(connection), fundedKeypair(connection)]);
    const ctx = publishContext(db(), connection, dataDir, d.publisher);
    const distributor = d.address.toBase58();
    await settle(db(), [
      [alice, 3],
      [bob, 5],
    ]);
    await closeEpoch(db(), { distributor, dataDir });
    assert.equal((await publishEpoch(ctx, { distributor })).outcome, "proposed");
    net.warp({ seconds: DELAY + 1 });
    await followEpochs(ctx, { distributor });
    assert.equal(await claimFromShards(connection, d, dataDir, 1n, alice), 30n);
    await settle(db(), [[alice, 2]]);
    await closeEpoch(db(), { distributor, dataDir });
    assert.equal((await publishEpoch(ctx, { distributor })).outcome, "proposed");
    await settle(db(), [[alice, 1]]);
    api = await startApi(deps());
  });
  after(async () => {
    await api?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  describe("GET /v1/wallets/:address", () => {
    it("given Alice claimed epoch 1 and epoch 2 is pending, then points, cumulative, claimed (on-chain), claimable and the pending amount add up", async () => {
      const r = await api.get(`/v1/wallets/${A()}`);
      assert.equal(r.status, 200);
      const w = r.body as Record<string, unknown>;
      assert.deepEqual(w.points, { unit: "millipoint", total: "6000", pendingInOpenEpoch: "1000" });
      assert.equal(w.distributor, d.address.toBase58());
      assert.equal(w.mint, d.mint.toBase58());
      assert.equal(w.activeEpoch, "1");
      assert.equal(w.cumulative, "30");
      assert.equal(w.claimed, "30", "read from Alice's ClaimStatus account");
      assert.equal(w.claimable, "0");
      const pending = w.pending as { epoch: string; cumulative: string; amount: string; activatesAt: string };
      assert.deepEqual({ ...pending, activatesAt: undefined }, { epoch: "2", cumulative: "50", amount: "20", activatesAt: undefined });
      assert.ok(Date.parse(pending.activatesAt) > Date.now(), "activates after the timelock");
      assert.equal(w.claimExpiresAt, null, "the distributor's claims never expire");
      assert.equal(w.tier, null);
      assert.ok(BigInt(w.slot as string) > 0n);
    });

    it("given Bob never claimed, then all of his cumulative amount is claimable and nothing is pending", async () => {
      const w = (await api.get(`/v1/wallets/${B()}`)).body as Record<string, unknown>;
      assert.deepEqual([w.cumulative, w.claimed, w.claimable, w.pending], ["50", "0", "50", null]);
    });

    it("given Alice, Bob and an unknown wallet asked for at once (one batched read), then each gets its own figures", async () => {
      const rs = await Promise.all([A(), C(), B(), A(), B()].map((w) => api.get(`/v1/wallets/${w}`)));
      assert.deepEqual(
        rs.map((r) => r.status),
        [200, 404, 200, 200, 200],
      );
      const figures = rs.map((r) => {
        const w = r.body as Record<string, unknown>;
        return [w.wallet, w.cumulative, w.claimed, (w.points as { total: string } | undefined)?.total];
      });
      assert.deepEqual(figures[0], [A(), "30", "30", "6000"]);
      assert.deepEqual(figures[2]!.slice(0, 3), [B(), "50", "0"]);
      assert.deepEqual(figures[3], figures[0]);
      assert.deepEqual(figures[4], figures[2]);
    });

    it("given a wallet merit knows nothing of, then 404 unknown_wallet; a malformed address is a 400 naming params.address", async () => {
      const r = await api.get(`/v1/wallets/${C()}`);
      assert.equal(r.status, 404);
      assert.equal((r.body as { error: string }).error, "unknown_wallet");
      for (const bad of ["not-an-address", "1111111111111111111111111111111111111111111"]) {
        const b = await api.get(`/v1/wallets/${bad}`);
        assert.equal(b.status, 400, bad);
        assert.equal((b.body as { field: string }).field, "params.address");
      }
      const q = await api.get(`/v1/wallets/${A()}?distributor=nope`);
      assert.equal(q.status, 400);
      assert.equal((q.body as { field: string }).field, "query.distributor");
      const other = await api.get(`/v1/wallets/${A()}?distributor=${C()}`);
      assert.equal(other.status, 404);
      assert.equal((other.body as { error: string }).error, "unknown_distributor");
    });

    it("given the RPC node down, then a known wallet is a 503 and an unknown one still a 404; given the database down, then both are 503", async () => {
      const deadRpc = new Connection("http://127.0.0.1:9", "confirmed");
      const noRpc = await startApi({ ...deps(), connection: deadRpc });
      const deadDb = connect("postgres://merit@127.0.0.1:9/none", { max: 1, name: "merit-dead" });
      const noDb = await startApi({ ...deps(), sql: deadDb });
      try {
        const known = await noRpc.get(`/v1/wallets/${A()}`);
        assert.equal(known.status, 503);
        assert.equal((known.body as { error: string }).error, "unavailable");
        assert.equal((await noRpc.get(`/v1/wallets/${C()}`)).status, 404);
        assert.equal((await noRpc.get(`/v1/distributor`)).status, 503);
        for (const who of [A(), C()]) {
          const r = await noDb.get(`/v1/wallets/${who}`);
          assert.equal(r.status, 503, who);
          assert.ok(r.headers.get("retry-after"));
          assert.equal((await noDb.get(`/v1/wallets/${who}/proof`)).status, 503);
        }
        assert.equal((await noDb.get("/v1/epochs")).status, 503);
        await assert.rejects(apiClient(noDb.url).wallet(A()), ApiUnavailableError, "the typed client's 503");
        await assert.rejects(apiClient(noRpc.url).wallet(C()), ApiNotFoundError, "the typed client's 404");
      } finally {
        await Promise.all([noRpc.stop(), noDb.stop()]);
        closeConnection(deadRpc);
        await deadDb.end({ timeout: 0 });
      }
    });
  });

  describe("GET /v1/wallets/:address/proof", () => {
    it("given an active and a pending root, then both proofs are served in the documented shape and verify against their roots", async () => {
      const r = await api.get(`/v1/wallets/${A()}/proof`);
      assert.equal(r.status, 200);
      const p = r.body as {
        wallet: string;
        distributor: string;
        mint: string;
        active: { epoch: string; root: string; amount: string; proof: string[] };
        pending: { epoch: string; root: string; amount: string; proof: string[]; activatesAt: string };
      };
      assert.deepEqual(Object.keys(p), ["wallet", "distributor", "mint", "active", "pending"]);
      assert.deepEqual([p.wallet, p.distributor, p.mint], [A(), d.address.toBase58(), d.mint.toBase58()]);
      assert.deepEqual([p.active.epoch, p.active.amount, p.pending.epoch, p.pending.amount], ["1", "30", "2", "50"]);
      for (const x of [p.active, p.pending]) {
        const leaf = leafHash(p.distributor, decodeKey58(A())!, BigInt(x.amount));
        assert.ok(
          verifyProof(
            Buffer.from(x.root, "hex"),
            leaf,
            x.proof.map((h) => Buffer.from(h, "hex")),
          ),
          `epoch ${x.epoch}'s proof reaches its root`,
        );
      }
      const client = await apiClient(api.url).proof(A());
      assert.equal(client.active?.amount, 30n, "the typed client parses u64 strings as bigint");
      assert.equal(client.pending?.epoch, 2n);
    });

    it("given the active and pending epochs cached, when the database goes away, then proofs are still served (the hot path makes no query)", async () => {
      const own = connect(process.env.DATABASE_URL!, { max: 1, name: "merit-api-proof" });
      const server = await startApi({ ...deps(), sql: own, cacheMs: 60_000 });
      try {
        assert.equal((await server.get(`/v1/wallets/${A()}/proof`)).status, 200);
        await own.end();
        const again = await server.get(`/v1/wallets/${B()}/proof`);
        assert.equal(again.status, 200);
        assert.equal((again.body as { active: { amount: string } }).active.amount, "50");
      } finally {
        await server.stop();
      }
    });

    it("given a wallet with no leaf, then 404 unknown_wallet (the typed client throws ApiNotFoundError); an unreachable API is an ApiNetworkError", async () => {
      const r = await api.get(`/v1/wallets/${C()}/proof`);
      assert.equal(r.status, 404);
      assert.equal((r.body as { error: string }).error, "unknown_wallet");
      await assert.rejects(apiClient(api.url).proof(C()), (e: unknown) => e instanceof ApiNotFoundError && e.code === "unknown_wallet");
      await assert.rejects(apiClient("http://127.0.0.1:9").proof(A()), ApiNetworkError);
      assert.equal((await api.get("/v1/wallets/xyz/proof")).status, 400);
    });
  });

  describe("GET /v1/wallets/:address/history and /epochs", () => {
    it("given Alice's three settlements, then the history pages newest first by cursor, and as CSV", async () => {
      const first = (await api.get(`/v1/wallets/${A()}/history?limit=2`)).body as {
        rows: { id: string; delta: string; reason: string }[];
        nextCursor: string;
      };
      assert.deepEqual(
        first.rows.map((r) => r.delta),
        ["1000", "2000"],
      );
      assert.ok(first.rows.every((r) => r.reason.length > 0));
      assert.ok(first.nextCursor);
      const second = (await api.get(`/v1/wallets/${A()}/history?limit=2&cursor=${first.nextCursor}`)).body as {
        rows: { delta: string }[];
        nextCursor: string | null;
      };
      assert.deepEqual(
        second.rows.map((r) => r.delta),
        ["3000"],
      );
      assert.equal(second.nextCursor, null);
      const csv = await api.get(`/v1/wallets/${A()}/history`, { accept: "text/csv" });
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get("content-type") ?? "", /^text\/csv/);
      const lines = csv.text.trim().split("\r\n");
      assert.equal(lines[0], "id,seq,settlementId,delta,reason,campaignId,ruleId,referralPath,ruleSetVersion,note,occurredAt");
      assert.equal(lines.length, 4);
      for (const [q, field] of [
        ["limit=0", "query.limit"],
        ["limit=501", "query.limit"],
        ["cursor=abc", "query.cursor"],
      ]) {
        const r = await api.get(`/v1/wallets/${A()}/history?${q}`);
        assert.equal(r.status, 400, q);
        assert.equal((r.body as { field: string }).field, field);
      }
      assert.equal((await api.get(`/v1/wallets/${C()}/history`)).status, 404);
    });

    it("given two epochs, then Alice's per-epoch amounts are listed (JSON and CSV), not only the cumulative one", async () => {
      const r = (await api.get(`/v1/wallets/${A()}/epochs`)).body as {
        epochs: { epoch: string; released: string; cumulative: string; status: string }[];
      };
      assert.deepEqual(
        r.epochs.map((e) => [e.epoch, e.status, e.released, e.cumulative]),
        [
          ["1", "active", "30", "30"],
          ["2", "pending", "20", "50"],
        ],
      );
      const csv = await api.get(`/v1/wallets/${A()}/epochs`, { accept: "text/csv" });
      assert.equal(csv.text.trim().split("\r\n").length, 3);
      assert.match(csv.text, /^epoch,status,points,/);
      assert.equal((await api.get(`/v1/wallets/${C()}/epochs`)).status, 404);
    });
  });

  describe("epochs and their files", () => {
    it("given two published epochs, then /v1/epochs lists them and /v1/epochs/:n shows root, totals, status, signature and hashes", async () => {
      const list = (await api.get("/v1/epochs")).body as { epochs: { epoch: string; status: string }[] };
      assert.deepEqual(
        list.epochs.map((e) => [e.epoch, e.status]),
        [
          ["1", "active"],
          ["2", "pending"],
        ],
      );
      const e = (await api.get("/v1/epochs/1")).body as Record<string, unknown>;
      assert.equal(e.cumulativeTotal, "80");
      assert.equal(e.leafCount, 2);
      assert.match(e.proposeSignature as string, /^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
      assert.match(e.datasetHash as string, /^[0-9a-f]{64}$/);
      const missing = await api.get("/v1/epochs/9");
      assert.equal(missing.status, 404);
      assert.equal((missing.body as { error: string }).error, "unknown_epoch");
      const bad = await api.get("/v1/epochs/0");
      assert.equal(bad.status, 400);
      assert.equal((bad.body as { field: string }).field, "params.n");
    });

    it("given epoch 1's files, then dataset and manifest download byte for byte, immutable with an ETag, and If-None-Match gets 304", async () => {
      const dir = epochDir(dataDir, d.address.toBase58(), 1n);
      for (const [path, file] of [
        ["dataset", DATASET_FILE],
        ["manifest", MANIFEST_FILE],
      ]) {
        const r = await api.get(`/v1/epochs/1/${path}`);
        assert.equal(r.status, 200);
        assert.equal(r.text, readFileSync(join(dir, file!), "utf8"));
        assert.match(r.headers.get("cache-control") ?? "", /immutable/);
        const etag = r.headers.get("etag");
        assert.ok(etag);
        const again = await api.get(`/v1/epochs/1/${path}`, { "if-none-match": etag });
        assert.equal(again.status, 304);
        assert.equal(again.text, "");
      }
    });

    it("given the API as a shardsUrl, then readClaimProof gets Alice's proof over HTTP, checked against the root", async () => {
      const e = (await api.get("/v1/epochs/1")).body as { root: string; files: { shards: string } };
      assert.equal(e.files.shards, "/v1/epochs/1/shards");
      const p = await readClaimProof(apiClient(api.url).shardsUrl(1n), A(), { expectedRoot: e.root });
      assert.equal(p?.amount, 30n);
      const manifest = await api.get("/v1/epochs/1/shards/manifest.json");
      assert.equal(manifest.status, 200);
      assert.ok(manifest.headers.get("etag"));
      const bad = await api.get("/v1/epochs/1/shards/..%2F..%2Fsecret.json");
      assert.equal(bad.status, 400);
      assert.equal((bad.body as { field: string }).field, "params.file");
      assert.equal((await api.get("/v1/epochs/1/shards/fff.json")).status, 404);
    });
  });

  describe("leaderboard, referrals and the distributor", () => {
    it("given balances, then the live leaderboard honours limit (max 1000) and an epoch's snapshot is served", async () => {
      const live = (await api.get("/v1/leaderboard?limit=1")).body as {
        unit: string;
        rows: { rank: number; account: string; points: string }[];
      };
      assert.equal(live.unit, "millipoint");
      assert.deepEqual(live.rows, [{ rank: 1, account: A(), points: "6000" }]);
      const tooMany = await api.get("/v1/leaderboard?limit=1001");
      assert.equal(tooMany.status, 400);
      assert.equal((tooMany.body as { field: string }).field, "query.limit");
      const none = await api.get("/v1/leaderboard?epoch=1");
      assert.equal(none.status, 404);
      await snapshotLeaderboard(db(), 1n);
      const snap = (await api.get("/v1/leaderboard?epoch=1")).body as { epoch: string; rows: { account: string }[] };
      assert.equal(snap.epoch, "1");
      assert.deepEqual(
        snap.rows.map((r) => r.account),
        [A(), B()],
      );
    });

    it("given a referral code, then it names its owner; an unknown code is a 404 and a malformed one a 400 naming params.code", async () => {
      await createReferralCode(db(), { account: A(), code: "alice-1" });
      const r = await api.get("/v1/referrals/alice-1");
      assert.deepEqual(
        { ...(r.body as object), createdAt: undefined },
        { code: "alice-1", referrer: A(), referees: 0, createdAt: undefined },
      );
      assert.equal((await api.get("/v1/referrals/nobody")).status, 404);
      const bad = await api.get("/v1/referrals/a");
      assert.equal(bad.status, 400);
      assert.equal((bad.body as { field: string }).field, "params.code");
    });

    it("given the distributor on-chain, then its authorities, timelock, cap, pending queue and pause flag are decoded", async () => {
      const s = (await api.get("/v1/distributor")).body as Record<string, unknown>;
      assert.equal(s.admin, d.admin.publicKey.toBase58());
      assert.equal(s.publisher, d.publisher.publicKey.toBase58());
      assert.equal(s.guardian, d.guardian.publicKey.toBase58());
      assert.equal(s.pendingAdmin, null);
      assert.equal(s.activationDelaySeconds, String(DELAY));
      assert.equal(s.maxTotalIncrease, "1000000000");
      assert.equal(s.paused, false);
      assert.equal(s.currentEpoch, "1");
      assert.equal(s.totalClaimed, "30");
      assert.deepEqual(
        (s.pending as { epoch: string }[]).map((p) => p.epoch),
        ["2"],
      );
      const typed = await apiClient(api.url).distributor();
      assert.equal(typed.vaultBalance, 1_000_000_000n - 30n);
    });
  });
});
