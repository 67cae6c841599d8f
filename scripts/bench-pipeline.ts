// npm run bench:pipeline — the whole pipeline in one daemon. (a) Freshness: the real daemon
// (`npm start`'s entry with RPC_URL) watches the local chain while this process sends a steady
// BENCH_PIPELINE_RATE settlements/s for BENCH_PIPELINE_SECONDS; each settlement is timed from its
// confirmation to its points in the ledger and, for one in PROBE_EVERY (a payer used once), in
// GET /v1/wallets/:address. (b) The highest sustained rate of ingest and scoring together in one
// process, fed by recorded getTransaction results at full speed (the bench:ingest recording).
// (c) CPU per settlement of each stage, each stage alone. Uses DATABASE_URL's server (a scratch
// database) or a throwaway cluster (scripts/pg-throwaway.sh). Writes its section of BENCHMARKS.md.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createTransferCheckedInstruction, getAssociatedTokenAddressSync } from "@solana/spl-token";
import { Connection, type Keypair, Transaction } from "@solana/web3.js";
import { createDemoWorld, type DemoWorld } from "@merit/localnet/demo";
import { connect, type Sql } from "../indexer/src/db/connection.js";
import { migrate } from "../indexer/src/db/migrate.js";
import { DEMO_RULES } from "../indexer/src/dev/demo.js";
import { publishRuleSet, startEngine } from "../indexer/src/engine/index.js";
import { addToBatch } from "../indexer/src/ingest/parse/build-batch.js";
import { watchRules } from "../indexer/src/ingest/parse/watch-rules.js";
import { newIngestStats } from "../indexer/src/ingest/stats.js";
import { advanceIngestWatermark } from "../indexer/src/ingest/store/cursors.js";
import { emptyBatch, persistBatch } from "../indexer/src/ingest/store/persist.js";
import { machineSummary, stealSeconds, writeBenchSection } from "./lib/bench-section.js";
import { cpuSeconds, lines, recordTransactions } from "./lib/recorded-transactions.js";

