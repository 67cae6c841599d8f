// Writes merit_distributor.json, the program's Anchor IDL (spec 0.1.0, Anchor 0.30+).
// Discriminators are computed from the names the way Anchor does; error names and messages are
// read from src/errors.rs (its `errors!` list) so the Rust enum stays the single source of codes.
// Run: node programs/distributor/idl/generate.mjs   (tests/distributor-idl.test.ts checks the result)
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { Keypair } from "@solana/web3.js";

const here = dirname(fileURLToPath(import.meta.url));
const disc = (s) => [...createHash("sha256").update(s).digest().subarray(0, 8)];
const bytes = (s) => [...Buffer.from(s)];
const programKey = JSON.parse(readFileSync(join(here, "../keys/localnet-program-keypair.json"), "utf8"));
const address = Keypair.fromSecretKey(Uint8Array.from(programKey)).publicKey.toBase58();

const SYSTEM = "11111111111111111111111111111111";
const acc = (name, opts = {}) => ({ name, ...(opts.writable ? { writable: true } : {}), ...(opts.signer ? { signer: true } : {}), ...(opts.address ? { address: opts.address } : {}), ...(opts.pda ? { pda: opts.pda } : {}), ...(opts.docs ? { docs: [opts.docs] } : {}) });
const seeds = (...s) => ({ seeds: s });
const konst = (s) => ({ kind: "const", value: bytes(s) });
const account = (path) => ({ kind: "account", path });
const arg = (path) => ({ kind: "arg", path });
const f = (name, type) => ({ name, type });
const defined = (name) => ({ defined: { name } });
const hash = { array: ["u8", 32] };

const distributorPda = seeds(konst("distributor"), account("mint"), account("admin"), arg("id"));
const admin = (signerName = "admin") => acc(signerName, { signer: true });
const ix = (name, docs, accounts, args = []) => ({ name, docs: [docs], discriminator: disc(`global:${name}`), accounts, args });

const instructions = [
  ix("initialize_distributor", "Creates the distributor PDA (seeds: mint, the signing admin, id) and its vault token account; the signer becomes admin and creator.", [
    acc("admin", { writable: true, signer: true }),
    acc("mint"),
    acc("distributor", { writable: true, pda: distributorPda }),
    acc("vault", { writable: true, pda: seeds(konst("vault"), account("distributor")) }),
    acc("token_program", { docs: "SPL Token or Token-2022; must own the mint" }),
    acc("system_program", { address: SYSTEM }),
  ], [f("id", "u64"), f("publisher", "pubkey"), f("guardian", "pubkey"), f("params", defined("DistributorParams"))]),
  ix("set_authorities", "Admin: sets publisher and guardian and proposes the next admin (all zeros cancels).", [
    admin(), acc("distributor", { writable: true }),
  ], [f("publisher", "pubkey"), f("guardian", "pubkey"), f("pending_admin", "pubkey")]),
  ix("accept_admin", "The proposed admin takes over (second step of the hand-over).", [
    acc("new_admin", { signer: true }), acc("distributor", { writable: true }),
  ]),
  ix("set_params", "Admin: activation delay, grace period, per-epoch cap, claim expiry (expiry only moves later).", [
    admin(), acc("distributor", { writable: true }),
  ], [f("params", defined("DistributorParams"))]),
  ix("pause", "Guardian or admin: stops claims, proposals, activations and clawbacks.", [
    acc("authority", { signer: true }), acc("distributor", { writable: true }),
  ]),
  ix("unpause", "Guardian or admin: resumes.", [acc("authority", { signer: true }), acc("distributor", { writable: true })]),
  ix("propose_root", "Publisher: queues the root of a new epoch; it activates after the activation delay.", [
    acc("publisher", { writable: true, signer: true }),
    acc("distributor", { writable: true }),
    acc("epoch_root", { writable: true, pda: seeds(konst("epoch"), account("distributor"), arg("epoch")) }),
    acc("system_program", { address: SYSTEM }),
  ], [f("epoch", "u64"), f("root", hash), f("cumulative_total", "u64"), f("leaf_count", "u64"), f("dataset_hash", hash), f("inputs_hash", hash)]),
  ix("veto_root", "Guardian or admin: vetoes a pending root before its activation time (any time while paused).", [
    acc("authority", { signer: true }), acc("distributor", { writable: true }), acc("epoch_root", { writable: true }),
  ]),
  ix("activate_root", "Anyone: activates the oldest pending root once its activation time has passed.", [
    acc("distributor", { writable: true }), acc("epoch_root", { writable: true }),
  ]),
  ix("claim", "Claimant: proves (claimant, cumulative_amount) against an active root and receives the difference to what it already claimed.", [
    acc("claimant", { writable: true, signer: true }),
    acc("distributor", { writable: true }),
    acc("epoch_root", { writable: true, docs: "current root, previous root within the grace period, or the due head of the pending queue" }),
    acc("claim_status", { writable: true, pda: seeds(konst("claim"), account("distributor"), account("claimant")) }),
    acc("mint"),
    acc("vault", { writable: true }),
    acc("claimant_token", { writable: true, docs: "token account of the mint owned by the claimant" }),
    acc("token_program"),
    acc("system_program", { address: SYSTEM }),
  ], [f("cumulative_amount", "u64"), f("proof", { vec: hash })]),
  ix("clawback", "Admin: withdraws the vault's surplus over what claimants are owed, or everything after the claim expiry.", [
    admin(), acc("distributor", { writable: true }), acc("mint"), acc("vault", { writable: true }), acc("destination", { writable: true }), acc("token_program"),
  ], [f("amount", "u64")]),
];

