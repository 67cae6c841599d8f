// `npm run bench:program`: compute units and transaction sizes of the distributor program in
// litesvm (CU are deterministic), written to the `program` section of BENCHMARKS.md.
import { cpus } from "node:os";
import { claimTxSizes, LEGACY_TX_LIMIT, measure, P9999_BUMP } from "../tests/distributor-scenario.js";
import { writeBenchSection } from "./lib/bench-section.js";

const TARGETS = { repeat20: 9_000n, first20: 14_000n, first20P9999: 13_000n };
/** ClaimStatus: discriminator, claimed, bump; rent at 3,480 lamports per byte-year, 2 years. */
const CLAIM_STATUS_LEN = 17n;

const m = measure([10, 16, 20, 24], [255, 254, 253, P9999_BUMP]);
const fmt = (n: bigint | number) => n.toLocaleString("en-US");
const rows = m.claims.map(
  (c) =>
    `| ${c.depth} | ${c.claimStatusBump} | ${fmt(c.firstClaimCu)} | ${fmt(c.repeatClaimCu)} | ${fmt(c.legacyBytes)}${c.legacyBytes > LEGACY_TX_LIMIT ? " (too big)" : ""} | ${fmt(c.v0LookupBytes)} |`,
);
const d10 = m.claims.find((c) => c.depth === 10)!;
const d20 = m.claims.find((c) => c.depth === 20)!;
const d24 = m.claims.find((c) => c.depth === 24)!;
const byBump = (b: number) => m.byBump.find((x) => x.bump === b)!;
const perBump = (byBump(P9999_BUMP).firstClaimCu - byBump(255).firstClaimCu) / BigInt(255 - P9999_BUMP);
const perLevel = Number(d24.repeatClaimCu - d10.repeatClaimCu) / (24 - 10);
/** Percent with 4 significant digits, trailing zeros dropped. */
const pct = (x: number) => `${Number((100 * x).toPrecision(4))}%`;
const bumpRows = m.byBump.map(
  (b) => `| ${b.bump} | ${pct(2 ** -(256 - b.bump))} | ${pct(1 - 2 ** -(256 - b.bump))} | ${fmt(b.firstClaimCu)} |`,
);
const rent = (128n + CLAIM_STATUS_LEN) * 3_480n * 2n;
const [d28, d29] = [claimTxSizes(28), claimTxSizes(29)];
const section = `## Distributor program (npm run bench:program)

${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? "unknown CPU"}, litesvm 1.5, SPL Token, one instruction per transaction.
Compute units are exact and deterministic (seeded keys); synthetic proofs of the given depth.

| instruction | CU |
|---|---|
| propose_root (creates the EpochRoot) | ${fmt(m.proposeRootCu)} |
| activate_root | ${fmt(m.activateRootCu)} |

| proof depth | ClaimStatus bump | first claim CU (creates ClaimStatus) | repeat claim CU | legacy tx bytes | v0 + lookup table bytes |
|---|---|---|---|---|---|
${rows.join("\n")}

Each proof level costs ~${Math.round(perLevel)} CU (repeat claims, depth 10 to 24). A first claim also checks the
ClaimStatus address against its canonical bump: each bump below 255 adds one sha256 and one curve check,
${fmt(perBump)} CU (instead of the 1,500 CU per bump of sol_try_find_program_address). A wallet's bump is
255 - k with probability 2^-(k+1), so bump ≥ ${P9999_BUMP} covers 99.99% of wallets. First claims at depth 20:

| ClaimStatus bump | share of wallets | wallets at this bump or higher | first claim CU |
|---|---|---|---|
${bumpRows.join("\n")}

Targets at depth 20: repeat claim ≤ ${fmt(TARGETS.repeat20)} CU (measured ${fmt(d20.repeatClaimCu)}), first claim ≤ ${fmt(TARGETS.first20)} CU for
every wallet up to the p99.99 one, goal ≤ ${fmt(TARGETS.first20P9999)} CU (measured ${fmt(byBump(P9999_BUMP).firstClaimCu)} at bump ${P9999_BUMP}, ${fmt(byBump(255).firstClaimCu)} at bump 255).
ClaimStatus: ${CLAIM_STATUS_LEN} bytes, rent (128 + ${CLAIM_STATUS_LEN}) × 3,480 × 2 = ${fmt(rent)} lamports per claimant.
Transaction sizes: the claimant signs and pays the fee; the lookup table holds distributor, mint,
vault, token and system programs; the limit is ${fmt(LEGACY_TX_LIMIT)} bytes. Depth 20 legacy: ${fmt(d20.legacyBytes)} bytes; depth 24 v0
with lookup table: ${fmt(d24.v0LookupBytes)}; depth 28: ${fmt(d28.v0LookupBytes)}, the deepest that fits (29: ${fmt(d29.v0LookupBytes)}).`;

writeBenchSection("program", section);
console.log(section);
