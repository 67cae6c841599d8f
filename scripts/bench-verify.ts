// `npm run bench:verify`: the auditor's verify without replay (docs/verify.md) of epoch 2 of a
// distributor on the local chain, N wallets each in epochs 1 and 2 (the previous-dataset check
// reads both), measured as a whole process (the CLI, as an auditor runs it) and by phase in-process.
// Sizes: MERIT_BENCH_VERIFY_SIZES (default 100000,1000000). Writes its section of BENCHMARKS.md.
import { spawn } from "node:child_process";
import { randomBytes, createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import anchor from "@coral-xyz/anchor";
import * as spl from "@solana/spl-token";
import { Connection, Keypair, LAMPORTS_PER_SOL, type PublicKey } from "@solana/web3.js";
import { writeDataset, type WalletTotals } from "@merit/clients/dataset";
import { distributorPda, epochRootPda, meritDistributorProgram, vaultPda } from "@merit/clients/idl";
import { stopHashWorker } from "@merit/clients/merkle";
import { verifyEpoch } from "@merit/clients/verify";
import { startLocalnet } from "@merit/localnet";
import { createDemoWorld, sendSettlement } from "@merit/localnet/demo";
import type { ParsedManifest } from "../indexer/src/audit/manifest.js";
import { scoreManifests } from "../indexer/src/audit/replay.js";
import { fetchSettlements } from "../indexer/src/audit/settlements.js";
import { RpcClient } from "../indexer/src/ingest/rpc/client.js";
import { parseRuleSetBody } from "../indexer/src/rules/schema.js";
import { machineSummary, stealSeconds, writeBenchSection } from "./lib/bench-section.js";

const { AnchorProvider, BN, Wallet } = anchor;
const sizes = (process.env.MERIT_BENCH_VERIFY_SIZES ?? "100000,1000000").split(",").map(Number);
const fmt = (n: number) => n.toLocaleString("en-US");

interface Row {
  wallets: number;
  bytes: number;
  wall: number;
  rssMb: number;
  phases: string;
  fullSeconds: number;
}

async function airdrop(c: Connection, to: PublicKey) {
  const sig = await c.requestAirdrop(to, 10 * LAMPORTS_PER_SOL);
  await c.confirmTransaction({ signature: sig, ...(await c.getLatestBlockhash()) }, "confirmed");
}

async function one(url: string, connection: Connection, admin: Keypair, id: bigint, n: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), "merit-bench-verify-"));
  try {
    const program = meritDistributorProgram(new AnchorProvider(connection, new Wallet(admin), { commitment: "confirmed" }));
    const mint = await spl.createMint(connection, admin, admin.publicKey, null, 6);
    const [distributor] = distributorPda(mint, admin.publicKey, id);
    const [vault] = vaultPda(distributor);
    await program.methods
      .initializeDistributor(new BN(id.toString()), admin.publicKey, admin.publicKey, {
        activationDelay: new BN(60),
        gracePeriod: new BN(60),
        maxTotalIncrease: new BN("18000000000000000000"),
        claimExpiry: new BN(0),
      })
      .accountsPartial({ admin: admin.publicKey, mint, distributor, vault, tokenProgram: spl.TOKEN_PROGRAM_ID })
      .rpc();
    const claimants = Array.from({ length: n }, () => randomBytes(32));
    const paths: string[] = [];
    for (const epoch of [1n, 2n]) {
      const manifest = join(dir, `manifest-${epoch}.ndjson`);
      writeFileSync(manifest, `{"epoch":"${epoch}","format":"merit-epoch-manifest"}\n`);
      const inputsHash = createHash("sha256").update(readFileSync(manifest)).digest("hex");
      const leaves: WalletTotals[] = claimants.map((c, i) => ({
        claimant: c,
        cumulativeAmount: BigInt(1000 + i) * epoch,
        epochAmount: BigInt(1000 + i),
        basePoints: BigInt(1000 + i) * 100n,
        referralPoints: 0n,
        settlementCount: 1,
      }));
      const path = join(dir, `dataset-${epoch}.ndjson`);
      const w = await writeDataset(
        path,
        { distributor: distributor.toBase58(), mint: mint.toBase58(), epoch, slots: { first: epoch, last: epoch }, inputsHash },
        leaves,
      );
      paths.push(path, manifest);
      await program.methods
        .proposeRoot(
          new BN(epoch.toString()),
          [...w.tree.root],
          new BN(w.header.totals.cumulativeAmount.toString()),
          new BN(n),
          [...w.datasetHash],
          [...Buffer.from(inputsHash, "hex")],
        )
        .accountsPartial({ publisher: admin.publicKey, distributor, epochRoot: epochRootPda(distributor, epoch)[0] })
        .rpc();
      if (epoch === 2n) await spl.mintTo(connection, admin, mint, vault, admin, w.header.totals.cumulativeAmount);
    }
    const [d1, , d2, m2] = paths as [string, string, string, string];
    const bytes = readFileSync(d2).length;
    // Whole process: the CLI as an auditor runs it, with /usr/bin/time for wall and peak RSS.
    const args = [
      "--import",
      "tsx",
      "indexer/src/cli/main.ts",
      "verify",
      "--epoch",
      "2",
      "--rpc",
      url,
      "--dataset",
      d2,
      "--manifest",
      m2,
      "--previous-dataset",
      d1,
      "--json",
    ];
    // Asynchronously: the localnet answering its RPC runs in this process.
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn("/usr/bin/time", ["-f", "TIME %e %M", process.execPath, ...args]);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (status) => done({ status, stdout, stderr }));
    });
    if (run.status !== 0 || !(JSON.parse(run.stdout) as { ok: boolean }).ok)
      throw new Error(`verify failed (${run.status}): ${run.stdout}${run.stderr}`);
    const m = /TIME ([\d.]+) (\d+)/.exec(run.stderr);
    if (!m) throw new Error(`no timing in ${run.stderr}`);
    // Phases, in-process.
    const marks: [string, number][] = [];
    let last = performance.now();
    const mark = (what: string) => {
      const now = performance.now();
      marks.push([what, now - last]);
      last = now;
    };
    let step = "start";
    await verifyEpoch({
      epoch: 2n,
      rpc: url,
      dataset: d2,
      manifest: m2,
      previousDataset: d1,
      onProgress: (s) => {
        mark(step);
        step = s;
      },
    });
    mark(step);
    const phases = marks
      .filter(([w]) => w !== "start")
      .map(([w, ms]) => `${w} ${(ms / 1000).toFixed(2)} s`)
      .join(", ");
    // --full: every record loaded as well (the records check), in-process.
    const f0 = performance.now();
    const full = await verifyEpoch({ epoch: 2n, rpc: url, dataset: d2, manifest: m2, previousDataset: d1, full: true });
    if (!full.ok) throw new Error(`verify --full failed: ${JSON.stringify(full.firstFailure)}`);
    const fullSeconds = (performance.now() - f0) / 1000;
    return { wallets: n, bytes, wall: Number(m[1]), rssMb: Math.round(Number(m[2]) / 1024), phases, fullSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const net = await startLocalnet({ port: 0 });
const connection = new Connection(net.url, "confirmed");
const admin = Keypair.generate();
await airdrop(connection, admin.publicKey);
const load0 = loadavg()[0]!;
const steal0 = stealSeconds();
const rows: Row[] = [];
let id = 1n;
for (const n of sizes) {
  console.log(`verify: ${fmt(n)} wallets…`);
  const r = await one(net.url, connection, admin, id++, n);
  console.log(`  ${r.wall} s wall, ${r.rssMb} MB peak RSS; ${r.phases}`);
  rows.push(r);
}
/**
 * --replay's own work on real transfers: the transactions fetched (getTransaction in JSON-RPC
 * batches, concurrently within the request budget) and parsed, then scored; under the CLI's
 * default budget (20 requests/s, 8 in flight) and an unthrottled one (the local chain's own speed).
 */
const replayCount = Number(process.env.MERIT_BENCH_VERIFY_REPLAY ?? 2000);
console.log(`verify --replay: sending ${fmt(replayCount)} settlements…`);
const demo = await createDemoWorld(connection, { payers: 50, merchants: 5 });
const sigs: string[] = [];
for (let i = 0; i < replayCount; i += 50) {
  const part = await Promise.all(
    Array.from({ length: Math.min(50, replayCount - i) }, (_, k) =>
      sendSettlement(
        connection,
        demo,
        demo.payers[(i + k) % 50]!,
        demo.merchants[(i + k) % 5]!.publicKey,
        BigInt(1000 + i + k),
        `x402:bench/${i + k}`,
      ),
    ),
  );
  sigs.push(...part);
}
const slots = new Map<string, bigint>();
for (let i = 0; i < sigs.length; i += 200) {
  const st = await connection.getSignatureStatuses(sigs.slice(i, i + 200));
  st.value.forEach((v, k) => slots.set(sigs[i + k]!, BigInt(v!.slot)));
}
const fullList = sigs
  .map((signature) => ({ signature, outer: 0, inner: -1, slot: slots.get(signature)! }))
  .sort((a, b) => (a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0));
const replayRows: string[] = [];
// The default budget on the first 200 only: at 20 calls/s it takes 10 s.
for (const [label, rps, concurrency, count] of [
  ["default budget (--rps 20 --concurrency 8)", 20, 8, 200],
  ["unthrottled (--rps 100000 --concurrency 8)", 100_000, 8, replayCount],
] as const) {
  const list = fullList.slice(0, count);
  const rpc = new RpcClient({ url: net.url, requestsPerSecond: rps, maxConcurrency: concurrency });
  const t0 = performance.now();
  const got = await fetchSettlements(rpc, list);
  if (got.problem || got.settlements.length !== list.length) throw new Error(`replay fetch: ${JSON.stringify(got.problem)}`);
  const t1 = performance.now();
  const manifest = {
    ruleSets: [
      {
        version: 1n,
        effectiveFrom: new Date(0),
        afterSeq: 0n,
        body: parseRuleSetBody({ earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }] }),
      },
    ],
    links: [],
    referrals: [],
    adjustments: [],
  } as unknown as ParsedManifest;
  const [figures] = scoreManifests([manifest], [got.settlements]) as [Map<string, unknown>];
  const t2 = performance.now();
  const total = (t2 - t0) / 1000;
  replayRows.push(
    `| ${label} | ${fmt(list.length)} | ${rpc.stats.requests} requests, ${rpc.stats.calls} calls | ${((t1 - t0) / 1000).toFixed(2)} s | ${((t2 - t1) / 1000).toFixed(3)} s (${figures.size} accounts) | **${fmt(Math.round(list.length / total))} settlements/s** |`,
  );
  console.log(`  ${replayRows.at(-1)}`);
}

