// npm run bench:api — the HTTP API under load. BENCH_API_WALLETS (default 1M) wallets get one scored
// settlement each and are closed into epoch 1 by the real closeEpoch (manifest, dataset, proof
// shards), for a distributor initialized on the local chain (@merit/localnet, the RPC the wallet
// route reads ClaimStatus accounts from; it runs in this process). The API server runs in a child
// process, and the load comes from a second child: autocannon over loopback, a random wallet of
// the epoch per request, bounded in count and time. Uses DATABASE_URL's server (a scratch
// database) or a throwaway cluster (scripts/pg-throwaway.sh).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import anchor from "@coral-xyz/anchor";
import autocannon from "autocannon";
import * as spl from "@solana/spl-token";
import { Connection, Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import { distributorPda, meritDistributorProgram, vaultPda } from "@merit/clients/idl";
import { stopHashWorker } from "@merit/clients/merkle";
import { startLocalnet } from "@merit/localnet";
import { connect } from "../indexer/src/db/connection.js";
import { migrate } from "../indexer/src/db/migrate.js";
import { closeEpoch } from "../indexer/src/epochs/close.js";
import { addDistributor } from "../indexer/src/epochs/queries.js";
import { keys, seed } from "./lib/bench-epoch-seed.js";
import { machineSummary, writeBenchSection } from "./lib/bench-section.js";

const N = Number(process.env.BENCH_API_WALLETS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 15);
const MAX_REQUESTS = Number(process.env.BENCH_API_MAX_REQUESTS ?? 500_000);
const CONNECTIONS = Number(process.env.BENCH_API_CONNECTIONS ?? 32);
const WARM_SECONDS = 10;
const DB = "merit_bench_api";
const log = (line: string) => console.error(line);
const { AnchorProvider, BN, Wallet } = anchor;

interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  seconds: number;
}

/** The server child: the API over loopback on a free port, its request log to /dev/null. */
async function serveChild(dbUrl: string, rpcUrl: string, dataDir: string): Promise<void> {
  const [{ serve }, { createApp }, { default: pino }] = await Promise.all([
    import("@hono/node-server"),
    import("../indexer/src/api/app.js"),
    import("pino"),
  ]);
  // the production request log line, written where it costs a write like a log file would
  const requestLog = pino(
    { base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: "/dev/null", sync: true }),
  );
  const app = createApp({
    sql: connect(dbUrl, { max: 8, name: "merit-bench-api" }),
    connection: new Connection(rpcUrl, "confirmed"),
    dataDir,
    corsOrigins: [],
    rateLimitPerMinute: 0,
    logRequest: (line) => requestLog.info(line, "request"),
  });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => process.stdout.write(`${info.port}\n`));
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}

/** The load child: autocannon against `path` with `{w}` replaced by a random wallet of the file. */
async function loadChild(url: string, path: string, walletsFile: string, seconds: number, amount: number): Promise<void> {
  const wallets = readFileSync(walletsFile, "utf8").trim().split("\n");
  const pick = () => path.replace("{w}", wallets[Math.floor(Math.random() * wallets.length)]!);
  // autocannon's `amount` overrides its `duration`: bound the count by stopping the run ourselves
  let seen = 0;
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: pick() }) }],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    run.on("response", () => {
      if (++seen === amount) run.stop();
    });
  });
  const out: LoadResult = {
    requests: r.requests.total,
    rps: r.requests.total / (r.duration || seconds),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    seconds: r.duration,
  };
  process.stdout.write(JSON.stringify(out));
}