const struct = (name, fields, docs) => ({ name, ...(docs ? { docs: [docs] } : {}), type: { kind: "struct", fields } });
const pk = (...names) => names.map((n) => f(n, "pubkey"));
const u64 = (...names) => names.map((n) => f(n, "u64"));
const i64 = (...names) => names.map((n) => f(n, "i64"));

const types = [
  struct("DistributorParams", [...u64("activation_delay", "grace_period", "max_total_increase"), ...i64("claim_expiry")]),
  struct("PendingRoot", [...u64("epoch", "cumulative_total"), ...i64("activates_at")]),
  { name: "EpochStatus", type: { kind: "enum", variants: [{ name: "Pending" }, { name: "Active" }, { name: "Vetoed" }] } },
  struct("Distributor", [
    ...pk("admin", "pending_admin", "publisher", "guardian", "mint", "token_program", "vault", "creator"),
    ...u64("id", "activation_delay", "grace_period", "max_total_increase"), ...i64("claim_expiry"),
    ...u64("latest_epoch", "current_epoch", "current_total"), ...i64("current_activated_at"),
    ...u64("previous_epoch", "total_claimed", "total_clawed_back"),
    f("pending", { array: [defined("PendingRoot"), 4] }),
    f("pending_count", "u8"), f("paused", "bool"), f("bump", "u8"), f("vault_bump", "u8"), f("reserved", { array: ["u8", 4] }),
  ], "PDA [\"distributor\", mint, creator, id u64 LE]; creator: the admin that created it"),
  struct("EpochRoot", [
    ...pk("distributor"), ...u64("epoch"), f("root", hash), ...u64("cumulative_total", "leaf_count"),
    f("dataset_hash", hash), f("inputs_hash", hash), ...i64("proposed_at", "activates_at", "activated_at"),
    f("status", defined("EpochStatus")), f("bump", "u8"), f("reserved", { array: ["u8", 6] }),
  ], "PDA [\"epoch\", distributor, epoch u64 LE]; kept forever as the audit trail"),
  struct("ClaimStatus", [...u64("claimed"), f("bump", "u8")],
    "PDA [\"claim\", distributor, claimant]; distributor and claimant are bound by the seeds, not stored (17 bytes)"),
  struct("DistributorInitialized", [...pk("distributor", "mint"), ...u64("id"), ...pk("admin", "publisher", "guardian", "vault", "token_program")]),
  struct("AuthoritiesUpdated", pk("distributor", "admin", "pending_admin", "publisher", "guardian")),
  struct("ParamsUpdated", [...pk("distributor"), ...u64("activation_delay", "grace_period", "max_total_increase"), ...i64("claim_expiry")]),
  struct("PauseChanged", [...pk("distributor", "authority"), f("paused", "bool")]),
  struct("RootProposed", [...pk("distributor"), ...u64("epoch"), f("root", hash), ...u64("cumulative_total", "leaf_count"), f("dataset_hash", hash), f("inputs_hash", hash), ...i64("activates_at")]),
  struct("RootVetoed", [...pk("distributor"), ...u64("epoch"), ...pk("authority")]),
  struct("RootActivated", [...pk("distributor"), ...u64("epoch", "cumulative_total"), ...i64("activated_at")]),
  struct("Claimed", [...pk("distributor", "claimant"), ...u64("epoch", "amount", "cumulative_claimed")]),
  struct("ClawedBack", [...pk("distributor", "destination"), ...u64("amount", "total_clawed_back")]),
];

