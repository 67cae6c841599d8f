// Writes merit_distributor.json, the program's Anchor IDL (spec 0.1.0, Anchor 0.30+), from the
// Rust sources: instructions, their accounts and arguments (see below), DistributorParams, and
// the errors (src/errors.rs, its `errors!` list). Discriminators are computed from the names the
// way Anchor does. Account and event types are still written here (tests decode real accounts
// and events with them).
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
const acc = (name, opts = {}) => ({
  name,
  ...(opts.writable ? { writable: true } : {}),
  ...(opts.signer ? { signer: true } : {}),
  ...(opts.address ? { address: opts.address } : {}),
  ...(opts.pda ? { pda: opts.pda } : {}),
  ...(opts.docs ? { docs: [opts.docs] } : {}),
});
const seeds = (...s) => ({ seeds: s });
const konst = (s) => ({ kind: "const", value: bytes(s) });
const account = (path) => ({ kind: "account", path });
const arg = (path) => ({ kind: "arg", path });
const f = (name, type) => ({ name, type });
const defined = (name) => ({ defined: { name } });
const hash = { array: ["u8", 32] };

// Instructions, their accounts and their arguments come from the Rust sources:
// - the order and names from the `discriminator` module of src/instructions/mod.rs, each
//   instruction's folder from the `dispatch` arm that calls its processor;
// - accounts (names, order, signer/writable flags, fixed addresses) from the `ACCOUNTS` table
//   of its accounts.rs, which the program enforces (instructions/shared/account_list.rs);
// - arguments from the `args!` declaration of its data.rs (none without one), from which the
//   program's parser is generated (instructions/shared/args.rs).
// What Rust does not say is added here: docs and PDA seeds (for Anchor's account resolution),
// each checked to name an account the instruction has.
// MERIT_DISTRIBUTOR_SRC: another copy of src/ (tests/distributor-idl.test.ts edits one).
const srcDir = process.env.MERIT_DISTRIBUTOR_SRC ?? join(here, "../src");
const src = (path) => readFileSync(join(srcDir, path), "utf8");
const block = (text, start, end, what) => {
  const at = text.indexOf(start);
  if (at < 0) throw new Error(`${what}: no "${start}"`);
  const stop = text.indexOf(end, at);
  if (stop < 0) throw new Error(`${what}: no "${end}" after "${start}"`);
  return text.slice(at, stop);
};
const ADDRESSES = { SYSTEM_PROGRAM: SYSTEM };
const ARG_TYPES = {
  u64: "u64",
  i64: "i64",
  Pubkey: "pubkey",
  "[u8; 32]": hash,
  Params: defined("DistributorParams"),
  "Proof<'a>": { vec: hash },
};

const modRs = src("instructions/mod.rs");
const discriminators = [...block(modRs, "pub mod discriminator", "\n}", "instructions/mod.rs").matchAll(/pub const (\w+): \[u8; 8\]/g)].map(
  (m) => m[1],
);
const folders = Object.fromEntries(
  [...modRs.matchAll(/disc\((\w+)\) => ([\w:]+)::processor::process/g)].map((m) => [m[1], m[2].replaceAll("::", "/")]),
);

function rustAccounts(dir) {
  const table = block(src(`${dir}/accounts.rs`), "pub const ACCOUNTS", "];", `${dir}/accounts.rs`);
  const entries = [...table.matchAll(/AccountMeta::(readonly|writable|signer|signer_writable|program)\("(\w+)"(?:, (\w+))?\)/g)];
  if (!entries.length) throw new Error(`${dir}/accounts.rs: empty ACCOUNTS table`);
  return entries.map(([, kind, name, address]) => {
    if (kind === "program" && !ADDRESSES[address]) throw new Error(`${dir}/accounts.rs: unknown address ${address}`);
    return {
      name,
      writable: kind === "writable" || kind === "signer_writable",
      signer: kind === "signer" || kind === "signer_writable",
      address: ADDRESSES[address],
    };
  });
}

function rustArgs(dir) {
  let text;
  try {
    text = src(`${dir}/data.rs`);
  } catch {
    return [];
  }
  const decl = block(text, "pub struct", "\n    }", `${dir}/data.rs`);
  return [...decl.matchAll(/^\s+(\w+): ([^\n]+),$/gm)].map(([, name, type]) => {
    if (!ARG_TYPES[type]) throw new Error(`${dir}/data.rs: no IDL type for ${type}`);
    return f(name, ARG_TYPES[type]);
  });
}

