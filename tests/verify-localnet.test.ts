// The auditor's verify (docs/verify.md) against epochs closed from real settlements on the local
// chain and published with the program: honest epochs pass (with --replay reproducing the dataset
// hash), and each kind of tampering fails, naming its reason.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import anchor from "@coral-xyz/anchor";
import { ed25519 } from "@noble/curves/ed25519.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import * as spl from "@solana/spl-token";
import type { Keypair, PublicKey } from "@solana/web3.js";
import bs58 from "bs58";
import { loadDataset, writeDataset, type DatasetRecord, type WalletTotals } from "@merit/clients/dataset";
import { distributorPda, epochRootPda, meritDistributorProgram, vaultPda, type MeritDistributorProgram } from "@merit/clients/idl";
import { verifyEpoch, type VerifyOptions, type VerifyReport } from "@merit/clients/verify";
import { startLocalnet, type Localnet } from "@merit/localnet";
import { completeLink, requestLink } from "../indexer/src/accounts/accounts.js";
import { adoptReferrer, createReferralCode, requestReferral } from "../indexer/src/accounts/referrals.js";
import { replayChecks } from "../indexer/src/audit/replay.js";
import { publishRuleSet, scoreBatch } from "../indexer/src/engine/index.js";
import { adjustPoints } from "../indexer/src/ledger/queries.js";
import { type ClosedEpoch, closeEpoch, DATASET_FILE, MANIFEST_FILE } from "../indexer/src/epochs/close.js";
import { addDistributor } from "../indexer/src/epochs/queries.js";
import { getIngestWatermark, startIngest, watchRules, type WatchRules } from "../indexer/src/ingest/index.js";
import { createWorld, rulesOf, runScenario, sendFacilitated, type World } from "./fixtures/ingest/localnet-scenario.js";
import { testWallet } from "./helpers/ledger-fixtures.js";
import { closeConnection, fundedKeypair, untilHeadPasses } from "./helpers/localnet.js";
import { merit } from "./helpers/indexer-cli.js";
import { useFreshDb } from "./setup/db.js";

