// `npm run bench:program`: compute units and transaction sizes of the distributor program in
// litesvm (CU are deterministic), written to the `program` section of BENCHMARKS.md.
import { cpus } from "node:os";
import { LEGACY_TX_LIMIT, measure } from "../tests/distributor-scenario.js";
import { writeBenchSection } from "./lib/bench-section.js";

const TARGETS = { repeat20: 9_000n, first20: 14_000n };

const m = measure([10, 16, 20, 24]);
const fmt = (n: bigint | number) => n.toLocaleString("en-US");
const rows = m.claims.map((c) =>
  `| ${c.depth} | ${fmt(c.firstClaimCu)} | ${fmt(c.repeatClaimCu)} | ${c.legacyBytes}${c.legacyBytes > LEGACY_TX_LIMIT ? " (too big)" : ""} | ${c.v0LookupBytes} |`);
const d20 = m.claims.find((c) => c.depth === 20)!;
const d24 = m.claims.find((c) => c.depth === 24)!;
const section = `## Distributor program (npm run bench:program)

${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? "unknown CPU"}, litesvm 1.5, SPL Token, one instruction per transaction.
Compute units are exact and deterministic (seeded keys); synthetic proofs of the given depth.

| instruction | CU |
|---|---|
| propose_root (creates the EpochRoot) | ${fmt(m.proposeRootCu)} |
| activate_root | ${fmt(m.activateRootCu)} |

| proof depth | first claim CU (creates ClaimStatus) | repeat claim CU | legacy tx bytes | v0 + lookup table bytes |
|---|---|---|---|---|
${rows.join("\n")}

Transaction sizes: the claimant signs and pays the fee; the lookup table holds distributor, mint,
vault, token and system programs; the limit is ${LEGACY_TX_LIMIT} bytes.
Targets at depth 20: repeat claim ≤ ${fmt(TARGETS.repeat20)} CU (measured ${fmt(d20.repeatClaimCu)}, ${fmt(TARGETS.repeat20 - d20.repeatClaimCu)} below),
first claim ≤ ${fmt(TARGETS.first20)} CU (measured ${fmt(d20.firstClaimCu)}, ${fmt(TARGETS.first20 - d20.firstClaimCu)} below; the ClaimStatus
bump of this claimant is ${d20.claimStatusBump}: each bump below 255 adds one sha256 and one curve check, ~320 CU, to the
canonical-address check, instead of the 1,500 CU per bump of sol_try_find_program_address).
Depth 20 legacy: ${d20.legacyBytes} bytes; depth 24 v0 with lookup table: ${d24.v0LookupBytes} bytes.`;

writeBenchSection("program", section);
console.log(section);