const distributorPda = seeds(konst("distributor"), account("mint"), account("admin"), arg("id"));
const DOCS = {
  initialize_distributor:
    "Creates the distributor PDA (seeds: mint, the signing admin, id) and its vault token account; the signer becomes admin and creator.",
  set_authorities: "Admin: sets publisher and guardian and proposes the next admin (all zeros cancels).",
  accept_admin: "The proposed admin takes over (second step of the hand-over).",
  set_params: "Admin: activation delay, grace period, per-epoch cap, claim expiry (expiry only moves later).",
  pause: "Guardian or admin: stops claims, proposals, activations and clawbacks.",
  unpause: "Guardian or admin: resumes.",
  propose_root: "Publisher: queues the root of a new epoch; it activates after the activation delay.",
  veto_root: "Guardian or admin: vetoes a pending root before its activation time (any time while paused).",
  activate_root: "Anyone: activates the oldest pending root once its activation time has passed.",
  claim: "Claimant: proves (claimant, cumulative_amount) against an active root and receives the difference to what it already claimed.",
  clawback: "Admin: withdraws the vault's surplus over what claimants are owed, or everything after the claim expiry.",
};
/** Per instruction, per account: PDA seeds and docs the IDL adds to the Rust table. */
const EXTRA = {
  initialize_distributor: {
    distributor: { pda: distributorPda },
    vault: { pda: seeds(konst("vault"), account("distributor")) },
    token_program: { docs: "SPL Token or Token-2022; must own the mint" },
  },
  propose_root: { epoch_root: { pda: seeds(konst("epoch"), account("distributor"), arg("epoch")) } },
  claim: {
    epoch_root: { docs: "current root, previous root within the grace period, or the due head of the pending queue" },
    claim_status: { pda: seeds(konst("claim"), account("distributor"), account("claimant")) },
    claimant_token: { docs: "token account of the mint owned by the claimant" },
  },
};

const instructions = discriminators.map((constName) => {
  const name = constName.toLowerCase();
  const dir = folders[constName] && `instructions/${folders[constName]}`;
  if (!dir) throw new Error(`instructions/mod.rs: ${constName} is not dispatched`);
  if (!DOCS[name]) throw new Error(`generate.mjs: no docs for ${name}`);
  const accounts = rustAccounts(dir);
  for (const extra of Object.keys(EXTRA[name] ?? {})) {
    if (!accounts.some((a) => a.name === extra)) throw new Error(`generate.mjs: ${name} has no account ${extra} in ${dir}/accounts.rs`);
  }
  const list = accounts.map((a) => acc(a.name, { ...a, ...EXTRA[name]?.[a.name] }));
  return { name, docs: [DOCS[name]], discriminator: disc(`global:${name}`), accounts: list, args: rustArgs(dir) };
});

const struct = (name, fields, docs) => ({ name, ...(docs ? { docs: [docs] } : {}), type: { kind: "struct", fields } });
const pk = (...names) => names.map((n) => f(n, "pubkey"));
const u64 = (...names) => names.map((n) => f(n, "u64"));
const i64 = (...names) => names.map((n) => f(n, "i64"));

const types = [
  struct(
    "DistributorParams",
    [...block(src("instructions/admin/params.rs"), "pub struct Params", "}", "admin/params.rs").matchAll(/pub (\w+): (u64|i64),/g)].map(
      ([, name, type]) => f(name, type),
    ),
  ),
  struct("PendingRoot", [...u64("epoch", "cumulative_total"), ...i64("activates_at")]),
  { name: "EpochStatus", type: { kind: "enum", variants: [{ name: "Pending" }, { name: "Active" }, { name: "Vetoed" }] } },
  struct(
    "Distributor",
    [
      ...pk("admin", "pending_admin", "publisher", "guardian", "mint", "token_program", "vault", "creator"),
      ...u64("id", "activation_delay", "grace_period", "max_total_increase"),
      ...i64("claim_expiry"),
      ...u64("latest_epoch", "current_epoch", "current_total"),
      ...i64("current_activated_at"),
      ...u64("previous_epoch", "total_claimed", "total_clawed_back"),
      f("pending", { array: [defined("PendingRoot"), 4] }),
      f("pending_count", "u8"),
      f("paused", "bool"),
      f("bump", "u8"),
      f("vault_bump", "u8"),
      f("reserved", { array: ["u8", 4] }),
    ],
    'PDA ["distributor", mint, creator, id u64 LE]; creator: the admin that created it',
  ),
  struct(
    "EpochRoot",
    [
      ...pk("distributor"),
      ...u64("epoch"),
      f("root", hash),
      ...u64("cumulative_total", "leaf_count"),
      f("dataset_hash", hash),
      f("inputs_hash", hash),
      ...i64("proposed_at", "activates_at", "activated_at"),
      f("status", defined("EpochStatus")),
      f("bump", "u8"),
      f("reserved", { array: ["u8", 6] }),
    ],
    'PDA ["epoch", distributor, epoch u64 LE]; kept forever as the audit trail',
  ),
  struct(
    "ClaimStatus",
    [...u64("claimed"), f("bump", "u8")],
    'PDA ["claim", distributor, claimant]; distributor and claimant are bound by the seeds, not stored (17 bytes)',
  ),
  struct("DistributorInitialized", [
    ...pk("distributor", "mint"),
    ...u64("id"),
    ...pk("admin", "publisher", "guardian", "vault", "token_program"),
  ]),
  struct("AuthoritiesUpdated", pk("distributor", "admin", "pending_admin", "publisher", "guardian")),
  struct("ParamsUpdated", [...pk("distributor"), ...u64("activation_delay", "grace_period", "max_total_increase"), ...i64("claim_expiry")]),
  struct("PauseChanged", [...pk("distributor", "authority"), f("paused", "bool")]),
  struct("RootProposed", [
    ...pk("distributor"),
    ...u64("epoch"),
    f("root", hash),
    ...u64("cumulative_total", "leaf_count"),
    f("dataset_hash", hash),
    f("inputs_hash", hash),
    ...i64("activates_at"),
  ]),
  struct("RootVetoed", [...pk("distributor"), ...u64("epoch"), ...pk("authority")]),
  struct("RootActivated", [...pk("distributor"), ...u64("epoch", "cumulative_total"), ...i64("activated_at")]),
  struct("Claimed", [...pk("distributor", "claimant"), ...u64("epoch", "amount", "cumulative_claimed")]),
  struct("ClawedBack", [...pk("distributor", "destination"), ...u64("amount", "total_clawed_back")]),
];

