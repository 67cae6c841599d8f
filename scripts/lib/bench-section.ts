// One section of BENCHMARKS.md per benchmark, between `<!-- bench:NAME -->` markers, so each
// `npm run bench:NAME` rewrites its own figures and leaves the others alone.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";

const FILE = new URL("../../BENCHMARKS.md", import.meta.url);

/** Date, cores, CPU model, RAM, Node and the current load: what a reader needs to weigh a figure. */
export function machineSummary(): string {
  const model = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown CPU";
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  return `${date} UTC, ${cpus().length} cores (${model}), ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, 1-minute load average ${loadavg()[0]!.toFixed(1)}`;
}

export function writeBenchSection(name: string, body: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const text = existsSync(FILE)
    ? readFileSync(FILE, "utf8")
    : "# Benchmarks\n\nEach section is written by its `npm run bench:<name>` script.\n";
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  writeFileSync(FILE, i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`);
}

/**
 * CPU time the hypervisor gave this VM's vCPUs to other guests (`steal`): invisible in our own
 * CPU figures, yet it stretches wall-clock rates. Seconds summed over all cores, from /proc/stat
 * (Linux; 0 elsewhere).
 */
export function stealSeconds(): number {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
    return Number(f[8] ?? 0) / 100; // cpu user nice system idle iowait irq softirq steal, in USER_HZ (100)
  } catch {
    return 0;
  }
}
