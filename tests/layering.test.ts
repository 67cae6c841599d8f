import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The layout is a contract: a layer that imports one it must not fails here, before review. The
 * rules follow the pipeline (ingest → scoring → engine → ledger → epochs → publish → api):
 * scoring stays pure so it can run anywhere (a replay, an auditor's verify), rules are data that
 * scoring reads, and the client library ships to wallets and auditors without the daemon.
 */
const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), ".."));
const TS_DIRS = ["indexer", "clients", "tools", "tests", "scripts", "claim-page"];
const PACKAGES: Record<string, string> = {
  "@merit/clients/merkle": "clients/src/merkle/index.ts",
  "@merit/clients/dataset": "clients/src/dataset/index.ts",
  "@merit/clients/idl": "clients/src/idl/index.ts",
  "@merit/clients/verify": "clients/src/verify/index.ts",
  "@merit/clients/chain": "clients/src/chain/index.ts",
  "@merit/clients/claim": "clients/src/claim/index.ts",
  "@merit/clients/api": "clients/src/api/index.ts",
  "@merit/localnet": "tools/localnet/src/index.ts",
  "@merit/localnet/demo": "tools/localnet/src/demo/settlement-traffic.ts",
};

function walk(dir: string, keep: (f: string) => boolean, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "target" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, keep, out);
    else if (keep(p)) out.push(p);
  }
  return out;
}