const errorsRs = src("errors.rs");
const errorList = errorsRs.slice(errorsRs.indexOf("\nerrors! {"), errorsRs.indexOf("\n}", errorsRs.indexOf("\nerrors! {")));
const docs = [...errorList.matchAll(/^\s+(\w+)(?: = 6000)?: "([^"]+)",$/gm)];
const errors = docs.map(([, name, msg], i) => ({ code: 6000 + i, name, msg }));

const idl = {
  address,
  metadata: {
    name: "merit_distributor",
    version: "0.1.0",
    spec: "0.1.0",
    description: "merit Merkle distributor: time-locked epoch roots, guardian veto, cumulative claims",
  },
  instructions,
  accounts: ["Distributor", "EpochRoot", "ClaimStatus"].map((name) => ({ name, discriminator: disc(`account:${name}`) })),
  events: [
    "DistributorInitialized",
    "AuthoritiesUpdated",
    "ParamsUpdated",
    "PauseChanged",
    "RootProposed",
    "RootVetoed",
    "RootActivated",
    "Claimed",
    "ClawedBack",
  ].map((name) => ({ name, discriminator: disc(`event:${name}`) })),
  errors,
  types,
};
// Number arrays (discriminators, seed bytes) on one line keep the file readable.
const compact = (value) =>
  JSON.stringify(value, null, 2).replace(/\[\s+(-?\d+(?:,\s+-?\d+)*)\s+\]/g, (_, nums) => `[${nums.split(/,\s+/).join(", ")}]`);
const json = compact(idl);
const outputs = [[join(here, "merit_distributor.json"), json + "\n"]];

// The TypeScript type Anchor's Program<T> needs (what `anchor build` writes to target/types).
const tsPath = join(here, "../../../clients/src/idl/merit-distributor.ts");
// Anchor's own camelCase conversion (what Program applies at run time) gives the type's names.
const { convertIdlToCamelCase } = createRequire(import.meta.url)("@coral-xyz/anchor/dist/cjs/idl.js");
outputs.push([
  tsPath,
  `// Generated by programs/distributor/idl/generate.mjs from the program's IDL: do not edit.
import type { Idl } from "@coral-xyz/anchor";

/** The Anchor IDL type of the merit distributor, camelCased as \`anchor build\` writes target/types. */
export type MeritDistributor = ${compact(convertIdlToCamelCase(idl))};

/** The IDL as committed (snake_case names, programs/distributor/idl/merit_distributor.json). */
export const meritDistributorIdl = ${json} satisfies Idl;
`,
]);

// --check: fail if the committed files differ from what the sources generate.
if (process.argv.includes("--check")) {
  const stale = outputs.filter(([path, text]) => {
    try {
      return readFileSync(path, "utf8") !== text;
    } catch {
      return true;
    }
  });
  for (const [path] of stale) console.error(`stale: ${path} (run node programs/distributor/idl/generate.mjs)`);
  process.exit(stale.length ? 1 : 0);
}
for (const [path, text] of outputs) writeFileSync(path, text);
console.log(
  `wrote merit_distributor.json and clients/src/idl/merit-distributor.ts: ${instructions.length} instructions, ${errors.length} errors`,
);