const RATE = Number(process.env.BENCH_PIPELINE_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_PIPELINE_SECONDS ?? 60);
const PROBE_EVERY = 40;
const MAX_IN_FLIGHT = 16;
const POLL_MS = Number(process.env.BENCH_PIPELINE_POLL_MS ?? 500);
const TXS = Number(process.env.BENCH_PIPELINE_TXS ?? 40_000);
const BATCH = 1000;
const FRESHNESS_GOAL_S = 3;
const RATE_GOAL = 10_000;
const DB = "merit_bench_pipeline";
const log = (line: string) => console.error(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds of a PostgreSQL cluster (postmaster and its children), found from the server's data directory. */
async function clusterCpu(sql: Sql): Promise<() => number | null> {
  let postmaster: number;
  try {
    const [{ dir }] = (await sql`select current_setting('data_directory') as dir`) as unknown as [{ dir: string }];
    postmaster = Number(readFileSync(`${dir}/postmaster.pid`, "utf8").split("\n")[0]);
  } catch {
    return () => null; // a server elsewhere, or not readable: its CPU is not ours to see
  }
  return () => {
    let s = 0;
    for (const entry of execFileSync("ps", ["-o", "pid=", "--ppid", String(postmaster)], { encoding: "utf8" }).split("\n")) {
      const pid = Number(entry.trim());
      if (pid)
        try {
          s += cpuSeconds(pid);
        } catch {
          // ended meanwhile
        }
    }
    return s + cpuSeconds(postmaster);
  };
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

async function scratch(serverUrl: string): Promise<{ url: string; sql: Sql }> {
  const admin = connect(serverUrl, { max: 1, name: "merit-bench" });
  await admin.unsafe(`drop database if exists ${DB} with (force)`);
  await admin.unsafe(`create database ${DB}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${DB}`;
  const sql = connect(u.toString(), { max: 4, name: "merit-bench-pipeline" });
  await migrate(sql);
  await publishRuleSet(sql, { body: DEMO_RULES, createdBy: "bench", note: "npm start's demo rules" });
  return { url: u.toString(), sql };
}

/** (a) Freshness at a steady rate against the real daemon. */
async function freshness(serverUrl: string) {
  const { url, sql } = await scratch(serverUrl);
  // The chain in a process of its own, as beside a real daemon: in the load generator's process its
  // RPC answers would wait behind the signing of the next settlements.
  const chain = await startChainProcess();
  const connection = new Connection(chain.url, "confirmed");
  const probes = Math.ceil((RATE * SECONDS) / PROBE_EVERY) + 10;
  const regular = 100;
  const t = performance.now();
  const world = await createDemoWorld(connection, { payers: regular + probes, merchants: 3 });
  log(`world: ${regular} payers, ${probes} probe payers, 3 merchants (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  const dataDir = mkdtempSync(join(tmpdir(), "merit-bench-pipeline-"));
  const apiPort = 20_000 + Math.floor(Math.random() * 20_000);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    RPC_URL: chain.url,
    RPC_COMMITMENT: "confirmed",
    RPC_REQUESTS_PER_SECOND: "5000",
    RPC_MAX_CONCURRENCY: "16",
    WATCH_MINTS: world.mint.toBase58(),
    WATCH_FACILITATORS: world.facilitator.publicKey.toBase58(),
    WATCH_MERCHANTS: world.merchants.map((m) => m.publicKey.toBase58()).join(","),
    POLL_INTERVAL_MS: String(POLL_MS),
    API_PORT: String(apiPort),
    API_RATE_LIMIT_PER_MINUTE: "0",
    MERIT_DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
  };
  delete env.MERIT_EMBEDDED_PG_URL;
  const daemon: ChildProcess = spawn(process.execPath, ["--max-semi-space-size=128", "--import", "tsx", "indexer/src/main.ts"], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const api = `http://127.0.0.1:${apiPort}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${api}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (daemon.exitCode !== null || i > 600) throw new Error("the daemon did not start");
    await sleep(100);
  }
  await sleep(2 * POLL_MS); // its first passes (token account discovery)

  const sent = new Map<string, { at: number; probe?: string }>();
  const inLedger = new Map<string, number>();
  const inApi = new Map<string, number>();
  const failures: string[] = [];
  const apiErrors: string[] = [];
  let stop = false;
  let stoppedAt = 0;
  // The ledger: every settlement, polled every 100 ms by signature.
  const ledgerWatch = (async () => {
    while (!stop || inLedger.size < sent.size) {
      const pending = [...sent.keys()].filter((s) => !inLedger.has(s));
      if (pending.length > 0) {
        const rows = await sql<{ signature: string }[]>`
          select s.signature from settlements s
          where s.signature = any(${pending}) and exists (select 1 from point_ledger l where l.settlement_id = s.id)`;
        const now = performance.now();
        for (const r of rows) inLedger.set(r.signature, now);
      }
      if (stop && performance.now() - stoppedAt > 30_000) break;
      await sleep(100);
    }
  })();
  // The API: each probe payer's wallet, polled every 200 ms until it shows points.
  const apiWatch = (async () => {
    for (;;) {
      const pending = [...sent].filter(([s, v]) => v.probe && !inApi.has(s));
      if (stop && pending.length === 0) break;
      await Promise.all(
        pending.map(async ([sig, v]) => {
          try {
            const r = await fetch(`${api}/v1/wallets/${v.probe}`);
            if (r.status !== 200) return void (await r.arrayBuffer());
            const body = (await r.json()) as { points: { total: string } };
            if (BigInt(body.points.total) > 0n) inApi.set(sig, performance.now());
          } catch (err) {
            apiErrors.push((err as Error).message); // a dropped keep-alive connection: the next poll asks again
          }
        }),
      );
      if (stop && performance.now() - stoppedAt > 30_000) break;
      await sleep(200);
    }
  })();

  // The load: RATE settlements/s in ticks of 10 ms, each confirmed when the chain answers the send
  // (the local chain executes a transaction as it receives it).
  let blockhash = (await connection.getLatestBlockhash()).blockhash;
  // a refresh that fails (a connection reset under load) keeps the last blockhash: it lives 150 slots
  const refresh = setInterval(
    () =>
      void connection.getLatestBlockhash().then(
        (b) => (blockhash = b.blockhash),
        () => {},
      ),
    1000,
  );
  const cpu0 = { daemon: cpuSeconds(daemon.pid!), self: process.cpuUsage(), steal: stealSeconds() };
  const pgCpu = await clusterCpu(sql);
  const pg0 = pgCpu();
  const load0 = loadavg()[0]!;
  let n = 0;
  const t0 = performance.now();
  const inFlight: Promise<void>[] = [];
  let busy = 0;
  let skipped = 0;
  while (performance.now() - t0 < SECONDS * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * RATE);
    // At most MAX_IN_FLIGHT sends wait on the chain: a chain that cannot keep up gets fewer
    // settlements (counted as skipped) instead of a queue that starves ingest's own requests.
    if (n < due && busy >= MAX_IN_FLIGHT) {
      skipped += due - n;
      n = due;
    }
    while (n < due && busy < MAX_IN_FLIGHT) {
      const i = n++;
      busy++;
      const probe = i % PROBE_EVERY === 0 ? world.payers[regular + i / PROBE_EVERY] : undefined;
      const payer = probe ?? world.payers[i % regular]!;
      inFlight.push(
        send(connection, world, payer, i, blockhash)
          .then(
            (sig) => void sent.set(sig, { at: performance.now(), probe: probe?.publicKey.toBase58() }),
            (err: Error) => void failures.push(err.message),
          )
          .finally(() => busy--),
      );
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  const sendSeconds = (performance.now() - t0) / 1000;
  clearInterval(refresh);
  stop = true;
  stoppedAt = performance.now();
  await Promise.all([ledgerWatch, apiWatch]);
  const self = process.cpuUsage(cpu0.self);
  const daemonCpu = cpuSeconds(daemon.pid!) - cpu0.daemon;
  const pg1 = pgCpu();
  const stolen = stealSeconds() - cpu0.steal;
  const load1 = loadavg()[0]!;
  // What became of the settlements never seen with points: on the chain? ingested?
  const unseen = [...sent.keys()].filter((s) => !inLedger.has(s));
  const ingestedUnseen = unseen.length
    ? (await sql<{ n: number }[]>`select count(*)::int as n from settlements where signature = any(${unseen})`)[0]!.n
    : 0;
  const rejects = await sql<{ reason: string; n: number }[]>`select reason, count(*)::int as n from ingest_rejects group by reason`;
  const failedOnChain = unseen.length
    ? (await connection.getSignatureStatuses(unseen.slice(0, 256))).value.filter((v) => v?.err).length
    : 0;
  daemon.kill("SIGTERM");
  await new Promise((r) => daemon.once("exit", r));
  chain.stop();
  await sql.end();
  rmSync(dataDir, { recursive: true, force: true });

  // a settlement never seen counts as infinitely late: the percentiles cover everything sent
  const late = (seen: Map<string, number>, which: [string, { at: number }][]) =>
    which.map(([s, v]) => (seen.has(s) ? (seen.get(s)! - v.at) / 1000 : Number.POSITIVE_INFINITY));
  const ledgerLat = late(inLedger, [...sent]);
  const apiLat = late(
    inApi,
    [...sent].filter(([, v]) => v.probe),
  );
  const stats = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), max: Math.max(...xs) });
  if (unseen.length)
    log(
      `never seen with points: ${unseen.length} (${ingestedUnseen} ingested, ${failedOnChain} failed on-chain); ingest rejects: ${JSON.stringify(rejects)}`,
    );
  const r = {
    sent: sent.size,
    failed: failures.length,
    skipped,
    rate: sent.size / sendSeconds,
    ledger: stats(ledgerLat),
    ledgerSeen: inLedger.size,
    unseen: {
      total: unseen.length,
      ingested: ingestedUnseen,
      failedOnChain,
      rejects: rejects.map((r) => `${r.n} ${r.reason}`).join(", ") || "none",
    },
    api: stats(apiLat),
    apiSeen: inApi.size,
    probes: [...sent.values()].filter((v) => v.probe).length,
    apiErrors: apiErrors.length,
    daemonUs: (daemonCpu / sent.size) * 1e6,
    pgUs: pg0 !== null && pg1 !== null ? ((pg1 - pg0) / sent.size) * 1e6 : null,
    loadUs: ((self.user + self.system) / 1e6 / sent.size) * 1e6,
    stolen,
    load: `${load0.toFixed(1)} → ${load1.toFixed(1)}`,
  };
  log(`freshness: ${JSON.stringify(r)}${failures.length ? `; first failure: ${failures[0]}` : ""}`);
  return r;
}

/** `merit localnet --ephemeral` in a child process; resolves with its RPC URL once it is ready. */
async function startChainProcess(): Promise<{ url: string; stop(): void }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "indexer/src/cli/main.ts", "localnet", "--port", "0", "--ephemeral", "--quiet"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /ready (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`merit localnet exited ${code}: ${out}`)));
  });
  return { url, stop: () => void child.kill("SIGTERM") };
}

