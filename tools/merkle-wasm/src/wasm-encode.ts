// The few pieces of the WebAssembly binary format that generate.ts needs: enough to emit one
// module with a memory and some functions, without a toolchain (no wabt, no compiler).

export const I32 = 0x7f;
export const V128 = 0x7b;

/** Opcodes used by the generator (core spec and the SIMD proposal as shipped, prefix 0xfd). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  i32Load: 0x28,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Add: 0x6a,
  i32Sub: 0x6b,
} as const;

export const SIMD = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  i32x4Eq: 0x37,
  i32x4LtU: 0x3a,
  and: 0x4e,
  or: 0x50,
  xor: 0x51,
  bitselect: 0x52,
  i32x4Shl: 0xab,
  i32x4ShrU: 0xad,
  i32x4Add: 0xae,
} as const;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A SIMD instruction: the 0xfd prefix, then its LEB128 opcode. */
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];

const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, "latin1")];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

export interface FuncDef {
  name: string;
  params: number[];
  /** Types of the locals after the parameters, one entry a local. */
  locals: number[];
  /** The instructions, without the final `end`. */
  code: number[];
}

/** Runs of equal types, as the code section declares locals. */
function localDecls(types: number[]): number[][] {
  const runs: number[][] = [];
  for (let i = 0; i < types.length; ) {
    let j = i;
    while (j < types.length && types[j] === types[i]) j++;
    runs.push([...uleb(j - i), types[i]!]);
    i = j;
  }
  return runs;
}

/**
 * One module: an exported memory of `pages` 64 KiB pages holding `data` at address 0, the
 * functions (all exported), and the exported i32 global `heap_base`: the first byte after `data`
 * that callers may use.
 */
export function encodeModule(pages: number, funcs: FuncDef[], data: Uint8Array, heapBase: number): Uint8Array {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), 0]);
  const exports = [[...name("memory"), 2, 0], ...funcs.map((f, i) => [...name(f.name), 0, ...uleb(i)])];
  const bodies = funcs.map((f) => {
    const body = [...vec(localDecls(f.locals)), ...f.code, OP.end];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(6, vec([[I32, 0, OP.i32Const, ...sleb(heapBase), OP.end]])),
    ...section(7, vec([...exports, [...name("heap_base"), 3, 0]])),
    ...section(10, vec(bodies)),
    ...section(11, vec([[0x00, OP.i32Const, 0, OP.end, ...uleb(data.length), ...data]])),
  ]);
}