const { AnchorProvider, BN, Wallet } = anchor;
const DELAY = 3600;
const RULES = {
  earn: [{ scope: { kind: "global" as const }, pointsPerUnit: 1000 }],
  referral: { model: "fixed" as const, levels: [1000] },
};
/** A rule-set line of a manifest with the earn rate doubled (the operator's cheat); other lines as they are. */
const doubleEarn = (line: string) =>
  line.includes('"type":"ruleSet"') ? line.replace(/"pointsPerUnit":("?)1000\1/, '"pointsPerUnit":$12000$1') : line;
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const signWith = (kp: Keypair) => (m: string) => bs58.encode(ed25519.sign(utf8ToBytes(m), kp.secretKey.subarray(0, 32)));

interface Published {
  distributor: PublicKey;
  vault: PublicKey;
  epochs: ClosedEpoch[];
}

describe("verify: an auditor checks published epochs against the local chain, without the operator's database", function () {
  this.timeout(300_000);
  const db = useFreshDb();
  let net: Localnet;
  let world: World;
  let rules: WatchRules;
  let admin: Keypair;
  let publisher: Keypair;
  let program: MeritDistributorProgram;
  let rewardMint: PublicKey;
  let dataDir: string;
  let work: string;
  let honest: Published;

  async function ingestAndScore(): Promise<void> {
    await untilHeadPasses(world.connection);
    const handle = await startIngest({ sql: db(), rpcUrl: net.url, rules, pollIntervalMs: 50, batchSize: 5, commitment: "confirmed" });
    const t0 = Date.now();
    while (handle.stats().cycles < 1) {
      if (Date.now() - t0 > 60_000) throw new Error(`poller made no full pass: ${JSON.stringify(handle.stats())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await handle.stop();
    const watermark = (await getIngestWatermark(db()))!;
    while ((await scoreBatch(db(), { maxSlot: watermark })) > 0);
  }

  /** A distributor on-chain (id `id`) whose epochs this database closes. */
  async function newDistributor(id: bigint): Promise<{ distributor: PublicKey; vault: PublicKey }> {
    const [distributor] = distributorPda(rewardMint, admin.publicKey, id);
    const [vault] = vaultPda(distributor);
    await program.methods
      .initializeDistributor(new BN(id.toString()), publisher.publicKey, admin.publicKey, {
        activationDelay: new BN(DELAY),
        gracePeriod: new BN(600),
        maxTotalIncrease: new BN("1000000000000000"),
        claimExpiry: new BN(0),
      })
      .accountsPartial({ admin: admin.publicKey, mint: rewardMint, distributor, vault, tokenProgram: spl.TOKEN_PROGRAM_ID })
      .rpc();
    await addDistributor(db(), {
      address: distributor.toBase58(),
      mint: rewardMint.toBase58(),
      conversion: { mode: "fixed", unitsPerPoint: "10", rounding: "floor", minClaimable: "2" },
    });
    return { distributor, vault };
  }

  async function propose(
    distributor: PublicKey,
    epoch: bigint,
    p: { root: string; total: bigint; leafCount: number; datasetHash: string; inputsHash: string },
  ): Promise<void> {
    const hex = (h: string) => [...Buffer.from(h, "hex")];
    await program.methods
      .proposeRoot(
        new BN(epoch.toString()),
        hex(p.root),
        new BN(p.total.toString()),
        new BN(p.leafCount),
        hex(p.datasetHash),
        hex(p.inputsHash),
      )
      .accountsPartial({ publisher: publisher.publicKey, distributor, epochRoot: epochRootPda(distributor, epoch)[0] })
      .signers([publisher])
      .rpc();
  }

  const publishClosed = (distributor: PublicKey, e: ClosedEpoch) =>
    propose(distributor, e.epoch, {
      root: e.root,
      total: e.cumulativeTotal,
      leafCount: e.leafCount,
      datasetHash: e.datasetHash,
      inputsHash: e.inputsHash,
    });

  const fund = (vault: PublicKey, amount: bigint) => spl.mintTo(world.connection, admin, rewardMint, vault, admin, amount);

  async function close(distributor: PublicKey): Promise<ClosedEpoch> {
    const e = await closeEpoch(db(), { distributor: distributor.toBase58(), dataDir, allowEmpty: true });
    assert.ok(e, "an epoch closes");
    return e;
  }

  const files = (e: ClosedEpoch) => ({ dataset: join(e.dir, DATASET_FILE), manifest: join(e.dir, MANIFEST_FILE) });
  const verify = (o: Omit<VerifyOptions, "rpc">) => verifyEpoch({ rpc: net.url, ...o });
  const verifyReplay = (o: Omit<VerifyOptions, "rpc">, manifestsDir?: string) =>
    verifyEpoch({ rpc: net.url, ...o }, (ctx, checks) =>
      replayChecks({ rpc: net.url, epoch: o.epoch, manifestsDir, requestsPerSecond: 1000 }, ctx, checks),
    );
  const statuses = (r: VerifyReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

  /** A manifest rewritten line by line (the operator's cheat): returns its path and its hash. */
  function rewriteManifest(from: string, edit: (lines: string[]) => string[]): { path: string; inputsHash: string } {
    const path = join(mkdtempSync(join(work, "m-")), MANIFEST_FILE);
    const lines = readFileSync(from, "utf8").split("\n").slice(0, -1);
    writeFileSync(path, `${edit(lines).join("\n")}\n`);
    return { path, inputsHash: sha(path) };
  }

  /** A dataset rewritten from another's records (a valid tree, other figures or header). */
  async function rewriteDataset(
    from: string,
    edit: { inputsHash?: string; epoch?: bigint; records?: (r: DatasetRecord[]) => DatasetRecord[] },
  ) {
    const records: DatasetRecord[] = [];
    const d = await loadDataset(from, { onRecord: (r) => records.push(r) });
    const leaves: WalletTotals[] = (edit.records ? edit.records(records) : records).map((r) => ({ ...r }));
    const path = join(mkdtempSync(join(work, "d-")), DATASET_FILE);
    const w = await writeDataset(
      path,
      {
        distributor: d.header.distributor,
        mint: d.header.mint,
        epoch: edit.epoch ?? d.header.epoch,
        slots: d.header.slots,
        inputsHash: edit.inputsHash ?? d.header.inputsHash,
      },
      leaves,
    );
    return {
      path,
      root: w.header.root,
      total: w.header.totals.cumulativeAmount,
      leafCount: w.header.leafCount,
      datasetHash: w.datasetHash.toString("hex"),
      inputsHash: w.header.inputsHash,
    };
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "merit-verify-data-"));
    work = mkdtempSync(join(tmpdir(), "merit-verify-work-"));
    net = await startLocalnet({ port: 0 });
    world = await createWorld(net.url);
    rules = watchRules(rulesOf(world));
    [admin, publisher] = [await fundedKeypair(world.connection), await fundedKeypair(world.connection)];
    program = meritDistributorProgram(new AnchorProvider(world.connection, new Wallet(admin), { commitment: "confirmed" }));
    rewardMint = await spl.createMint(world.connection, admin, admin.publicKey, null, 6);

    // Scoring inputs the manifest carries with their signatures: a rule set with a referral split,
    // payer 2 adopting payer 1's code (signed by payer 2), an address linked to payer 1 (signed by it).
    const [p1, p2] = world.payers as [Keypair, Keypair];
    await publishRuleSet(db(), { createdBy: "test", body: RULES });
    const code = await createReferralCode(db(), { account: p1.publicKey.toBase58() });
    const rc = await requestReferral(db(), { wallet: p2.publicKey.toBase58(), code });
    await adoptReferrer(db(), { nonce: rc.nonce, signature: signWith(p2)(rc.message) });
    const other = testWallet();
    const lc = await requestLink(db(), { account: p1.publicKey.toBase58(), address: other.address, chain: "solana" });
    await completeLink(db(), { nonce: lc.nonce, signature: other.sign(lc.message) });

    // Epoch 1: the ingest scenario's real transfers; published, funded, activated.
    await runScenario(world);
    await ingestAndScore();
    const d = await newDistributor(1n);
    const e1 = await close(d.distributor);
    await publishClosed(d.distributor, e1);
    await fund(d.vault, e1.cumulativeTotal);
    net.warp({ seconds: DELAY + 1 });
    await program.methods
      .activateRoot()
      .accountsPartial({ distributor: d.distributor, epochRoot: epochRootPda(d.distributor, 1n)[0] })
      .rpc();

    // Epoch 2: more payments by both payers; published (pending), the vault topped up.
    // sent together: most likely in one slot (400 ms), so the replay checks their order in the block
    await Promise.all([
      sendFacilitated(world, p1, world.merchants[0]!.publicKey, 2_500_000n, "x402:order-2"),
      sendFacilitated(world, p2, world.merchants[1]!.publicKey, 1_000_000n, null),
    ]);
    await ingestAndScore();
    await adjustPoints(db(), { account: p2.publicKey.toBase58(), delta: 1500n, note: "support ticket 7", by: "admin" });
    const e2 = await close(d.distributor);
    await publishClosed(d.distributor, e2);
    await fund(d.vault, e2.cumulativeTotal - e1.cumulativeTotal);
    honest = { ...d, epochs: [e1, e2] };
  });

  after(async () => {
    if (program) closeConnection(program.provider.connection);
    await net?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it("given honest epoch 1 published from real settlements, when verify --full --replay runs through the CLI with --json, then every check passes, the replay reproduces the dataset hash, and it exits 0", async () => {
    const e1 = honest.epochs[0]!;
    assert.equal(e1.leafCount, 1, "payer 1's amount is under the minimum: carried, no leaf yet");
    const r = await merit(
      "verify",
      "--epoch",
      "1",
      "--rpc",
      net.url,
      "--dataset",
      files(e1).dataset,
      "--manifest",
      files(e1).manifest,
      "--replay",
      "--full",
      "--json",
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, "", "no progress on a pipe");
    const report = JSON.parse(r.stdout) as VerifyReport;
    assert.equal(report.ok, true);
    assert.equal(report.rootStatus, "active");
    assert.deepEqual(statuses(report), {
      chain: "pass",
      "dataset-hash": "pass",
      tree: "pass",
      "inputs-hash": "pass",
      records: "pass",
      manifest: "pass",
      previous: "skip",
      vault: "pass",
      "manifest-chain": "pass",
      signatures: "pass",
      settlements: "pass",
      order: "pass",
      carry: "pass",
      replay: "pass",
    });
    assert.match(report.checks.find((c) => c.id === "signatures")!.detail, /^1 link and 1 referral signatures hold/);
    assert.match(report.checks.find((c) => c.id === "replay")!.detail, new RegExp(`dataset hash ${e1.datasetHash} is reproduced exactly`));
  });

  it("given honest epoch 2, when verify runs with epoch 1's dataset and --replay with epoch 1's manifest, then no wallet lost anything and the replay reproduces it", async () => {
    const [e1, e2] = honest.epochs as [ClosedEpoch, ClosedEpoch];
    const r = await verifyReplay(
      { epoch: 2n, dataset: files(e2).dataset, manifest: files(e2).manifest, previousDataset: files(e1).dataset },
      join(dataDir, "epochs", honest.distributor.toBase58()),
    );
    assert.equal(r.ok, true, JSON.stringify(r.firstFailure));
    assert.equal(r.rootStatus, "pending");
    assert.equal(statuses(r).previous, "pass");
    assert.equal(statuses(r).replay, "pass");
    assert.equal(statuses(r).carry, "pass");
    assert.match(
      readFileSync(files(e2).manifest, "utf8"),
      new RegExp(`{"claimant":"${world.payers[0]!.publicKey.toBase58()}","pending":"\\d+","type":"carry"}`),
      "payer 1's pending amount is carried into epoch 2",
    );
    const adjusted: DatasetRecord[] = [];
    await loadDataset(files(e2).dataset, { onRecord: (x) => x.adjustmentPoints !== 0n && adjusted.push(x) });
    assert.deepEqual(
      adjusted.map((x) => [x.claimant, x.adjustmentPoints]),
      [[world.payers[1]!.publicKey.toBase58(), 1500n]],
      "the adjustment is replayed from the manifest",
    );
    // and from URLs, as a stranger fetches the operator's published files; the text output names each verdict
    const server = createServer((req, res) => {
      try {
        res.end(readFileSync(join(dataDir, decodeURIComponent(req.url!).replace(/\.\./g, ""))));
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/epochs/${honest.distributor.toBase58()}`;
    const cli = await merit(
      "verify",
      "--epoch",
      "2",
      "--rpc",
      net.url,
      "--dataset",
      `${base}/2/${DATASET_FILE}`,
      "--previous-dataset",
      `${base}/1/${DATASET_FILE}`,
      "--manifest",
      `${base}/2/${MANIFEST_FILE}`,
      "--replay",
      "--manifests-dir",
      base,
    );
    server.close();
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /^PASS {2}previous .* all kept their leaf, none decreased/m);
    assert.match(cli.stdout, /^PASS {2}replay .* is reproduced exactly$/m);
    assert.match(cli.stdout, /^verified: epoch 2 of \w+ \(pending\) passes every check$/m);
  });

  it("given one byte of the dataset changed, when verify runs, then it fails on the dataset hash and exits 1 naming it", async () => {
    const e1 = honest.epochs[0]!;
    const path = join(work, "tampered.ndjson");
    const bytes = readFileSync(files(e1).dataset);
    const at = bytes.indexOf('"cumulativeAmount":"', bytes.indexOf("\n")) + '"cumulativeAmount":"'.length;
    bytes[at] = bytes[at] === 0x31 ? 0x32 : 0x31; // one digit of the first record's amount
    writeFileSync(path, bytes);
    const r = await verify({ epoch: 1n, dataset: path });
    assert.equal(r.ok, false);
    assert.equal(r.firstFailure?.check, "dataset-hash");
    assert.equal(r.firstFailure?.expected, e1.datasetHash);
    assert.equal(statuses(r).tree, "fail", "the rebuilt tree does not match either");
    const cli = await merit("verify", "--epoch", "1", "--rpc", net.url, "--dataset", path);
    assert.equal(cli.code, 1);
    assert.match(cli.stdout, new RegExp(`^MISMATCH in dataset-hash: datasetHash: expected ${e1.datasetHash}, got [0-9a-f]{64}$`, "m"));
    // a byte that breaks the header's JSON is still a mismatch (1), not bad input (2)
    const header = readFileSync(files(e1).dataset);
    header[0] = 0x5b; // "{" -> "["
    writeFileSync(path, header);
    const broken = await merit("verify", "--epoch", "1", "--rpc", net.url, "--dataset", path);
    assert.equal(broken.code, 1, broken.stdout + broken.stderr);
    assert.match(broken.stdout, /^MISMATCH in dataset-hash: /m);
  });

  it("given the manifest with one settlement left out, or with a rule set changed, when verify runs, then it fails on the manifest's hash", async () => {
    const e1 = honest.epochs[0]!;
    const missing = rewriteManifest(files(e1).manifest, (lines) => {
      const last = lines.findLastIndex((l) => l.includes('"type":"settlement"'));
      return lines.filter((_, i) => i !== last);
    });
    const changed = rewriteManifest(files(e1).manifest, (lines) => lines.map((l) => doubleEarn(l)));
    assert.notEqual(changed.inputsHash, e1.inputsHash, "the rule set line was changed");
    for (const m of [missing, changed]) {
      const r = await verify({ epoch: 1n, dataset: files(e1).dataset, manifest: m.path });
      assert.equal(r.ok, false);
      assert.deepEqual(r.firstFailure && [r.firstFailure.check, r.firstFailure.field, r.firstFailure.expected, r.firstFailure.got], [
        "manifest",
        "manifest sha256",
        e1.inputsHash,
        m.inputsHash,
      ]);
    }
  });

  it("given an operator that published a manifest with a changed rule set consistently (its hash on-chain and in the dataset), when verify runs, then only --replay catches it, naming the claimant and the field", async () => {
    const d = await newDistributor(2n);
    const e = await close(d.distributor);
    const m = rewriteManifest(files(e).manifest, (lines) => lines.map((l) => doubleEarn(l)));
    const ds = await rewriteDataset(files(e).dataset, { inputsHash: m.inputsHash });
    await propose(d.distributor, 1n, { ...ds });
    await fund(d.vault, ds.total);
    const plain = await verify({ epoch: 1n, dataset: ds.path, manifest: m.path });
    assert.equal(plain.ok, true, "the files agree with the chain");
    const r = await verifyReplay({ epoch: 1n, dataset: ds.path, manifest: m.path });
    assert.equal(r.ok, false);
    assert.equal(r.firstFailure?.check, "replay");
    assert.ok(r.firstFailure?.claimant, "a claimant is named");
    assert.equal(r.firstFailure?.field, "cumulativeAmount");
    assert.ok(
      BigInt(r.firstFailure!.expected) > BigInt(r.firstFailure!.got),
      `twice the points: ${r.firstFailure!.expected} > ${r.firstFailure!.got}`,
    );
  });

  it("given an operator that published a manifest missing one settlement consistently, when verify --replay runs, then it fails naming the missing settlement count", async () => {
    const d = await newDistributor(3n);
    const e = await close(d.distributor);
    const m = rewriteManifest(files(e).manifest, (lines) => {
      const last = lines.findLastIndex((l) => l.includes('"type":"settlement"'));
      return lines.filter((_, i) => i !== last);
    });
    const ds = await rewriteDataset(files(e).dataset, { inputsHash: m.inputsHash });
    await propose(d.distributor, 1n, ds);
    await fund(d.vault, ds.total);
    const r = await verifyReplay({ epoch: 1n, dataset: ds.path, manifest: m.path });
    assert.equal(r.ok, false);
    const n = readFileSync(files(e).manifest, "utf8")
      .split("\n")
      .filter((l) => l.includes('"type":"settlement"')).length;
    assert.deepEqual(r.firstFailure && [r.firstFailure.check, r.firstFailure.field, r.firstFailure.expected, r.firstFailure.got], [
      "manifest-chain",
      "settlements",
      String(n),
      String(n - 1),
    ]);
  });

  it("given an operator that published, consistently, a referral whose signature is not the referee's, when verify --replay runs, then it fails on the signatures naming the referral", async () => {
    const d = await newDistributor(7n);
    const e = await close(d.distributor);
    const forged = bs58.encode(ed25519.sign(utf8ToBytes("something else"), ed25519.utils.randomSecretKey()));
    const m = rewriteManifest(files(e).manifest, (lines) =>
      lines.map((l) => (l.includes('"type":"referral"') ? l.replace(/"signature":"\w+"/, `"signature":"${forged}"`) : l)),
    );
    const ds = await rewriteDataset(files(e).dataset, { inputsHash: m.inputsHash });
    await propose(d.distributor, 1n, ds);
    await fund(d.vault, ds.total);
    const r = await verifyReplay({ epoch: 1n, dataset: ds.path, manifest: m.path });
    assert.equal(r.ok, false);
    assert.equal(r.firstFailure?.check, "signatures");
    assert.equal(r.firstFailure?.field, "signature");
    assert.match(
      r.firstFailure!.detail,
      new RegExp(`^referral ${world.payers[1]!.publicKey.toBase58()} -> ${world.payers[0]!.publicKey.toBase58()} `),
    );
  });

  it("given an operator that published, consistently, a carried balance nobody left pending, when verify --replay runs, then it fails on the carry naming the wallet", async () => {
    const d = await newDistributor(8n);
    const e = await close(d.distributor);
    const lucky = world.payers[1]!.publicKey.toBase58();
    const m = rewriteManifest(files(e).manifest, (lines) => {
      const first = lines.findIndex((l) => l.includes('"type":"settlement"'));
      return [...lines.slice(0, first), `{"claimant":"${lucky}","pending":"5","type":"carry"}`, ...lines.slice(first)];
    });
    const ds = await rewriteDataset(files(e).dataset, { inputsHash: m.inputsHash });
    await propose(d.distributor, 1n, ds);
    await fund(d.vault, ds.total);
    const r = await verifyReplay({ epoch: 1n, dataset: ds.path, manifest: m.path });
    assert.deepEqual(
      r.firstFailure && [r.firstFailure.check, r.firstFailure.claimant, r.firstFailure.field, r.firstFailure.expected, r.firstFailure.got],
      ["carry", lucky, "carry", "0", "5"],
    );
  });

  it("given an operator that published, consistently, two settlements of one transaction in the wrong order, when verify --replay runs, then it fails on the order", async () => {
    const d = await newDistributor(9n);
    const e = await close(d.distributor);
    let signature = "";
    const m = rewriteManifest(files(e).manifest, (lines) => {
      const sig = (l: string) => /"signature":"(\w+)","slot"/.exec(l)?.[1];
      const i = lines.findIndex((l, k) => l.includes('"type":"settlement"') && sig(l) === sig(lines[k + 1] ?? ""));
      assert.ok(i > 0, "the scenario has a transaction with two settlements");
      signature = sig(lines[i]!)!;
      return [...lines.slice(0, i), lines[i + 1]!, lines[i]!, ...lines.slice(i + 2)];
    });
    const ds = await rewriteDataset(files(e).dataset, { inputsHash: m.inputsHash });
    await propose(d.distributor, 1n, ds);
    await fund(d.vault, ds.total);
    const r = await verifyReplay({ epoch: 1n, dataset: ds.path, manifest: m.path });
    assert.deepEqual(r.firstFailure && [r.firstFailure.check, r.firstFailure.field, r.firstFailure.expected, r.firstFailure.got], [
      "order",
      "instruction order",
      "after 3/-1",
      "2/-1",
    ]);
    assert.match(r.firstFailure!.detail, new RegExp(`^settlement ${signature}: `));
  });

  it("given a root on-chain that differs from the dataset's, when verify runs, then it fails on the root and names both", async () => {
    const d = await newDistributor(4n);
    const e = await close(d.distributor);
    const other = "ab".repeat(32);
    await propose(d.distributor, 1n, {
      root: other,
      total: e.cumulativeTotal,
      leafCount: e.leafCount,
      datasetHash: e.datasetHash,
      inputsHash: e.inputsHash,
    });
    await fund(d.vault, e.cumulativeTotal);
    const r = await verify({ epoch: 1n, dataset: files(e).dataset, manifest: files(e).manifest });
    assert.equal(r.ok, false);
    assert.deepEqual(r.firstFailure && [r.firstFailure.check, r.firstFailure.field, r.firstFailure.expected, r.firstFailure.got], [
      "tree",
      "root",
      other,
      e.root,
    ]);
    assert.equal(statuses(r)["dataset-hash"], "pass");
  });

  it("given an underfunded vault, when verify runs, then it fails on the vault with the obligation; topped up by one unit, it passes", async () => {
    const d = await newDistributor(5n);
    const e = await close(d.distributor);
    await publishClosed(d.distributor, e);
    await fund(d.vault, e.cumulativeTotal - 1n);
    const r = await verify({ epoch: 1n, dataset: files(e).dataset, manifest: files(e).manifest });
    assert.equal(r.ok, false);
    assert.deepEqual(r.firstFailure && [r.firstFailure.check, r.firstFailure.field, r.firstFailure.expected, r.firstFailure.got], [
      "vault",
      "vaultBalance",
      `>= ${e.cumulativeTotal}`,
      String(e.cumulativeTotal - 1n),
    ]);
    await fund(d.vault, 1n);
    assert.equal((await verify({ epoch: 1n, dataset: files(e).dataset, manifest: files(e).manifest })).ok, true);
  });

  it("given an epoch 2 published with one wallet's cumulative amount lowered (the total kept), when verify runs against epoch 1's dataset, then it names the wallet and both amounts", async () => {
    const d = await newDistributor(6n);
    const e = await close(d.distributor);
    await publishClosed(d.distributor, e);
    await fund(d.vault, e.cumulativeTotal);
    let victim = "";
    let before = 0n;
    const ds = await rewriteDataset(files(e).dataset, {
      epoch: 2n,
      // nothing new this epoch, but one unit moved from the first wallet to the second
      records: (rs) =>
        rs.map((r, i) => {
          if (i === 0) {
            victim = r.claimant;
            before = r.cumulativeAmount;
            return { ...r, cumulativeAmount: r.cumulativeAmount - 1n, epochAmount: 0n };
          }
          return { ...r, cumulativeAmount: r.cumulativeAmount + (i === 1 ? 1n : 0n), epochAmount: i === 1 ? 1n : 0n };
        }),
    });
    await propose(d.distributor, 2n, ds);
    const r = await verify({ epoch: 2n, dataset: ds.path, previousDataset: files(e).dataset });
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.firstFailure && [r.firstFailure.check, r.firstFailure.claimant, r.firstFailure.field, r.firstFailure.expected, r.firstFailure.got],
      ["previous", victim, "cumulativeAmount", `>= ${before}`, String(before - 1n)],
    );
  });

  it("given an unreachable RPC or bad input, when verify runs, then it exits 3 or 2 with one line on stderr", async () => {
    const e1 = honest.epochs[0]!;
    const down = await merit("verify", "--epoch", "1", "--rpc", "http://127.0.0.1:9", "--dataset", files(e1).dataset);
    assert.equal(down.code, 3, down.stderr);
    assert.match(down.stderr, /^error: the RPC at http:\/\/127\.0\.0\.1:9 is unreachable/);
    const missing = await merit("verify", "--epoch", "1", "--rpc", net.url, "--dataset", join(work, "nope.ndjson"));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error: dataset .*nope\.ndjson: no such file\n$/);
    const noManifest = await merit("verify", "--epoch", "2", "--rpc", net.url, "--dataset", files(honest.epochs[1]!).dataset, "--replay");
    assert.equal(noManifest.code, 2);
    assert.match(noManifest.stderr, /--replay needs --manifest/);
    const copy = join(work, "copy.ndjson");
    copyFileSync(files(e1).dataset, copy);
    const noEpoch = await merit("verify", "--epoch", "7", "--rpc", net.url, "--dataset", copy);
    assert.equal(noEpoch.code, 1, "an epoch with no root on-chain is a mismatch, not bad input");
    assert.match(noEpoch.stdout, /MISMATCH in chain: epochRoot: expected an EpochRoot for epoch 7, got none/);
  });
});