/** `typeOnly`: an `import type`, erased at run time (it couples layers, but makes no load cycle). */
type Edge = { from: string; to: string; spec: string; typeOnly?: boolean };

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|(?:^|[\s;(])import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm;

function resolveTs(from: string, spec: string): string | undefined {
  if (PACKAGES[spec]) return PACKAGES[spec];
  if (spec.startsWith("@merit/clients") || spec.startsWith("@merit/localnet")) return spec;
  if (!spec.startsWith(".")) return undefined;
  const base = normalize(join(dirname(join(ROOT, from)), spec));
  const tries = [
    base,
    base.replace(/\.js$/, ".ts"),
    base.replace(/\.js$/, ".tsx"),
    base.replace(/\.mjs$/, ".mts"),
    `${base}.ts`,
    join(base, "index.ts"),
  ];
  const hit = tries.find((t) => existsSync(t) && statSync(t).isFile());
  return relative(ROOT, hit ?? base);
}

function tsEdges(): Edge[] {
  const files = TS_DIRS.flatMap((d) =>
    walk(join(ROOT, d), (f) => /\.(ts|tsx|mts|mjs)$/.test(f) && !f.endsWith(".d.mts") && !f.includes("/dist/")),
  );
  const edges: Edge[] = [];
  for (const abs of files) {
    const from = relative(ROOT, abs);
    // Template literals hold code for child processes, not imports of this file.
    const text = readFileSync(abs, "utf8").replace(/`[^`]*`/g, "``");
    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2] ?? m[3])!;
      const to = resolveTs(from, spec);
      if (to) edges.push({ from, to, spec, typeOnly: /^\s*(import|export)\s+type\s/.test(m[0]) });
    }
  }
  return edges;
}

const under = (dir: string) => (p: string) => p.startsWith(dir);
const IO_MODULES = /^(postgres|node:(fs|fs\/promises|net|http|https|child_process|worker_threads|dgram)|ws|pg)$/;

function violations(edges: Edge[], from: (p: string) => boolean, to: (p: string) => boolean): string[] {
  return edges.filter((e) => from(e.from) && to(e.to)).map((e) => `${e.from} imports ${e.spec}`);
}

/** Every cycle's files, found by Tarjan's strongly connected components. */
function cycles(edges: { from: string; to: string }[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (!graph.has(e.from)) graph.set(e.from, []);
    graph.get(e.from)!.push(e.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/**
 * Rust: an edge from module A to module B when a file of A names `crate::B`. Modules are the
 * crate's top-level ones, and each instruction family (`instructions::<family>`) on its own, so a
 * family that reaches into a sibling instead of `instructions::shared` shows up as a violation.
 */
function rustEdges(crateDir: string): Edge[] {
  const src = join(crateDir, "src");
  const edges: Edge[] = [];
  const moduleOf = (path: string[]) =>
    path[0] === "instructions" && path.length > 1 && path[1] !== "mod" ? `instructions::${path[1]}` : path[0]!;
  for (const abs of walk(src, (f) => f.endsWith(".rs"))) {
    const parts = relative(src, abs).replace(/\.rs$/, "").split("/");
    if (parts[0] === "lib" || parts[0] === "main" || (parts.length === 1 && parts[0] === "mod")) continue;
    const from = moduleOf(parts);
    const text = readFileSync(abs, "utf8").replace(/\/\/.*$/gm, "");
    for (const m of text.matchAll(/crate::([a-z_][a-z0-9_]*)(?:::([a-z_][a-z0-9_]*))?/g)) {
      const to = moduleOf([m[1]!, ...(m[2] ? [m[2]] : [])]);
      const known = existsSync(join(src, m[1]!)) || existsSync(join(src, `${m[1]}.rs`));
      if (known && to !== from) edges.push({ from, to, spec: m[0] });
    }
  }
  return edges;
}

describe("layering: each layer imports only what it may", () => {
  const edges = tsEdges();

  it("finds the imports it checks (the walker itself works)", () => {
    assert.ok(edges.length > 300, `only ${edges.length} imports found`);
    assert.ok(edges.some((e) => e.from.startsWith("indexer/src/engine/") && e.to.startsWith("indexer/src/scoring/")));
  });

  it("finds a cycle and a violation when there is one (the checks can fail)", () => {
    const a = "indexer/src/scoring/a.ts";
    const b = "indexer/src/engine/b.ts";
    assert.deepEqual(
      cycles([
        { from: a, to: b },
        { from: b, to: a },
      ]),
      [[b, a].sort()],
    );
    assert.deepEqual(
      violations([{ from: a, to: b, spec: "../engine/b.js" }], under("indexer/src/scoring/"), under("indexer/src/engine/")),
      [`${a} imports ../engine/b.js`],
    );
  });

  it("scoring/ is pure: no engine, database, ingest, ledger or I/O", () => {
    const bad = [
      ...violations(edges, under("indexer/src/scoring/"), (t) =>
        /^indexer\/src\/(engine|db|ingest|ledger|accounts|epochs|publish|api|cli)\//.test(t),
      ),
      ...edges
        .filter((e) => e.from.startsWith("indexer/src/scoring/") && !e.from.endsWith(".test.ts") && IO_MODULES.test(e.spec))
        .map((e) => `${e.from} imports ${e.spec}`),
    ];
    // node: modules are not resolved to files above, so check them by name too.
    const text = walk(join(ROOT, "indexer/src/scoring"), (f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).flatMap((f) =>
      [...readFileSync(f, "utf8").matchAll(/from\s*["']([^"']+)["']/g)]
        .filter((m) => IO_MODULES.test(m[1]!))
        .map((m) => `${relative(ROOT, f)} imports ${m[1]}`),
    );
    assert.deepEqual([...bad, ...text], []);
  });

  it("no stage of the pipeline imports a later one (ingest → scoring → engine → ledger → epochs → publish → api)", () => {
    const later: Record<string, string[]> = {
      ingest: ["engine", "ledger", "epochs", "publish", "api"],
      engine: ["epochs", "publish", "api"],
      ledger: ["epochs", "publish", "api"],
      epochs: ["publish", "api"],
      publish: ["api"],
    };
    const bad = Object.entries(later).flatMap(([stage, forbidden]) =>
      violations(edges, under(`indexer/src/${stage}/`), (t) => forbidden.some((f) => t.startsWith(`indexer/src/${f}/`))),
    );
    assert.deepEqual(bad, []);
  });

  it("rules/ does not import scoring/", () => {
    assert.deepEqual(violations(edges, under("indexer/src/rules/"), under("indexer/src/scoring/")), []);
  });

  it("clients/ imports neither indexer/ nor tools/", () => {
    assert.deepEqual(
      violations(edges, under("clients/"), (t) => t.startsWith("indexer/") || t.startsWith("tools/") || t.startsWith("@merit/localnet")),
      [],
    );
  });

  it("claim-page/ reaches merit only through the client library: never indexer/ nor tools/; the daemon serves its built files without importing it", () => {
    assert.deepEqual(
      violations(edges, under("claim-page/"), (t) => t.startsWith("indexer/") || t.startsWith("tools/") || t.startsWith("@merit/localnet")),
      [],
    );
    assert.deepEqual(violations(edges, under("indexer/"), under("claim-page/")), []);
    assert.ok(
      edges.some((e) => e.from.startsWith("claim-page/src/") && e.to.startsWith("clients/src/claim/")),
      "the page claims through @merit/clients/claim",
    );
  });

  it("the daemon's code imports no test helper", () => {
    assert.deepEqual(
      violations(edges, (f) => f.startsWith("indexer/src/") && !f.endsWith(".test.ts"), under("tests/")),
      [],
    );
  });

  it("has no import cycle in TypeScript (modules that load each other)", () => {
    assert.deepEqual(cycles(edges.filter((e) => !e.typeOnly && existsSync(join(ROOT, e.to)))), []);
  });

  it("has no module cycle in Rust, and instruction families share code only through instructions::shared", () => {
    const crates = ["programs/distributor", "tools/sbpf-link", "tools/sbf-smoke"].filter((c) => existsSync(join(ROOT, c, "src")));
    for (const crate of crates) {
      const rs = rustEdges(join(ROOT, crate));
      assert.deepEqual(cycles(rs), [], `${crate}: module cycle`);
      const families = rs.filter(
        (e) => e.from.startsWith("instructions::") && e.to.startsWith("instructions::") && e.to !== "instructions::shared",
      );
      assert.deepEqual(
        families.map((e) => `${crate}: ${e.from} uses ${e.spec}`),
        [],
      );
    }
  });
});
