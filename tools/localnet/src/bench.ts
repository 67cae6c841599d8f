// npm run bench:localnet — start-up of `merit localnet` to its ready line, transaction throughput
// over HTTP, read throughput, and restart (history replay) time; written to BENCHMARKS.md.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Connection, Transaction } from "@solana/web3.js";
import * as spl from "@solana/spl-token";
import { closeConnection, fundedKeypair, rpc } from "../../../tests/helpers/localnet.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BENCHMARKS = join(ROOT, "BENCHMARKS.md");
const START = "<!-- bench:localnet -->";
const END = "<!-- /bench:localnet -->";
const N = Number(process.env.BENCH_LOCALNET_TXS ?? 2000);
const STARTS = Number(process.env.BENCH_RUNS ?? 5);

interface Cli {
  url: string;
  /** Wall time from spawning the CLI to its `ready` line (what a developer or `npm start` waits). */
  readyMs: number;
  /** CPU time the process had used by then (all threads): what the wall time would be on an idle machine, roughly. */
  cpuMs: number;
  /** CPU time the process has used so far (Linux /proc), to measure the server's work per request. */
  cpuNow(): number;
  stop(): Promise<void>;
}

/** `merit localnet` in its own process, as it runs for real: the benchmark client is not on its thread. */
function cli(args: string[]): Promise<Cli> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ["indexer/bin/merit.mjs", "localnet", "--port", "0", "-q", ...args], {
      cwd: ROOT,
    });
    let out = "";
    let ready = false;
    const exited = new Promise<number | string | null>((done) => child.once("exit", (code, signal) => done(code ?? signal)));
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^ready (\S+) in \d+ ms \(cpu (\d+) ms\)/m.exec(out);
      if (ready || !m) return;
      ready = true;
      resolve({
        url: m[1]!,
        readyMs: performance.now() - t0,
        cpuMs: Number(m[2]),
        cpuNow() {
          const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
          return (Number(fields[11]) + Number(fields[12])) * (1000 / 100); // utime + stime, in 1/100 s ticks
        },
        async stop() {
          child.kill("SIGINT");
          const code = await exited;
          if (code !== 0) throw new Error(`localnet exited with ${code} on SIGINT`);
        },
      });
    });
    void exited.then((code) => {
      if (!ready) reject(new Error(`localnet exited (${code}) before ready: ${out}`));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const starts: number[] = [];
  const cpus_: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const net = await cli(["--ephemeral"]);
    starts.push(net.readyMs);
    cpus_.push(net.cpuMs);
    await net.stop();
  }
  console.error(`start-up: ${starts.map((ms) => ms.toFixed(0)).join(", ")} ms (cpu ${cpus_.join(", ")} ms)`);

  const dir = mkdtempSync(join(tmpdir(), "merit-bench-localnet-"));
  const historyFile = join(dir, "history.jsonl");
  const net = await cli(["--ledger", historyFile]);
  const connection = new Connection(net.url, "confirmed");
  const payer = await fundedKeypair(connection, 100);
  const mint = await spl.createMint(connection, payer, payer.publicKey, null, 6);
  const from = await spl.createAssociatedTokenAccount(connection, payer, mint, payer.publicKey);
  const to = await spl.createAssociatedTokenAccount(connection, payer, mint, (await fundedKeypair(connection, 1)).publicKey);
  await spl.mintTo(connection, payer, mint, from, payer, 10n ** 15n);

  // Signed up front: web3.js signing is the client's cost, not the chain's (BENCHMARKS.md, local chain).
  const { blockhash } = await connection.getLatestBlockhash();
  const wires = Array.from({ length: N }, (_, i) => {
    const tx = new Transaction({ feePayer: payer.publicKey, blockhash, lastValidBlockHeight: 0 });
    tx.add(spl.createTransferCheckedInstruction(from, mint, to, payer.publicKey, BigInt(i + 1), 6));
    tx.sign(payer);
    return tx.serialize({ verifySignatures: false }).toString("base64");
  });
  const send = (wire: string) => rpc(net.url, { jsonrpc: "2.0", id: 1, method: "sendTransaction", params: [wire, { encoding: "base64" }] });
  const half = N / 2;
  let cpu0 = net.cpuNow();
  let t0 = performance.now();
  for (const wire of wires.slice(0, half)) await send(wire);
  const serialMs = performance.now() - t0;
  const sendCpuMs = (net.cpuNow() - cpu0) / half;
  t0 = performance.now();
  const queue = wires.slice(half);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let w = queue.pop(); w; w = queue.pop()) await send(w);
    }),
  );
  const concurrentMs = performance.now() - t0;

  const sigs = await connection.getSignaturesForAddress(to, { limit: 1000 });
  cpu0 = net.cpuNow();
  t0 = performance.now();
  for (const s of sigs)
    await rpc(net.url, {
      jsonrpc: "2.0",
      id: 1,
      method: "getTransaction",
      params: [s.signature, { encoding: "json", maxSupportedTransactionVersion: 0 }],
    });
  const readMs = performance.now() - t0;
  const readCpuMs = (net.cpuNow() - cpu0) / sigs.length;
  const count = await connection.getTransactionCount();
  closeConnection(connection);
  await net.stop();

  const again = await cli(["--ledger", historyFile]);
  const snapshotMs = again.readyMs;
  const snapshotCpuMs = again.cpuMs;
  await again.stop();
  for (const f of readdirSync(dir)) if (f.includes(".snapshot-")) rmSync(join(dir, f));
  const replayed = await cli(["--ledger", historyFile]);
  const replayMs = replayed.readyMs;
  const replayCpuMs = replayed.cpuMs;
  const balance = (await rpc(replayed.url, { jsonrpc: "2.0", id: 1, method: "getTokenAccountBalance", params: [to.toBase58()] })).json as {
    result: { value: { amount: string } };
  };
  await replayed.stop();
  const expected = (BigInt(N) * BigInt(N + 1)) / 2n;
  if (BigInt(balance.result.value.amount) !== expected)
    throw new Error(`replayed balance ${balance.result.value.amount}, expected ${expected}`);
  const fileMb = (readFileSync(historyFile).length / 2 ** 20).toFixed(1);
  rmSync(dir, { recursive: true, force: true });

  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown";
  const perSec = (n: number, ms: number) => Math.round((n * 1000) / ms).toLocaleString("en-US");
  const section = `${START}
## Local chain (\`npm run bench:localnet\`)

Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpus().length} cores (${cpu}),
${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, load average ${loadAtStart.toFixed(1)} at the start and
${loadavg()[0]!.toFixed(1)} at the end (wall times stretch with the load; CPU time much less).

| measure | result |
|---|---|
| \`merit localnet\` spawn to \`ready\` line (${STARTS} runs) | median ${median(starts).toFixed(0)} ms, max ${Math.max(...starts).toFixed(0)} ms wall; median ${median(cpus_)} ms CPU (target < 2000 ms) |
| SPL transferChecked via HTTP sendTransaction, one in flight | ${half} in ${(serialMs / 1000).toFixed(2)} s (${perSec(half, serialMs)} tx/s); server CPU ${sendCpuMs.toFixed(2)} ms per transaction (${perSec(1, sendCpuMs)} tx/s CPU-bound) |
| same, 8 in flight | ${half} in ${(concurrentMs / 1000).toFixed(2)} s (${perSec(half, concurrentMs)} tx/s) |
| getTransaction (json), one in flight | ${sigs.length} in ${(readMs / 1000).toFixed(2)} s (${perSec(sigs.length, readMs)} req/s); server CPU ${readCpuMs.toFixed(2)} ms per request |
| restart to \`ready\` after a clean stop (state snapshot, ${count} transactions in history, ${fileMb} MB) | ${(snapshotMs / 1000).toFixed(2)} s wall, ${snapshotCpuMs} ms CPU |
| restart to \`ready\` replaying all ${count} transactions (no snapshot, as after a crash) | ${(replayMs / 1000).toFixed(2)} s wall, ${replayCpuMs} ms CPU |

The localnet runs as \`merit localnet\` in its own process with a history file. Transactions are
signed beforehand (web3.js signing costs ~1.5 ms each on the client); the figures are HTTP, preflight,
execution, balances, history and the history file, seen from a client process. Server CPU per request
is the localnet process's own CPU time over the run divided by the requests: what bounds throughput
when the machine is not shared.
${END}`;
  const doc = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, "utf8") : "# Benchmarks\n";
  const next = doc.includes(START) ? doc.replace(new RegExp(`${START}[\\s\\S]*?${END}`), section) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(BENCHMARKS, next);
  console.error(section);
}

await main();
