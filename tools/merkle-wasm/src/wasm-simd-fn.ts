// A builder for one WebAssembly function of the form "prologue, then a loop over groups of four
// messages", on i32x4 values, that folds what it can at generation time:
// - a value known when generating (a constant, e.g. SHA-256's initial state) is computed here;
// - a value that depends only on the call's arguments (e.g. the distributor's words, and the first
//   eight SHA-256 rounds of every leaf, which hash only the prefix and the distributor) is computed
//   once per call, in the prologue;
// - only what depends on the group's messages is computed in the loop.
// Values are SSA; a local is reused once its value is dead (V8's optimising compiler does the real
// register allocation, but thousands of locals made the baseline compile of each function slow).
import { I32, OP, SIMD, V128, type FuncDef, simd, sleb, uleb } from "./wasm-encode.js";

export type Val = { c: number } | { id: number; inLoop: boolean };
/** Instruction bytes, or a read of a value (a local.get once locals are assigned). */
type Piece = number[] | { use: { id: number; inLoop: boolean } };
interface Instr {
  loop: boolean;
  pieces: Piece[];
  /** The value this instruction leaves on the stack, stored to a local. */
  def?: number;
}

/**
 * Constants as splatted vectors at the start of memory (the module's data segment): a load is one
 * instruction, where V8 materialises a v128.const with three.
 */
export class ConstPool {
  private readonly at = new Map<number, number>();

  address(c: number): number {
    let a = this.at.get(c);
    if (a === undefined) this.at.set(c, (a = 16 * this.at.size));
    return a;
  }

  bytes(): Uint8Array {
    const out = Buffer.alloc(16 * this.at.size);
    for (const [c, a] of this.at) for (let i = 0; i < 4; i++) out.writeUInt32LE(c, a + 4 * i);
    return out;
  }
}

const isConst = (v: Val): v is { c: number } => "c" in v;
const inLoop = (v: Val) => !isConst(v) && v.inLoop;

export class SimdFn {
  private readonly instrs: Instr[] = [];
  private values = 0;
  /** `params`: names of the i32 parameters; the last is the number of groups the loop runs. */
  constructor(
    readonly name: string,
    private readonly params: string[],
    private readonly consts: ConstPool,
  ) {}

  param(p: string): number {
    const i = this.params.indexOf(p);
    if (i < 0) throw new Error(`no parameter ${p}`);
    return i;
  }

  /** Records `pieces`, which leave one v128 on the stack, in the loop or the prologue; names the result. */
  private emit(loop: boolean, pieces: Piece[]): Val {
    const def = this.values++;
    this.instrs.push({ loop, pieces, def });
    return { id: def, inLoop: loop };
  }

  private get(v: Val): Piece[] {
    if (!isConst(v)) return [{ use: v }];
    return [[OP.i32Const, 0, ...simd(SIMD.load), 4, ...uleb(this.consts.address(v.c))]];
  }

  /** An instruction on v128 operands, or its value now when every operand is a constant. */
  op(opcode: number, args: Val[], fold: (...x: number[]) => number, imm: number[] = []): Val {
    if (args.every(isConst)) return { c: fold(...args.map((a) => (a as { c: number }).c)) >>> 0 };
    return this.emit(args.some(inLoop), [...args.flatMap((a) => this.get(a)), [...simd(opcode), ...imm]]);
  }

  xor(a: Val, b: Val): Val {
    if (isConst(a) && a.c === 0) return b;
    if (isConst(b) && b.c === 0) return a;
    return this.op(SIMD.xor, [a, b], (x, y) => x ^ y);
  }

  and(a: Val, b: Val): Val {
    return this.op(SIMD.and, [a, b], (x, y) => x & y);
  }

  or(a: Val, b: Val): Val {
    if (isConst(a) && a.c === 0) return b;
    if (isConst(b) && b.c === 0) return a;
    return this.op(SIMD.or, [a, b], (x, y) => x | y);
  }

  shl(a: Val, n: number): Val {
    if (isConst(a)) return { c: (a.c << n) >>> 0 };
    return this.emit(a.inLoop, [...this.get(a), [OP.i32Const, ...sleb(n), ...simd(SIMD.i32x4Shl)]]);
  }

  shr(a: Val, n: number): Val {
    if (isConst(a)) return { c: a.c >>> n };
    return this.emit(a.inLoop, [...this.get(a), [OP.i32Const, ...sleb(n), ...simd(SIMD.i32x4ShrU)]]);
  }

