import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { AsciiChunks, ascii } from "@merit/clients/merkle";
import type { Queryable } from "../db/connection.js";
import type { JsonValue } from "../json.js";
import { type CopyRow, copyOutEach } from "../db/copy-out.js";
import { adjustmentsInRange, type LedgerRange, settlementsInRange, settlementsInRangeCopy } from "../ledger/epoch-range.js";
import { carriedBalances } from "./queries.js";

/**
 * The epoch manifest (docs/epoch-manifest.md): everything an epoch's figures depend on, so a
 * stranger can recompute them. NDJSON in one canonical serialization (keys in a fixed order, no
 * whitespace, bigints as decimal strings), so the same inputs always give the same bytes; its
 * sha256 is the inputs hash stored on-chain and in the dataset header.
 */
export const MANIFEST_FORMAT = "merit-epoch-manifest";
export const MANIFEST_VERSION = 1;

export interface ManifestHeader {
  distributor: string;
  mint: string;
  epoch: bigint;
  /** The inputs hash of the epoch before (all zeros for epoch 1): manifests chain back to the start. */
  previousInputsHash: string;
  slots: { first: bigint; last: bigint };
  range: LedgerRange;
  conversion: JsonValue;
}

export interface WrittenManifest {
  inputsHash: string;
  bytes: number;
  settlements: number;
}

/** A settlement line written by plainLine from a COPY row's bytes, in canonicalJson's key order (settlement in writeManifest). */
const [L_INNER, L_OUTER, L_SIGNATURE, L_SLOT, L_END] = [
  '{"inner":',
  ',"outer":',
  ',"signature":"',
  '","slot":"',
  '","type":"settlement"}\n',
].map(ascii) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
/** The text before each field of a row, in the row's order. */
const L_BEFORE = [L_INNER, L_OUTER, L_SIGNATURE, L_SLOT];
/** Bytes of settlement lines gathered before they go out; the most one takes (a longer one goes out alone). */
const LINES_CHUNK = 1 << 20;
const LINE_ROOM = 512;

/**
 * The settlement line of a row (inner index, outer index, signature, slot) into `w` when every
 * field is plain (CopyRow.copyPlain); false, with `w` partly written, for any other.
 */
function plainLine(row: CopyRow, w: AsciiChunks): boolean {
  for (let i = 0; i < 4; i++) {
    w.raw(L_BEFORE[i]!);
    const n = row.copyPlain(i, w.buf, w.off);
    if (n <= 0) return false;
    w.off += n;
  }
  w.raw(L_END);
  return true;
}