async function send(connection: Connection, world: DemoWorld, payer: Keypair, i: number, blockhash: string): Promise<string> {
  const merchant = world.merchants[i % world.merchants.length]!.publicKey;
  const tx = new Transaction({ feePayer: world.facilitator.publicKey, recentBlockhash: blockhash }).add(
    createTransferCheckedInstruction(
      getAssociatedTokenAddressSync(world.mint, payer.publicKey),
      world.mint,
      getAssociatedTokenAddressSync(world.mint, merchant),
      payer.publicKey,
      BigInt(1000 + i) * 1000n, // distinct amounts: no two transactions alike within a blockhash
      world.decimals,
    ),
  );
  tx.sign(world.facilitator, payer);
  return connection.sendRawTransaction(tx.serialize(), { skipPreflight: true });
}

type Mode = "ingest" | "score" | "both";
interface StageResult {
  mode: Mode;
  settlements: number;
  seconds: number;
  nodeCpu: number;
  pgCpu: number | null;
  stolen: number;
}

/**
 * (b, c) In a fresh child process, the daemon's two stages over the recording: `ingest` alone,
 * then `score` alone (what the ingest left), then `both` at once in one process on a fresh schema.
 */
async function stage(url: string, file: string, mode: Mode): Promise<StageResult> {
  const sql = connect(url, { max: 4, name: "merit-bench-pipeline-stage" });
  const pgCpu = await clusterCpu(sql);
  const rules = watchRules(JSON.parse(readFileSync(`${file}.rules.json`, "utf8")));
  const stats = newIngestStats();
  const ctx = { rules, source: "replay" as const, stats };
  const steal0 = stealSeconds();
  const cpu0 = process.cpuUsage();
  const pg0 = pgCpu();
  const t0 = performance.now();
  let ingested = 0;
  const ingest = async () => {
    let batch = emptyBatch();
    let inBatch = 0;
    let maxSlot = 0n;
    let pending: Promise<unknown> = Promise.resolve();
    const flush = async (last: boolean) => {
      const full = batch;
      const slot = maxSlot;
      batch = emptyBatch();
      inBatch = 0;
      await pending;
      // the watermark: every slot below the batch's last is complete (the next batch may share it)
      pending = persistBatch(sql, full).then(() => {
        ingested += full.settlements.length;
        return advanceIngestWatermark(sql, last ? slot : slot - 1n);
      });
    };
    for await (const chunk of lines(file))
      for (const line of chunk) {
        if (!line) continue;
        const body = JSON.parse(line) as { slot: number };
        if (!addToBatch(batch, { body, encoding: "rpc-json", text: line }, ctx))
          throw new Error("recorded transaction without its block position");
        if (BigInt(body.slot) > maxSlot) maxSlot = BigInt(body.slot);
        if (++inBatch >= BATCH) await flush(false);
        else if (inBatch % 16 === 0) await new Promise(setImmediate);
      }
    await flush(true);
    await pending;
  };
  let scored = 0;
  if (mode === "ingest") await ingest();
  else {
    const [{ n }] = (await sql`select count(*)::int as n from settlements`) as unknown as [{ n: number }];
    const engine = await startEngine({
      sql,
      pollIntervalMs: 20,
      batchSize: 50_000,
      maxSlot: async () => {
        const [w] = await sql<{ slot: bigint }[]>`select slot from ingest_watermark where id = 1`;
        return w?.slot ?? -1n;
      },
    });
    const ingesting = mode === "both" ? ingest() : Promise.resolve();
    const total = async () => (mode === "both" ? (await ingesting, ingested) : n);
    let done = false;
    void ingesting.then(() => (done = true));
    while (mode === "score" || !done || engine.stats().settlements < ingested) {
      if (mode === "score" && engine.stats().settlements >= n) break;
      await sleep(10);
    }
    scored = engine.stats().settlements;
    await engine.stop();
    if (scored !== (await total())) throw new Error(`scored ${scored} of ${await total()}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const pg1 = pgCpu();
  await sql.end();
  return {
    mode,
    settlements: mode === "ingest" ? ingested : scored,
    seconds,
    nodeCpu: (c.user + c.system) / 1e6,
    pgCpu: pg0 !== null && pg1 !== null ? pg1 - pg0 : null,
    stolen: stealSeconds() - steal0,
  };
}

function inChild(args: string[]): string {
  return execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
}

async function throughput(serverUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), "merit-bench-pipeline-rec-"));
  const file = join(dir, "transactions.ndjson");
  const rec = JSON.parse(inChild(["--record", file])) as { settlements: number; bytes: number };
  log(`recorded ${TXS} transactions, ${rec.settlements} settlements`);
  const runs: StageResult[] = [];
  for (const round of [1, 2]) {
    let { url, sql } = await scratch(serverUrl);
    await sql.end();
    for (const mode of ["ingest", "score"] as const) runs.push(JSON.parse(inChild(["--stage", url, file, mode])) as StageResult);
    ({ url, sql } = await scratch(serverUrl));
    await sql.end();
    runs.push(JSON.parse(inChild(["--stage", url, file, "both"])) as StageResult);
    for (const r of runs.slice(-3))
      log(
        `round ${round} ${r.mode}: ${r.settlements} settlements in ${r.seconds.toFixed(2)} s = ${Math.round(r.settlements / r.seconds)}/s; CPU node ${r.nodeCpu.toFixed(2)} s, postgres ${r.pgCpu?.toFixed(2) ?? "n/a"} s; steal ${r.stolen.toFixed(2)} s; load ${loadavg()[0]!.toFixed(1)}`,
      );
  }
  rmSync(dir, { recursive: true, force: true });
  // each mode's least disturbed run (least CPU): the machine is shared
  const best = (m: Mode) =>
    runs.filter((r) => r.mode === m).reduce((a, b) => (b.nodeCpu + (b.pgCpu ?? 0) < a.nodeCpu + (a.pgCpu ?? 0) ? b : a));
  return { ingest: best("ingest"), score: best("score"), both: best("both"), all: runs, settlements: rec.settlements };
}

async function main() {
  let cluster: string | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    cluster = mkdtempSync(join(tmpdir(), "merit-bench-pipeline-pg-"));
    serverUrl = execFileSync("scripts/pg-throwaway.sh", [cluster], { encoding: "utf8" }).trim();
  }
  const machine = machineSummary();
  try {
    const f = await freshness(serverUrl);
    const tp = await throughput(serverUrl);
    const admin = connect(serverUrl, { max: 1 });
    await admin.unsafe(`drop database if exists ${DB} with (force)`);
    await admin.end();
    const s = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)} s` : "never (30 s after the run)");
    const us = (cpu: number | null, n: number) => (cpu === null ? "n/a" : `${Math.round((cpu / n) * 1e6)} µs`);
    const both = tp.both;
    const rate = Math.round(both.settlements / both.seconds);
    const cpuBound = Math.round(both.settlements / ((both.nodeCpu + (both.pgCpu ?? 0)) / 2));
    const row = (name: string, r: StageResult) =>
      `| ${name} | ${Math.round(r.settlements / r.seconds).toLocaleString("en")} | ${us(r.nodeCpu, r.settlements)} | ${us(r.pgCpu, r.settlements)} | ${r.stolen.toFixed(2)} s |`;
    const body = [
      "## Pipeline (`npm run bench:pipeline`)",
      "",
      `${machine} at the start; load average ${loadavg()[0]!.toFixed(1)} at the end. PostgreSQL: ${cluster ? "throwaway cluster (fsync off)" : "DATABASE_URL's server"}, a scratch database. Read the wall-clock figures with the load beside them: other work on the machine slows them.`,
      "",
      `### Freshness: confirmation → points, ${RATE} settlements/s for ${SECONDS} s`,
      "",
      `The daemon is \`npm start\`'s entry (\`node --import tsx indexer/src/main.ts\`) with \`RPC_URL\` at the local chain (\`merit localnet --ephemeral\` in a process of its own; the benchmark sends at most 16 settlements at a time, so a chain that cannot keep up gets fewer rather than a queue), \`RPC_COMMITMENT=confirmed\`, \`POLL_INTERVAL_MS=${POLL_MS}\`, \`DATABASE_URL\`, and the demo rule set (\`npm start\`'s). The benchmark sends x402-style transferChecked settlements (facilitator-paid) at a steady rate; a settlement is confirmed when the local chain answers its send (it executes on receipt). "In the ledger": its point_ledger rows are there (polled by signature every 100 ms); "in the API": \`GET /v1/wallets/:address\` shows points for a payer that paid once (one settlement in ${PROBE_EVERY}, polled every 200 ms). Polling adds up to its interval to each figure.`,
      "",
      "| measured at | settlements | p50 | p95 | p99 | max |",
      "|---|---|---|---|---|---|",
      `| point_ledger | ${f.ledgerSeen} of ${f.sent} | ${s(f.ledger.p50)} | **${s(f.ledger.p95)}** | ${s(f.ledger.p99)} | ${s(f.ledger.max)} |`,
      `| GET /v1/wallets/:address | ${f.apiSeen} of ${f.probes} | ${s(f.api.p50)} | **${s(f.api.p95)}** | ${s(f.api.p99)} | ${s(f.api.max)} |`,
      "",
      `Sent ${f.sent} settlements at ${f.rate.toFixed(1)}/s (${f.skipped} not sent because ${MAX_IN_FLIGHT} sends were already waiting on the chain, ${f.failed} sends failed; ${f.unseen.total} never seen with points within 30 s of the end: ${f.unseen.ingested} of them ingested, ${f.unseen.failedOnChain} failed on-chain; ingest's rejects: ${f.unseen.rejects}; ${f.apiErrors} API polls failed and were asked again); load average ${f.load} over the run; the hypervisor took ${f.stolen.toFixed(1)} s of CPU. CPU per settlement at this rate: the daemon ${Math.round(f.daemonUs)} µs (ingest, scoring and the API at once, idle polling included), PostgreSQL ${f.pgUs === null ? "n/a" : `${Math.round(f.pgUs)} µs`}, the load generator (signing, sending, polling) ${Math.round(f.loadUs)} µs.`,
      "",
      `**Verdict: p95 ${s(f.ledger.p95)} to the ledger and ${s(f.api.p95)} to the API ${Math.max(f.ledger.p95, f.api.p95) <= FRESHNESS_GOAL_S ? "meets" : "does NOT meet"} the goal of p95 ≤ ${FRESHNESS_GOAL_S} s.**`,
      "",
      "### Highest sustained rate: ingest and scoring together in one process",
      "",
      `Source: ${TXS.toLocaleString("en")} recorded getTransaction results (\`bench:ingest\`'s recording: x402-style transfers, lookup tables, failed and unwatched ones) → ${tp.settlements.toLocaleString("en")} settlements, read at full speed. One process runs the daemon's two stages over it: ingest's parser and \`persistBatch\` (batches of ${BATCH}, advancing the ingest watermark after each, as the poller does) and the engine daemon (\`startEngine\`, batches up to 50,000, held below the watermark) on the demo rule set; the rate is settlements over the time until the last one is scored. Each stage also runs alone (ingest; then scoring what it stored), in a fresh child process each; two rounds, the least disturbed run (least CPU) of each shown. PostgreSQL and the process share the machine's ${cpus().length} cores.`,
      "",
      "| run | settlements/s, wall clock | node CPU per settlement | PostgreSQL CPU per settlement | CPU stolen by the hypervisor |",
      "|---|---|---|---|---|",
      row("ingest alone (JSON.parse, parse, persist)", tp.ingest),
      row("scoring alone (load, score, write the ledger)", tp.score),
      row("**ingest + scoring together (the end-to-end rate)**", both),
      "",
      `**Verdict: ${rate.toLocaleString("en")} settlements/s end to end by wall clock ${rate >= RATE_GOAL ? "meets" : "does NOT meet"} the goal of ≥ ${RATE_GOAL.toLocaleString("en")}/s; with both cores to itself (all CPU of the run, node and PostgreSQL, over two cores) it would be ${cpuBound.toLocaleString("en")}/s.** Every run: ${tp.all.map((r) => `${r.mode} ${Math.round(r.settlements / r.seconds).toLocaleString("en")}/s`).join(", ")}.`,
    ];
    writeBenchSection("pipeline", body.join("\n"));
    log("wrote BENCHMARKS.md section bench:pipeline");
  } finally {
    if (cluster) {
      execFileSync("scripts/pg-throwaway.sh", ["stop", cluster], { stdio: "ignore" });
      rmSync(cluster, { recursive: true, force: true });
    }
  }
}

if (process.argv[2] === "--record") process.stdout.write(JSON.stringify(recordTransactions(process.argv[3]!, TXS)));
else if (process.argv[2] === "--stage")
  process.stdout.write(JSON.stringify(await stage(process.argv[3]!, process.argv[4]!, process.argv[5] as Mode)));
else await main();
