import { copyKeyText, type KeyTexts } from "@merit/clients/merkle";
import { BugError } from "../errors.js";
import type { CopySegment } from "./copy-pipe.js";

/**
 * Fields of PostgreSQL's binary COPY format (docs: "COPY, Binary Format"), written straight into a
 * segment's buffer (db/copy-pipe.ts). Each row is an int16 field count, then per field an int32 byte length (-1 for
 * NULL) and the value in its type's send format:
 *
 *   bigint       8 bytes, big-endian two's complement
 *   text         UTF-8 bytes
 *   boolean      1 byte, 0 or 1
 *   timestamptz  int64 microseconds since 2000-01-01 00:00 UTC
 *   text[]       int32 dims (1, or 0 when empty), int32 has-nulls 0, int32 element type 25 (text),
 *                int32 length, int32 lower bound 1, then each element as a text field
 *   integer      4 bytes, big-endian two's complement
 *   numeric      int16 digit count, int16 weight (the first digit's power of 10000), uint16 sign
 *                (0x4000 negative), int16 display scale, then the base-10000 digits, most
 *                significant first, as int16s (trailing zero digits left out)
 *   jsonb        a version byte 1, then the JSON text
 *
 */
const PG_EPOCH_MS = 946_684_800_000;
const TEXT_OID = 25;
const TWO_32 = 2 ** 32;

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

export function int64(seg: CopySegment, v: bigint | null): void {
  if (v === null) return nil(seg);
  // setBigInt64 wraps silently (2^64 - 10^6 became -1,000,000): refuse, as the unnest path's cast does
  if (v < INT8_MIN || v > INT8_MAX) throw new BugError("int8_out_of_range", `${v} is out of range for bigint (a COPY row)`);
  seg.view.setInt32(seg.off, 8);
  seg.view.setBigInt64(seg.off + 4, v);
  seg.off += 12;
}

/** Views of a 64-bit column's bytes and 32-bit words, for the `…At` encoders below. */
export interface Words64 {
  bytes: Uint8Array;
  words: Uint32Array;
  signed: boolean;
  values: BigInt64Array | BigUint64Array;
}

