import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { TxRecord } from "./history.js";

/**
 * Append-only JSONL of everything that changed the chain: executed transactions (wire bytes plus
 * the metadata served to clients) and warps. State is rebuilt on restart by re-executing the
 * transactions in order at their recorded slot and time; the file is the only source of truth, so
 * a crash loses at most the line being written (a torn last line is cut off on open).
 */
export type LedgerLine =
  | { t: "tx"; record: Omit<TxRecord, "wire"> & { wire: string } }
  | { t: "warp"; warpMs: number; slot: number }
  /** Written on a clean stop, so a restart resumes after slots that passed with no transaction. */
  | { t: "stop"; warpMs: number; slot: number };

export class LedgerFile {
  private readonly fd: number;

  private constructor(readonly path: string, fd: number) {
    this.fd = fd;
  }

  /** Opens (creating if needed) and returns the file with the lines it already holds. */
  static open(path: string): { file: LedgerFile; lines: LedgerLine[] } {
    mkdirSync(dirname(path), { recursive: true });
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

  close(): void {
    closeSync(this.fd);
  }

  private write(line: LedgerLine): void {
    writeSync(this.fd, JSON.stringify(line) + "\n");
  }
}

export function recordFromLine(line: Extract<LedgerLine, { t: "tx" }>): TxRecord {
  return { ...line.record, wire: new Uint8Array(Buffer.from(line.record.wire, "base64")) };
}