function runLoad(url: string, path: string, walletsFile: string, seconds: number, amount: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "scripts/bench-api.ts", "--load", url, path, walletsFile, String(seconds), String(amount)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load child exited ${code}`))));
  });
}

async function startServer(dbUrl: string, rpcUrl: string, dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      "--max-semi-space-size=64",
      // BENCH_API_CPU_PROF=<dir>: a CPU profile of the server (written when it stops)
      ...(process.env.BENCH_API_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_API_CPU_PROF}`] : []),
      "--import",
      "tsx",
      "scripts/bench-api.ts",
      "--serve",
      dbUrl,
      rpcUrl,
      dataDir,
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, LOG_FORMAT: "json" },
    },
  );
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the API server exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port.trim()}`, child };
}

/** A distributor on the local chain (the wallet route reads it and the wallets' ClaimStatus accounts). */
async function chainDistributor(connection: Connection): Promise<{ address: string; mint: string }> {
  const admin = Keypair.generate();
  const sig = await connection.requestAirdrop(admin.publicKey, 10 * LAMPORTS_PER_SOL);
  await connection.confirmTransaction({ signature: sig, ...(await connection.getLatestBlockhash()) }, "confirmed");
  const program = meritDistributorProgram(new AnchorProvider(connection, new Wallet(admin), { commitment: "confirmed" }));
  const mint = await spl.createMint(connection, admin, admin.publicKey, null, 6);
  const [distributor] = distributorPda(mint, admin.publicKey, 1n);
  const [vault] = vaultPda(distributor);
  await program.methods
    .initializeDistributor(new BN(1), admin.publicKey, admin.publicKey, {
      activationDelay: new BN(60),
      gracePeriod: new BN(60),
      maxTotalIncrease: new BN("18000000000000000000"),
      claimExpiry: new BN(0),
    })
    .accountsPartial({ admin: admin.publicKey, mint, distributor, vault, tokenProgram: spl.TOKEN_PROGRAM_ID })
    .rpc();
  return { address: distributor.toBase58(), mint: mint.toBase58() };
}

async function main(): Promise<void> {
  if (process.argv[2] === "--serve") return serveChild(process.argv[3]!, process.argv[4]!, process.argv[5]!);
  if (process.argv[2] === "--load")
    return loadChild(process.argv[3]!, process.argv[4]!, process.argv[5]!, Number(process.argv[6]), Number(process.argv[7]));
  let cluster: string | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    cluster = mkdtempSync(join(tmpdir(), "merit-bench-api-pg-"));
    serverUrl = execFileSync("scripts/pg-throwaway.sh", [cluster], { encoding: "utf8" }).trim();
  }
  const admin = connect(serverUrl, { max: 1, name: "merit-bench" });
  await admin.unsafe(`drop database if exists ${DB}`);
  await admin.unsafe(`create database ${DB}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${DB}`;
  const sql = connect(url.toString(), { max: 2, name: "merit-bench-api" });
  const dataDir = mkdtempSync(join(tmpdir(), "merit-bench-api-"));
  const net = await startLocalnet({ port: 0 });
  const connection = new Connection(net.url, "confirmed");
  let server: ChildProcess | undefined;
  try {
    await migrate(sql);
    const d = await chainDistributor(connection);
    const wallets = keys(N);
    let t = performance.now();
    await seed(sql, wallets, log);
    log(`seeded ${N} wallets in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await addDistributor(sql, { address: d.address, mint: d.mint, conversion: { mode: "fixed", unitsPerPoint: "10", rounding: "floor" } });
    t = performance.now();
    const closed = await closeEpoch(sql, { distributor: d.address, dataDir });
    await stopHashWorker();
    const closeSeconds = (performance.now() - t) / 1000;
    log(`closed epoch 1 (${closed?.leafCount} leaves) in ${closeSeconds.toFixed(1)} s`);
    // activation is the chain's and the publisher's business (publish-flow tests); here the root counts as active
    await sql`update epochs set status = 'active', activated_at = now() where distributor = ${d.address} and epoch = 1`;
    await sql.end();
    const sample = join(dataDir, "wallets.txt");
    writeFileSync(sample, `${Array.from({ length: 200_000 }, () => wallets[Math.floor(Math.random() * wallets.length)]).join("\n")}\n`);

    const s = await startServer(url.toString(), net.url, dataDir);
    server = s.child;
    const rows: string[] = [];
    for (const [name, path, target] of [
      ["`GET /v1/wallets/:address/proof`", "/v1/wallets/{w}/proof", "≥ 10,000 req/s, p99 ≤ 10 ms"],
      ["`GET /v1/wallets/:address`", "/v1/wallets/{w}", "≥ 3,000 req/s"],
    ] as const) {
      const warm = await runLoad(s.url, path, sample, WARM_SECONDS, MAX_REQUESTS);
      log(`${name} warm-up: ${warm.rps.toFixed(0)} req/s`);
      const load1 = loadavg()[0]!;
      const r = await runLoad(s.url, path, sample, SECONDS, MAX_REQUESTS);
      log(`${name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}, non-2xx ${r.non2xx}`);
      const met = path.endsWith("proof") ? r.rps >= 10_000 && r.p99 <= 10 : r.rps >= 3_000;
      rows.push(
        `| ${name} | ${Math.round(r.rps).toLocaleString("en-US")} | ${r.p50} ms | ${r.p99} ms | ${r.requests.toLocaleString("en-US")} in ${r.seconds} s | ${r.errors} / ${r.non2xx} | ${load1.toFixed(1)} | ${target} (${met ? "met" : "not met"}) |`,
      );
    }
    writeBenchSection(
      "api",
      [
        "## HTTP API (`npm run bench:api`)",
        "",
        `${machineSummary()}; PostgreSQL ${cluster ? "throwaway cluster (fsync off)" : "DATABASE_URL"}.`,
        `Workload: ${N.toLocaleString("en-US")} wallets with one scored settlement each, closed into epoch 1 by the real \`closeEpoch\` (${closeSeconds.toFixed(0)} s; ${closed?.leafCount.toLocaleString("en-US")} leaves, proof shards on disk) and marked active; a distributor initialized on the local chain (\`@merit/localnet\` in the orchestrating process: the RPC the wallet route reads ClaimStatus and Distributor accounts from). The API server (\`createApp\`, one request log line per request through a buffered pino destination to /dev/null) runs in a child process; the load comes from a second child process over loopback: autocannon 8, ${CONNECTIONS} connections, a random wallet of the epoch per request (200,000 sampled), each run bounded to ${SECONDS} s and ${MAX_REQUESTS.toLocaleString("en-US")} requests, after a ${WARM_SECONDS} s warm-up run of the same route (the proof route's shard cache fills then).`,
        "",
        "| route | requests/s | p50 | p99 | requests | errors / non-2xx | load average (1 min) before | target |",
        "|---|---|---|---|---|---|---|---|",
        ...rows,
      ].join("\n"),
    );
    log("written to BENCHMARKS.md");
  } finally {
    server?.kill("SIGTERM");
    await net.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (cluster) {
      execFileSync("scripts/pg-throwaway.sh", ["stop", cluster]);
      rmSync(cluster, { recursive: true, force: true });
    }
  }
}

await main();