export function words64(values: BigInt64Array | BigUint64Array): Words64 {
  return {
    bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    words: new Uint32Array(values.buffer, values.byteOffset, values.length * 2),
    signed: values instanceof BigInt64Array,
    values,
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Element i of a signed 64-bit column as bigint, its bytes copied: reading the element would make a
 * BigInt (an allocation per field; an epoch writes five per wallet).
 */
export function int64At(seg: CopySegment, c: Words64, i: number): void {
  if (!LITTLE_ENDIAN || !c.signed) return int64(seg, c.values[i]!);
  const b = seg.buf;
  const o = seg.off;
  b[o] = 0;
  b[o + 1] = 0;
  b[o + 2] = 0;
  b[o + 3] = 8;
  const src = c.bytes;
  for (let k = 0, s = i * 8 + 7; k < 8; k++, s--) b[o + 4 + k] = src[s]!;
  seg.off = o + 12;
}

const TWO_21 = 2 ** 21;

/** Element i of a 64-bit column as numeric, from its two 32-bit words while a double holds it exactly. */
export function numericAt(seg: CopySegment, c: Words64, i: number): void {
  if (!LITTLE_ENDIAN) return numeric(seg, c.values[i]!);
  const lo = c.words[i * 2]!;
  const hi = c.words[i * 2 + 1]!;
  if (hi < TWO_21) return hi === 0 && lo === 0 ? numeric(seg, 0n) : numericSmall(seg, hi * TWO_32 + lo);
  // a negative signed value whose magnitude is below 2^53: ~x + 1 of the 64-bit word pair
  if (c.signed && hi > 0xffffffff - TWO_21 && !(hi === 0xffe00000 && lo === 0))
    return numericSmall(seg, -((0xffffffff - hi) * TWO_32 + (0xffffffff - lo) + 1));
  numeric(seg, c.values[i]!);
}

/** Bytes encoded once, written as they are (a row's constant fields). */
export function raw(seg: CopySegment, bytes: Uint8Array): void {
  seg.buf.set(bytes, seg.off);
  seg.off += bytes.length;
}

export function int32(seg: CopySegment, v: number): void {
  seg.view.setInt32(seg.off, 4);
  seg.view.setInt32(seg.off + 4, v);
  seg.off += 8;
}

const NUMERIC_NEG = 0x4000;
/** Base-10000 digits a numeric field may take: 40 decimal digits, twice a u64. */
const NUMERIC_DIGITS = 10;

const TWO_53 = 2n ** 53n;
/** Base-10000 digits of a number below 2^53, least significant first. */
const GROUPS = new Uint16Array(4);

/** A whole number (scale 0) as numeric; at most `numericBound(v)` bytes. */
export function numeric(seg: CopySegment, v: bigint): void {
  if (v > -TWO_53 && v < TWO_53 && v !== 0n) return numericSmall(seg, Number(v));
  const view = seg.view;
  const start = seg.off;
  const neg = v < 0n;
  const s = (neg ? -v : v).toString();
  if (s === "0") {
    view.setInt32(start, 8);
    view.setBigInt64(start + 4, 0n); // no digits, weight 0, positive, scale 0
    seg.off = start + 12;
    return;
  }
  // base-10000 digits from the decimal text: the first takes what is left over from groups of four
  const count = Math.ceil(s.length / 4);
  if (count > NUMERIC_DIGITS) throw new BugError("numeric_out_of_range", `${v} has more digits than a COPY row's numeric field takes`);
  let end = s.length % 4 || 4;
  const at = start + 12;
  let kept = 0;
  for (let i = 0, from = 0; i < count; i++, from = end, end += 4) {
    const d = Number(s.slice(from, end));
    view.setInt16(at + i * 2, d);
    if (d !== 0) kept = i + 1;
  }
  endNumeric(seg, start, count, kept, neg);
}

/**
 * numeric for a number that a double holds exactly: its digits by arithmetic, without a decimal
 * string to cut (an epoch's close writes four numerics per wallet).
 */
function numericSmall(seg: CopySegment, x: number): void {
  const view = seg.view;
  const start = seg.off;
  const neg = x < 0;
  let rest = neg ? -x : x;
  let count = 0;
  while (rest > 0) {
    const q = Math.floor(rest / 10_000);
    GROUPS[count++] = rest - q * 10_000;
    rest = q;
  }
  let low = 0;
  while (GROUPS[low] === 0) low++; // trailing zero digits are left out
  const kept = count - low;
  const at = start + 12;
  for (let i = 0; i < kept; i++) view.setInt16(at + i * 2, GROUPS[count - 1 - i]!);
  endNumeric(seg, start, count, kept, neg);
}

/** A numeric field's length and header, once its `kept` base-10000 digits (of `count`) are written. */
function endNumeric(seg: CopySegment, start: number, count: number, kept: number, neg: boolean): void {
  const view = seg.view;
  view.setInt32(start, 8 + kept * 2);
  view.setInt16(start + 4, kept);
  view.setInt16(start + 6, count - 1);
  view.setUint16(start + 8, neg ? NUMERIC_NEG : 0);
  view.setInt16(start + 10, 0);
  seg.off = start + 12 + kept * 2;
}

/** Upper bound of a numeric field's size. */
export const NUMERIC_BOUND = 12 + 2 * NUMERIC_DIGITS;

/** JSON text as jsonb (the server parses it, as it would the text format). */
export function jsonb(seg: CopySegment, json: string): void {
  const start = seg.off;
  seg.buf[start + 4] = 1;
  seg.off = start + 1;
  text(seg, json);
  // text() wrote its length at start + 1: move it to start and count the version byte
  const n = seg.view.getInt32(start + 1);
  seg.view.setInt32(start, n + 1);
  seg.buf[start + 4] = 1;
}

export function nil(seg: CopySegment): void {
  seg.view.setInt32(seg.off, -1);
  seg.off += 4;
}

export function text(seg: CopySegment, v: string | null): void {
  if (v === null) return nil(seg);
  // Addresses, reasons and ids are ASCII: copying their char codes beats a call into Buffer.write
  // (a native call per field dominated Node's CPU per settlement: docs/performance-history.md,
  // engine); anything else goes through it.
  const buf = seg.buf;
  const at = seg.off + 4;
  let n = v.length;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c > 0x7f) {
      n = buf.write(v, at);
      break;
    }
    buf[at + i] = c;
  }
  seg.view.setInt32(seg.off, n);
  seg.off = at + n;
}

/** Text `i` of `texts` (KeyTexts: base58 as bytes), a text field copied as it is. */
export function keyText(seg: CopySegment, texts: KeyTexts, i: number): void {
  const n = copyKeyText(texts, i, seg.buf, seg.off + 4);
  seg.view.setInt32(seg.off, n);
  seg.off += 4 + n;
}

export function timestamptz(seg: CopySegment, d: Date): void {
  // a Date holds whole milliseconds: microseconds stay exact integers far past any real date
  const us = (d.getTime() - PG_EPOCH_MS) * 1000;
  // an invalid Date would otherwise go out as 2000-01-01 (the text format threw on it)
  if (Number.isNaN(us)) throw new BugError("invalid_time", "a COPY row carries an invalid Date");
  const hi = Math.floor(us / TWO_32);
  seg.view.setInt32(seg.off, 8);
  seg.view.setInt32(seg.off + 4, hi);
  seg.view.setUint32(seg.off + 8, us - hi * TWO_32);
  seg.off += 12;
}

export function textArray(seg: CopySegment, values: readonly string[] | null): void {
  if (values === null) return nil(seg);
  const start = seg.off;
  const v = seg.view;
  v.setInt32(start + 4, values.length > 0 ? 1 : 0);
  v.setInt32(start + 8, 0);
  v.setInt32(start + 12, TEXT_OID);
  seg.off = start + 16;
  if (values.length > 0) {
    v.setInt32(start + 16, values.length);
    v.setInt32(start + 20, 1);
    seg.off = start + 24;
    for (const e of values) text(seg, e);
  }
  v.setInt32(start, seg.off - start - 4);
}

/** Upper bound of a text field's size: UTF-8 takes at most 3 bytes per UTF-16 unit. */
export const textBound = (v: string | null) => 4 + (v === null ? 0 : 3 * v.length);