// What every run pays before reading anything: Node, tsx, the CLI and the verify modules.
const startup = await new Promise<string>((done) => {
  const child = spawn("/usr/bin/time", [
    "-f",
    "TIME %e",
    process.execPath,
    "--import",
    "tsx",
    "-e",
    'await import("./indexer/src/cli/verify.ts"); await import("@merit/clients/verify")',
  ]);
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  child.on("close", () => done(/TIME ([\d.]+)/.exec(err)?.[1] ?? "?"));
});
const steal = stealSeconds() - steal0;
await net.stop();
await stopHashWorker();

writeBenchSection(
  "verify",
  `## Auditor's verify without replay (\`npm run bench:verify\`)

${machineSummary()}

Workload: epoch 2 of a distributor on the local chain (the in-process \`@merit/localnet\`, over HTTP), N wallets in epoch 1's and in epoch 2's dataset (format v2), both roots proposed, the vault funded. \`verify --epoch 2 --dataset … --manifest … --previous-dataset … --json\` runs as a whole process (the CLI under \`/usr/bin/time\`, tsx's start included): chain read, the dataset read in one pass at the byte level (sha256, header, each record's claimant and cumulative amount: \`clients/src/verify/scan.ts\`), the tree rebuilt and compared (root, total, leaf count, inputs hash), the manifest's hash, epoch 1's dataset read the same way in a worker thread while the main thread reads epoch 2's (its phase below is the wait left after that), checked against its on-chain hash and compared wallet by wallet, the vault. \`--full\` also loads every record as an object (\`loadDataset\`: each record's own checks). Phases measured again in-process (the progress steps of \`verifyEpoch\`).

| wallets | dataset | whole process (wall) | peak RSS | phases (in-process) | with \`--full\` (in-process, whole run) |
|---|---|---|---|---|---|
${rows.map((r) => `| ${fmt(r.wallets)} | ${(r.bytes / 2 ** 20).toFixed(1)} MB | **${r.wall.toFixed(2)} s** | ${r.rssMb} MB | ${r.phases} | ${r.fullSeconds.toFixed(2)} s |`).join("\n")}

Of each whole process, ${startup} s is the start (Node, tsx, the CLI and the verify modules loaded, nothing read: measured alone in the same run).

Target (issue #15): ≤ 5 s for 1,000,000 wallets.

\`--replay\` throughput against the local chain: ${fmt(replayCount)} real x402-style settlements (a facilitator-paid \`transferChecked\` with a memo, one per transaction, 50 payers), fetched with \`getTransaction\` in JSON-RPC batches of 25 through the indexer's RPC client, parsed by the indexer's parser, then scored in chain order (one earn rule). The fetch is bound by the request budget, counted in calls (each \`getTransaction\` of a batch counts, as providers bill them): the default one is what a public endpoint tolerates; a private endpoint can take \`--rps\` higher.

| RPC budget | settlements | requests | fetch + parse | scoring | throughput |
|---|---|---|---|---|---|
${replayRows.join("\n")}

Machine load while measuring (1-minute load average, 2 cores, shared with other sessions): ${load0.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after; steal ${steal.toFixed(1)} s. Read one run as one sample.
`,
);