/** JSON with keys sorted at every level: one serialization for free-form objects (rule bodies). */
export function canonicalJson(v: unknown): string {
  if (typeof v === "bigint") return JSON.stringify(v.toString());
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(",")}}`;
}

/**
 * Writes the manifest to `path`, reading the ledger range page by page; returns its hash. `copy`:
 * the server takes COPY (db/connection.ts supportsCopy) and writes the settlement lines itself.
 * It reads only what the range and the epochs before it fix, so it may run on a connection of its
 * own while the close sums the ledger on another.
 */
export async function writeManifest(q: Queryable, path: string, h: ManifestHeader, copy = false): Promise<WrittenManifest> {
  const hash = createHash("sha256");
  const out = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => {});
  let bytes = 0;
  // Lines are gathered into chunks: a write and a hash update per line cost more than the line.
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const buf = Buffer.from(pending.join(""), "utf8");
    pending = [];
    pendingLength = 0;
    hash.update(buf);
    bytes += buf.length;
    if (!out.write(buf)) await Promise.race([once(out, "drain"), failed]);
  };
  const write = async (line: string) => {
    pending.push(line, "\n");
    pendingLength += line.length + 1;
    if (pendingLength >= 1 << 16) await flush();
  };
  const r = h.range;
  await write(
    canonicalJson({
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      distributor: h.distributor,
      mint: h.mint,
      epoch: h.epoch,
      previousInputsHash: h.previousInputsHash,
      slots: h.slots,
      range: { afterSeq: r.afterSeq, throughSeq: r.throughSeq, afterOtherId: r.afterOtherId, throughOtherId: r.throughOtherId },
      conversion: h.conversion,
    }),
  );
  // Rule sets, links and referrals: the whole history in effect before the cutoff (scoring state
  // carries across epochs). One that lands at the cutoff (after_seq = throughSeq) only applies to
  // later settlements, so a manifest rebuilt later lists exactly the same ones.
  const rules = await q<{ version: bigint; effective_from: Date; after_seq: bigint; body: JsonValue; created_by: string; note: string }[]>`
    select version, effective_from, after_seq, body, created_by, note from rule_sets where after_seq < ${r.throughSeq} order by version`;
  for (const x of rules) {
    await write(
      canonicalJson({
        type: "ruleSet",
        version: x.version,
        effectiveFrom: x.effective_from.toISOString(),
        afterSeq: x.after_seq,
        body: x.body,
        by: x.created_by,
        note: x.note,
      }),
    );
  }
  const links = await q<
    { address: string; account: string; chain: string; after_seq: bigint; signature: string; message: string | null }[]
  >`
    select l.address, l.account, l.chain, l.after_seq, l.signature,
      (select c.message from challenges c where c.purpose = 'link' and c.address = l.address and c.account = l.account and c.used_at is not null
       order by c.used_at desc limit 1) as message
    from linked_addresses l where l.after_seq < ${r.throughSeq} order by l.after_seq, l.address`;
  for (const x of links) {
    await write(
      canonicalJson({
        type: "link",
        address: x.address,
        account: x.account,
        chain: x.chain,
        afterSeq: x.after_seq,
        signature: x.signature,
        message: x.message,
      }),
    );
  }
  const referrals = await q<
    { referee: string; referrer: string; code: string; after_seq: bigint; signature: string; message: string | null }[]
  >`
    select r.referee, r.referrer, r.code, r.after_seq, r.signature,
      (select c.message from challenges c where c.purpose = 'referral' and c.subject = r.code and c.used_at is not null
         and (c.account = r.referee or c.address = r.referee) order by c.used_at desc limit 1) as message
    from referral_links r where r.after_seq < ${r.throughSeq} order by r.after_seq, r.referee`;
  for (const x of referrals) {
    await write(
      canonicalJson({
        type: "referral",
        referee: x.referee,
        referrer: x.referrer,
        code: x.code,
        afterSeq: x.after_seq,
        signature: x.signature,
        message: x.message,
      }),
    );
  }
  for (const a of await adjustmentsInRange(q, r)) {
    await write(
      canonicalJson({
        type: "adjustment",
        id: a.id,
        seq: a.seq,
        account: a.account,
        delta: a.delta,
        reason: a.reason,
        note: a.note,
        at: a.occurredAt.toISOString(),
      }),
    );
  }
  for (const c of await carriedBalances(q, h.distributor, h.epoch - 1n))
    await write(canonicalJson({ type: "carry", claimant: c.claimant, pending: c.pending }));
  let settlements = 0;
  // canonicalJson's key order, written directly: this is the one line per settlement
  const settlement = (inner: number, outer: number, signature: string, slot: bigint | string) =>
    `{"inner":${inner},"outer":${outer},"signature":${JSON.stringify(signature)},"slot":"${slot}","type":"settlement"}\n`;
  if (copy) {
    // Sorted in memory, on one core: the close sums the ledger on the other meanwhile.
    await q`select set_config('work_mem', '256MB', true), set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`;
    await flush(); // the lines before these, in order
    // A million lines written as bytes from the rows' bytes: the fields are digits and base58,
    // which the line holds as they are (`settlement` above is the definition; any other text goes
    // through it).
    const w = new AsciiChunks(LINES_CHUNK + LINE_ROOM);
    const ready: Buffer[] = [];
    const lines = (row: CopyRow) => {
      const full = w.room(LINE_ROOM);
      if (full) ready.push(full);
      const start = w.off;
      if (!plainLine(row, w)) {
        w.off = start;
        const line = Buffer.from(settlement(Number(row.text(0)), Number(row.text(1)), row.text(2)!, row.text(3)!), "utf8");
        if (line.length > LINE_ROOM) ready.push(w.take(), line);
        else w.raw(line);
      }
      settlements++;
    };
    const send = async (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      if (!out.write(chunk)) await Promise.race([once(out, "drain"), failed]);
    };
    for await (const _ of copyOutEach(q, settlementsInRangeCopy(r), lines)) while (ready.length > 0) await send(ready.shift()!);
    if (w.off > 0) await send(w.take());
  } else
    for await (const page of settlementsInRange(q, r)) {
      for (const s of page) {
        const line = settlement(s.innerIndex, s.outerIndex, s.signature, s.slot);
        pending.push(line);
        pendingLength += line.length;
        settlements++;
      }
      await flush();
    }
  await flush();
  out.end();
  await Promise.race([once(out, "close"), failed]);
  return { inputsHash: hash.digest("hex"), bytes, settlements };
}
