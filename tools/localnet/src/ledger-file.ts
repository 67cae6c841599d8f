import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import type { LiteSvm as InnerSvm } from "litesvm/dist/internal.js";
import type { TxRecord } from "./history.js";

/**
 * Append-only JSONL of everything that changed the chain: executed transactions (wire bytes plus
 * the metadata served to clients) and warps. State is rebuilt on restart by re-executing the
 * transactions in order at their recorded slot and time; the file is the only source of truth, so
 * a crash loses at most the line being written (a torn last line is cut off on open).
 *
 * A clean stop also saves litesvm's state as `<file>.snapshot-<n>` (n = transactions it holds)
 * before writing the stop line that names it; a restart loads it and replays only what came
 * after, so restarts stay fast however long the history. A snapshot that does not match the
 * file is ignored, falling back to the full replay.
 */
export interface SnapshotRef {
  txCount: number;
  genesisSlot: number;
}

export type LedgerLine =
  | { t: "tx"; record: Omit<TxRecord, "wire"> & { wire: string } }
  | { t: "warp"; warpMs: number; slot: number }
  /** Written on a clean stop, so a restart resumes after slots that passed with no transaction. */
  | { t: "stop"; warpMs: number; slot: number; snapshot?: SnapshotRef };

export class LedgerFile {
  private readonly fd: number;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens (creating if needed) and returns the file with the lines it already holds. */
  static open(path: string): { file: LedgerFile; lines: LedgerLine[] } {
    mkdirSync(dirname(path), { recursive: true });
    lock(path);
    const lines: LedgerLine[] = [];
    let goodBytes = 0;
    if (existsSync(path)) {
      const text = readFileSync(path, "utf8");
      let start = 0;
      while (start < text.length) {
        const nl = text.indexOf("\n", start);
        if (nl === -1) break; // torn final line: never completed, dropped below
        const raw = text.slice(start, nl);
        if (raw.trim()) {
          try {
            lines.push(JSON.parse(raw) as LedgerLine);
          } catch (err) {
            throw new Error(`localnet history ${path} is corrupt at byte ${start}: ${(err as Error).message}`);
          }
        }
        start = nl + 1;
      }
      goodBytes = Buffer.byteLength(text.slice(0, start), "utf8");
    }
    const fd = openSync(path, "a+");
    ftruncateSync(fd, goodBytes);
    return { file: new LedgerFile(path, fd), lines };
  }

  appendTx(record: TxRecord): void {
    this.write({ t: "tx", record: { ...record, wire: Buffer.from(record.wire).toString("base64") } });
  }

  appendClock(t: "warp" | "stop", warpMs: number, slot: number): void {
    this.write({ t, warpMs, slot });
  }

  /** Saves the state, then the stop line naming it, then drops older snapshots (crash-safe order). */
  stopWithSnapshot(svm: InnerSvm, warpMs: number, slot: number, ref: SnapshotRef): void {
    const target = snapshotPath(this.path, ref.txCount);
    svm.saveToFile(`${target}.tmp`);
    renameSync(`${target}.tmp`, target);
    this.write({ t: "stop", warpMs, slot, snapshot: ref });
    for (const old of snapshotFiles(this.path)) if (old !== target) rmSync(old, { force: true });
  }

  close(): void {
    closeSync(this.fd);
    rmSync(`${this.path}.lock`, { force: true });
  }

  private write(line: LedgerLine): void {
    writeSync(this.fd, JSON.stringify(line) + "\n");
  }
}

/**
 * One process appends to a history file at a time (`npm start` and `merit localnet` share one by
 * default): a lock file holds the owner's pid, and a lock whose process is gone is taken over.
 */
function lock(path: string): void {
  const file = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(readFileSync(file, "utf8"));
      if (owner && alive(owner)) {
        throw new Error(`localnet history ${path} is in use by process ${owner} (another localnet or npm start)`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock localnet history ${path}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The snapshot a restart can start from: named by the last stop line, holding exactly the transactions before it. */
export function usableSnapshot(path: string, lines: LedgerLine[]): (SnapshotRef & { file: string }) | undefined {
  let txs = 0;
  let found: (SnapshotRef & { file: string }) | undefined;
  for (const line of lines) {
    if (line.t === "tx") txs++;
    else if (line.t === "stop") {
      const file = line.snapshot ? snapshotPath(path, line.snapshot.txCount) : "";
      found = line.snapshot && line.snapshot.txCount === txs && existsSync(file) ? { ...line.snapshot, file } : undefined;
    }
  }
  return found;
}

/** Deletes a history file and its snapshots (`merit localnet --reset`), unless a localnet is using it. */
export function removeHistory(path: string): void {
  if (!existsSync(dirname(path))) return;
  lock(path);
  rmSync(path, { force: true });
  for (const file of snapshotFiles(path)) rmSync(file, { force: true });
  rmSync(`${path}.lock`, { force: true });
}

function snapshotPath(path: string, txCount: number): string {
  return `${path}.snapshot-${txCount}`;
}

function snapshotFiles(path: string): string[] {
  const dir = dirname(path);
  if (!existsSync(dir)) return [];
  const prefix = `${basename(path)}.snapshot-`;
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .map((f) => join(dir, f));
}

export function recordFromLine(line: Extract<LedgerLine, { t: "tx" }>): TxRecord {
  return { ...line.record, wire: new Uint8Array(Buffer.from(line.record.wire, "base64")) };
}
