// The microbenchmark behind the builder's hash path: SHA-256 compressions of 64-byte blocks in
// scalar WebAssembly (i32, native rotate), in the SIMD code the builder uses (i32x4: four blocks at
// once, rotates as two shifts and an or), and as Node's crypto.hash of a 55-byte message (one
// block). Both WASM loops run thousands of blocks per call, so they show the compression's cost;
// crypto.hash shows the per-call cost. bench:merkle reports it; alone: npx tsx scripts/bench-merkle-sha.ts
import { hash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { H0, K, c, compress, loadWords, storeDigests } from "../tools/merkle-wasm/src/generate.js";
import { encodeModule, type FuncDef, I32, OP, sleb, uleb } from "../tools/merkle-wasm/src/wasm-encode.js";
import { ConstPool, SimdFn } from "../tools/merkle-wasm/src/wasm-simd-fn.js";

// This project's TypeScript libs (ES2022, @types/node 20) do not declare WebAssembly.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

/** simd(blocks, out, groups): four blocks a group, digests as bytes. */
function simdBlocks(consts: ConstPool): FuncDef {
  const f = new SimdFn("simd", ["blocks", "out", "groups"], consts);
  const words = [...loadWords(f, "blocks", 0, 64), ...loadWords(f, "blocks", 32, 64)];
  storeDigests(f, "out", compress(f, H0.map(c), words));
  return f.finish({ blocks: 256, out: 128 });
}

/** scalar(blocks, out, n): one block at a time; digests as eight little-endian words. */
function scalarBlocks(): FuncDef {
  const [P, Q, N, S, W, T, T1] = [0, 1, 2, 3, 11, 27, 28];
  type E = number[];
  const get = (l: number): E => [OP.localGet, ...uleb(l)];
  const set = (l: number, e: E): E => [...e, OP.localSet, ...uleb(l)];
  const k = (v: number): E => [OP.i32Const, ...sleb(v | 0)];
  const bin =
    (op: number) =>
    (a: E, b: E): E => [...a, ...b, op];
  const [add, and, or, xor] = [bin(0x6a), bin(0x71), bin(0x72), bin(0x73)];
  const rotr = (a: E, n: number): E => [...a, ...k(n), 0x78];
  const shr = (a: E, n: number): E => [...a, ...k(n), 0x76];
  const three = (x: E, f: (x: E, n: number) => E, [a, b, d]: number[], g = f) => xor(xor(rotr(x, a!), rotr(x, b!)), g(x, d!));
  const code: E = [];
  for (let i = 0; i < 16; i++) {
    code.push(...set(T, [...get(P), OP.i32Load, 2, ...uleb(4 * i)]));
    code.push(...set(W + i, or(and(rotr(get(T), 8), k(0xff00ff00)), and(rotr(get(T), 24), k(0x00ff00ff)))));
  }
  H0.forEach((h, i) => code.push(...set(S + i, k(h))));
  let v = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => S + i);
  for (let t = 0; t < 64; t++) {
    const w = (j: number) => get(W + (j % 16));
    if (t >= 16)
      code.push(
        ...set(
          W + (t % 16),
          add(add(three(w(t - 2), rotr, [17, 19, 10], shr), w(t - 7)), add(three(w(t - 15), rotr, [7, 18, 3], shr), w(t))),
        ),
      );
    const [a, b, cc, _d, e, f, g, h] = v.map(get) as E[];
    const ch = xor(g!, and(e!, xor(f!, g!)));
    const maj = or(and(a!, b!), and(cc!, or(a!, b!)));
    code.push(...set(T1, add(add(add(h!, three(e!, rotr, [6, 11, 25])), add(ch, k(K[t]!))), w(t))));
    code.push(...set(v[3]!, add(get(v[3]!), get(T1))));
    code.push(...set(v[7]!, add(get(T1), add(three(a!, rotr, [2, 13, 22]), maj))));
    v = [v[7]!, ...v.slice(0, 7)];
  }
  v.forEach((l, i) => code.push(...get(Q), ...add(get(l), k(H0[i]!)), OP.i32Store, 2, ...uleb(4 * i)));
  const step = (l: number, by: number) => set(l, add(get(l), k(by)));
  const loop = [
    OP.block,
    0x40,
    OP.loop,
    0x40,
    ...get(N),
    OP.i32Eqz,
    OP.brIf,
    1,
    ...code,
    ...step(P, 64),
    ...step(Q, 32),
    ...step(N, -1),
    OP.br,
    0,
    OP.end,
    OP.end,
  ];
  return { name: "scalar", params: [I32, I32, I32], locals: Array(26).fill(I32), code: loop };
}

export interface ShaMicro {
  /** ns per 64-byte block: scalar WASM, SIMD WASM (per block, four at a time), crypto.hash (per call). */
  scalarNs: number;
  simdNs: number;
  cryptoNs: number;
}

export function shaMicro(blocks = 1 << 20): ShaMicro {
  const consts = new ConstPool();
  const funcs = [simdBlocks(consts), scalarBlocks()];
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(encodeModule(64, funcs, consts.bytes(), 8192)), {});
  const { simd, scalar, memory } = exports as {
    simd: (...a: number[]) => void;
    scalar: (...a: number[]) => void;
    memory: { buffer: ArrayBuffer };
  };
  // Block 0 is "abc" padded: both paths must give sha256("abc"), or the timings mean nothing.
  const mem = Buffer.from(memory.buffer);
  const [IN, OUT, CHUNK] = [8192, 8192 + 4096 * 64, 4096];
  mem.fill(0, IN, IN + CHUNK * 64);
  mem.write("abc\x80", IN, "latin1");
  mem.writeUInt32BE(24, IN + 60);
  const want = hash("sha256", "abc", "hex");
  simd(IN, OUT, CHUNK / 4);
  if (mem.toString("hex", OUT, OUT + 32) !== want) throw new Error("SIMD compression is wrong");
  scalar(IN, OUT, CHUNK);
  if (
    Buffer.from(Uint32Array.from({ length: 8 }, (_, i) => mem.readUInt32LE(OUT + 4 * i)).buffer)
      .swap32()
      .toString("hex") !== want
  ) {
    throw new Error("scalar compression is wrong");
  }
  const best = (f: () => void) => {
    let ms = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      const t = performance.now();
      f();
      ms = Math.min(ms, performance.now() - t);
    }
    return (ms * 1e6) / blocks;
  };
  const simdNs = best(() => {
    for (let i = 0; i < blocks; i += CHUNK) simd(IN, OUT, CHUNK / 4);
  });
  const scalarNs = best(() => {
    for (let i = 0; i < blocks; i += CHUNK) scalar(IN, OUT, CHUNK);
  });
  const msg = Buffer.alloc(55);
  const cryptoNs = best(() => {
    for (let i = 0; i < blocks; i++) {
      msg.writeUInt32LE(i, 0);
      hash("sha256", msg, "binary");
    }
  });
  return { scalarNs, simdNs, cryptoNs };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(shaMicro());