  rotr(a: Val, n: number): Val {
    return this.or(this.shr(a, n), this.shl(a, 32 - n));
  }

  /** Bits of `a` where `mask` is set, of `b` elsewhere. */
  select(a: Val, b: Val, mask: Val): Val {
    return this.op(SIMD.bitselect, [a, b, mask], (x, y, m) => (x & m) | (y & ~m));
  }

  /**
   * A sum, grouped so that constants fold, the per-call terms are summed in the prologue, and the
   * loop adds only the rest.
   */
  add(...terms: Val[]): Val {
    const c = terms.filter(isConst).reduce((s, t) => (s + t.c) >>> 0, 0);
    const rest = terms.filter((t) => !isConst(t));
    const sum = (vals: Val[]) => vals.reduce((s, t) => this.op(SIMD.i32x4Add, [s, t], (x, y) => x + y));
    const parts = [rest.filter((t) => !inLoop(t)), rest.filter(inLoop)].filter((p) => p.length > 0).map(sum);
    if (c !== 0 || parts.length === 0) parts.push({ c });
    return sum(parts);
  }

  /** Two-operand byte shuffle (lane indices 0..31) of per-group values. */
  shuffle(a: Val, b: Val, lanes: number[]): Val {
    return this.emit(inLoop(a) || inLoop(b), [...this.get(a), ...this.get(b), [...simd(SIMD.shuffle), ...lanes]]);
  }

  /** 16 bytes at `param + offset`; `perGroup` when the parameter advances every loop iteration. */
  load(param: string, offset: number, perGroup = true): Val {
    return this.emit(perGroup, [[OP.localGet, ...uleb(this.param(param)), ...simd(SIMD.load), 0, ...uleb(offset)]]);
  }

  store(param: string, offset: number, v: Val): void {
    this.instrs.push({
      loop: true,
      pieces: [[OP.localGet, ...uleb(this.param(param))], ...this.get(v), [...simd(SIMD.store), 0, ...uleb(offset)]],
    });
  }

  /**
   * Prologue and loop body as bytes, with locals assigned: a value's local is free again after its
   * last read, except that prologue values read in the loop live throughout.
   */
  private assemble(): { prologue: number[]; body: number[]; locals: number[] } {
    const order = [...this.instrs.filter((i) => !i.loop), ...this.instrs.filter((i) => i.loop)];
    const lastUse = new Map<number, number>();
    order.forEach((ins, at) => {
      for (const p of ins.pieces) if (!Array.isArray(p)) lastUse.set(p.use.id, ins.loop && !p.use.inLoop ? Infinity : at);
    });
    const locals: number[] = [];
    const free: number[] = [];
    const localOf = new Map<number, number>();
    const out = { prologue: [] as number[], body: [] as number[], locals };
    order.forEach((ins, at) => {
      const code = ins.loop ? out.body : out.prologue;
      for (const p of ins.pieces) {
        const bytes = Array.isArray(p) ? p : [OP.localGet, ...uleb(localOf.get(p.use.id)!)];
        for (const b of bytes) code.push(b);
      }
      for (const p of ins.pieces)
        if (!Array.isArray(p) && lastUse.get(p.use.id) === at && localOf.has(p.use.id)) {
          free.push(localOf.get(p.use.id)!);
          localOf.delete(p.use.id);
        }
      if (ins.def === undefined) return;
      const local = free.pop() ?? this.params.length + locals.push(V128) - 1;
      localOf.set(ins.def, local);
      code.push(OP.localSet, ...uleb(local));
    });
    return out;
  }

  /** The function: prologue, then the loop body once per group, each parameter advanced by its stride. */
  finish(strides: Record<string, number>): FuncDef {
    const { prologue, body, locals } = this.assemble();
    const n = uleb(this.params.length - 1);
    const code = [...prologue, OP.block, 0x40, OP.loop, 0x40, OP.localGet, ...n, OP.i32Eqz, OP.brIf, 1, ...body];
    for (const [p, stride] of Object.entries(strides)) {
      const i = uleb(this.param(p));
      code.push(OP.localGet, ...i, OP.i32Const, ...sleb(stride), OP.i32Add, OP.localSet, ...i);
    }
    code.push(OP.localGet, ...n, OP.i32Const, 1, OP.i32Sub, OP.localSet, ...n, OP.br, 0, OP.end, OP.end);
    return { name: this.name, params: this.params.map(() => I32), locals, code };
  }
}