const errorsRs = readFileSync(join(here, "../src/errors.rs"), "utf8");
const errorList = errorsRs.slice(errorsRs.indexOf("\nerrors! {"), errorsRs.indexOf("\n}", errorsRs.indexOf("\nerrors! {")));
const docs = [...errorList.matchAll(/^\s+(\w+)(?: = 6000)?: "([^"]+)",$/gm)];
const errors = docs.map(([, name, msg], i) => ({ code: 6000 + i, name, msg }));

const idl = {
  address,
  metadata: { name: "merit_distributor", version: "0.1.0", spec: "0.1.0", description: "merit Merkle distributor: time-locked epoch roots, guardian veto, cumulative claims" },
  instructions,
  accounts: ["Distributor", "EpochRoot", "ClaimStatus"].map((name) => ({ name, discriminator: disc(`account:${name}`) })),
  events: ["DistributorInitialized", "AuthoritiesUpdated", "ParamsUpdated", "PauseChanged", "RootProposed", "RootVetoed", "RootActivated", "Claimed", "ClawedBack"]
    .map((name) => ({ name, discriminator: disc(`event:${name}`) })),
  errors,
  types,
};
// Number arrays (discriminators, seed bytes) on one line keep the file readable.
const compact = (value) => JSON.stringify(value, null, 2).replace(/\[\s+(-?\d+(?:,\s+-?\d+)*)\s+\]/g, (_, nums) => `[${nums.split(/,\s+/).join(", ")}]`);
const json = compact(idl);
const outputs = [[join(here, "merit_distributor.json"), json + "\n"]];

// The TypeScript type Anchor's Program<T> needs (what `anchor build` writes to target/types).
const tsPath = join(here, "../../../clients/src/idl/merit-distributor.ts");
// Anchor's own camelCase conversion (what Program applies at run time) gives the type's names.
const { convertIdlToCamelCase } = createRequire(import.meta.url)("@coral-xyz/anchor/dist/cjs/idl.js");
outputs.push([tsPath, `// Generated by programs/distributor/idl/generate.mjs from the program's IDL: do not edit.
import type { Idl } from "@coral-xyz/anchor";

/** The Anchor IDL type of the merit distributor, camelCased as \`anchor build\` writes target/types. */
export type MeritDistributor = ${compact(convertIdlToCamelCase(idl))};

/** The IDL as committed (snake_case names, programs/distributor/idl/merit_distributor.json). */
export const meritDistributorIdl = ${json} satisfies Idl;
`]);

// --check: fail if the committed files differ from what the sources generate.
if (process.argv.includes("--check")) {
  const stale = outputs.filter(([path, text]) => { try { return readFileSync(path, "utf8") !== text; } catch { return true; } });
  for (const [path] of stale) console.error(`stale: ${path} (run node programs/distributor/idl/generate.mjs)`);
  process.exit(stale.length ? 1 : 0);
}
for (const [path, text] of outputs) writeFileSync(path, text);
console.log(`wrote merit_distributor.json and clients/src/idl/merit-distributor.ts: ${instructions.length} instructions, ${errors.length} errors`);
