import { decodeDistributor } from "@merit/clients/chain";
import { readFileSync } from "node:fs";
import type { Connection, Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";
import type { MeritDistributorProgram } from "@merit/clients/idl";
import { Command } from "commander";
import { env, publishSettings } from "../env.js";
import { CallerError } from "../errors.js";
import { json, out } from "./admin.js";
import { progress } from "./context.js";

/**
 * `distributor init|set-authorities|set-params|pause|unpause|veto|clawback`: the program's admin
 * and guardian instructions (docs/program.md). Each is signed by `--keypair` and sent, or with
 * `--unsigned` printed as a transaction (base64, with a readable summary) for a multisig to sign.
 * Values a command does not change are read from the Distributor account on-chain.
 */
interface Common {
  rpc?: string;
  keypair?: string;
  unsigned?: boolean;
  signer?: string;
  json?: boolean;
}

interface Ctx {
  connection: Connection;
  program: MeritDistributorProgram;
  web3: typeof import("@solana/web3.js");
}

async function context(o: Common): Promise<Ctx> {
  const url = o.rpc ?? env().RPC_URL;
  if (!url) throw new CallerError("no_rpc", "an RPC URL is required: --rpc <url> or RPC_URL");
  if (!o.keypair && !o.unsigned)
    throw new CallerError(
      "bad_flags",
      "sign with --keypair <file> (the authority's keypair), or print the transaction for a multisig with --unsigned",
    );
  if (o.keypair && o.unsigned)
    throw new CallerError("bad_flags", "--keypair and --unsigned exclude each other: sign here, or print for a multisig");
  const [web3, { offlineProgram }] = await Promise.all([import("@solana/web3.js"), import("../publish/chain.js")]);
  const connection = new web3.Connection(url, "confirmed");
  return { connection, program: offlineProgram(connection, env().MERIT_PROGRAM_ID), web3 };
}

function pubkey(ctx: Ctx, v: string, what: string): PublicKey {
  try {
    return new ctx.web3.PublicKey(v);
  } catch {
    throw new CallerError("bad_address", `${what} "${v}" is not a Solana address (32 bytes in base58)`);
  }
}

function u64(v: string, flag: string, signed = false): bigint {
  if (!(signed ? /^-?\d+$/ : /^\d+$/).test(v)) throw new CallerError("bad_flags", `${flag} "${v}" is not a whole number`);
  return BigInt(v);
}

export async function loadKeypair(file: string): Promise<Keypair> {
  const { parseSecret } = await import("../publish/keypair.js");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CallerError("bad_keypair", `--keypair: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return parseSecret(text, `the keypair file ${file}`);
}

/** The Distributor account as the program stores it (every field, for defaults). */
async function readDistributor(ctx: Ctx, address: PublicKey) {
  const info = await ctx.connection.getAccountInfo(address, "confirmed");
  if (!info?.owner.equals(ctx.program.programId))
    throw new CallerError(
      "unknown_distributor_account",
      `no distributor account at ${address.toBase58()} on this cluster (program ${ctx.program.programId.toBase58()}): check the address and --rpc`,
    );
  return decodeDistributor(info.data);
}

const BN = async () => (await import("@coral-xyz/anchor")).BN;
const text = (v: unknown): unknown =>
  v && typeof v === "object" && "toBase58" in v
    ? (v as PublicKey).toBase58()
    : v && typeof v === "object" && "toArrayLike" in v
      ? v.toString()
      : v && typeof v === "object"
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, text(x)]))
        : v;

interface Signer {
  keypair?: Keypair;
  /** Who must sign (and pays): the keypair's key, or for --unsigned the --signer or the chain's authority. */
  authority: PublicKey;
}

async function signerOf(ctx: Ctx, o: Common, fallback: PublicKey | undefined, role: string): Promise<Signer> {
  if (o.keypair) {
    const keypair = await loadKeypair(o.keypair);
    return { keypair, authority: keypair.publicKey };
  }
  if (o.signer) return { authority: pubkey(ctx, o.signer, "--signer") };
  if (!fallback) throw new CallerError("bad_flags", `--unsigned needs --signer <address>: ${role}`);
  return { authority: fallback };
}

/**
 * Signs with the keypair and sends, or prints the unsigned transaction; either way reports what the
 * instruction is, with its accounts by their IDL names and its arguments.
 */
async function run(
  ctx: Ctx,
  o: Common,
  who: Signer,
  name: string,
  args: Record<string, unknown>,
  accounts: Record<string, PublicKey>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const [{ buildInstruction }, { sendWithRetries, unsignedBase64 }] = await Promise.all([
    import("@merit/clients/idl"),
    import("../publish/send.js"),
  ]);
  const { keypair, authority } = who;
  const ix: TransactionInstruction = buildInstruction(ctx.program, name, args, accounts);
  const def = ctx.program.idl.instructions.find((i) => i.name === name)!;
  const summary = {
    instruction: name,
    program: ctx.program.programId.toBase58(),
    accounts: def.accounts.map((a, i) => ({
      name: a.name,
      pubkey: ix.keys[i]!.pubkey.toBase58(),
      signer: ix.keys[i]!.isSigner,
      writable: ix.keys[i]!.isWritable,
    })),
    args: text(args) as Record<string, unknown>,
    ...extra,
  };
  // creating two accounts (initialize) takes more than the publisher's default budget
  const settings = { ...publishSettings(env()), computeUnitLimit: Math.max(publishSettings(env()).computeUnitLimit, 200_000), pollMs: 250 };
  if (keypair) {
    progress(`distributor: sending ${name} signed by ${keypair.publicKey.toBase58()}`);
    const signature = await sendWithRetries(ctx.connection, settings, keypair, [ix], { log: progress });
    if (o.json) return out(json({ ...summary, signature }));
    out(`${name} sent: ${signature}`);
    for (const [k, v] of Object.entries(extra)) out(`  ${k}: ${String(text(v))}`);
    return;
  }
  const transaction = await unsignedBase64(ctx.connection, settings, authority, [ix]);
  const instructionData = Buffer.from(ix.data).toString("base64");
  if (o.json) return out(json({ ...summary, feePayer: authority.toBase58(), transaction, instructionData }));
  out(`unsigned ${name} transaction; fee payer and signer ${authority.toBase58()}`);
  out(`  program      ${summary.program}`);
  for (const a of summary.accounts)
    out(`  account      ${a.name.padEnd(14)} ${a.pubkey}${a.signer ? " (signer)" : ""}${a.writable ? " (writable)" : ""}`);
  for (const [k, v] of Object.entries(summary.args))
    out(`  arg          ${k.padEnd(14)} ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  for (const [k, v] of Object.entries(extra)) out(`  ${k.padEnd(12)} ${String(text(v))}`);
  out("sign and send it (e.g. in Squads); the transaction, base64:");
  out(transaction);
}

/** The options every subcommand shares. */
function signed(cmd: Command): Command {
  return cmd
    .option("--rpc <url>", "RPC URL (default RPC_URL)")
    .option("--keypair <file>", "sign with this keypair (solana-keygen's JSON) and send")
    .option("--unsigned", "print the unsigned transaction (base64) and a summary, for a multisig to sign")
    .option("--signer <address>", "with --unsigned: the signing authority and fee payer (default: read from the chain)")
    .option("--json", "print the result as JSON");
}

interface ParamFlags {
  activationDelay?: string;
  gracePeriod?: string;
  maxTotalIncrease?: string;
  claimExpiry?: string;
}

function paramOptions(cmd: Command): Command {
  return cmd
    .option("--activation-delay <seconds>", "how long a proposed root waits before it can activate")
    .option("--grace-period <seconds>", "how long the previous root still pays after a new one activates")
    .option("--max-total-increase <base-units>", "the per-epoch cap on the growth of the cumulative total")
    .option("--claim-expiry <unix-seconds>", "when unclaimed tokens may be clawed back (0 = never)");
}

async function params(p: ParamFlags, current: ParamFlags) {
  const Bn = await BN();
  const pick = (v: string | undefined, now: string | undefined, flag: string, signedInt = false) => {
    const s = v ?? now;
    if (s === undefined) throw new CallerError("bad_flags", `${flag} is required`);
    return new Bn(u64(s, flag, signedInt).toString());
  };
  return {
    activationDelay: pick(p.activationDelay, current.activationDelay, "--activation-delay"),
    gracePeriod: pick(p.gracePeriod, current.gracePeriod, "--grace-period"),
    maxTotalIncrease: pick(p.maxTotalIncrease, current.maxTotalIncrease, "--max-total-increase"),
    claimExpiry: pick(p.claimExpiry, current.claimExpiry, "--claim-expiry", true),
  };
}

const currentParams = (d: Awaited<ReturnType<typeof readDistributor>>): ParamFlags => ({
  activationDelay: d.activationDelay.toString(),
  gracePeriod: d.gracePeriod.toString(),
  maxTotalIncrease: d.maxTotalIncrease.toString(),
  claimExpiry: d.claimExpiry.toString(),
});

export function distributorCommand(): Command {
  const cmd = new Command("distributor").description(
    "the distributor program's admin and guardian instructions, signed here (--keypair) or printed for a multisig (--unsigned)",
  );

  paramOptions(signed(cmd.command("init")))
    .description(
      "initialize_distributor: create a distributor and its vault for a mint; the admin signs, pays and is a seed of the address",
    )
    .requiredOption("--mint <address>", "the reward token's mint (SPL Token or Token-2022)")
    .requiredOption("--publisher <address>", "who proposes roots")
    .requiredOption("--guardian <address>", "who may pause and veto")
    .option("--id <n>", "the admin's number for this distributor (a seed)", "1")
    .action(async (o: Common & ParamFlags & { mint: string; publisher: string; guardian: string; id: string }) => {
      const ctx = await context(o);
      const { distributorPda, vaultPda } = await import("@merit/clients/idl");
      const mint = pubkey(ctx, o.mint, "--mint");
      const mintInfo = await ctx.connection.getAccountInfo(mint, "confirmed");
      if (!mintInfo) throw new CallerError("bad_address", `no mint account at ${o.mint} on this cluster: check --mint and --rpc`);
      const id = u64(o.id, "--id");
      const Bn = await BN();
      const args = {
        id: new Bn(id.toString()),
        publisher: pubkey(ctx, o.publisher, "--publisher"),
        guardian: pubkey(ctx, o.guardian, "--guardian"),
        params: await params(o, { activationDelay: "86400", gracePeriod: "86400", claimExpiry: "0" }),
      };
      const who = await signerOf(ctx, o, undefined, "the admin that signs (a seed of the distributor's address)");
      const [distributor] = distributorPda(mint, who.authority, id, ctx.program.programId);
      const accounts = {
        admin: who.authority,
        mint,
        distributor,
        vault: vaultPda(distributor, ctx.program.programId)[0],
        tokenProgram: mintInfo.owner,
      };
      await run(ctx, o, who, "initializeDistributor", args, accounts, { distributor });
    });

  signed(cmd.command("set-authorities <distributor>"))
    .description("set_authorities: change the publisher and guardian, or propose the next admin (unchanged values are kept)")
    .option("--publisher <address>", "the new publisher")
    .option("--guardian <address>", "the new guardian")
    .option("--pending-admin <address|none>", "propose this address as the next admin (it completes with accept_admin); none cancels")
    .action(async (addr: string, o: Common & { publisher?: string; guardian?: string; pendingAdmin?: string }) => {
      const ctx = await context(o);
      const distributor = pubkey(ctx, addr, "distributor");
      const d = await readDistributor(ctx, distributor);
      const args = {
        publisher: o.publisher ? pubkey(ctx, o.publisher, "--publisher") : d.publisher,
        guardian: o.guardian ? pubkey(ctx, o.guardian, "--guardian") : d.guardian,
        pendingAdmin:
          o.pendingAdmin === "none"
            ? ctx.web3.PublicKey.default
            : o.pendingAdmin
              ? pubkey(ctx, o.pendingAdmin, "--pending-admin")
              : d.pendingAdmin,
      };
      const who = await signerOf(ctx, o, d.admin, "");
      await run(ctx, o, who, "setAuthorities", args, { admin: who.authority, distributor });
    });

  paramOptions(signed(cmd.command("set-params <distributor>")))
    .description("set_params: activation delay, grace period, per-epoch cap, claim expiry (unchanged values are kept)")
    .action(async (addr: string, o: Common & ParamFlags) => {
      const ctx = await context(o);
      const distributor = pubkey(ctx, addr, "distributor");
      const d = await readDistributor(ctx, distributor);
      const args = { params: await params(o, currentParams(d)) };
      const who = await signerOf(ctx, o, d.admin, "");
      await run(ctx, o, who, "setParams", args, { admin: who.authority, distributor });
    });

  for (const [name, ix, what] of [
    ["pause", "pause", "no claim, proposal, activation or clawback until unpaused; vetoes still work"],
    ["unpause", "unpause", "claims, proposals and activations resume"],
  ] as const)
    signed(cmd.command(`${name} <distributor>`))
      .description(`${ix}: ${what} (the guardian or the admin signs)`)
      .action(async (addr: string, o: Common) => {
        const ctx = await context(o);
        const distributor = pubkey(ctx, addr, "distributor");
        const d = await readDistributor(ctx, distributor);
        const who = await signerOf(ctx, o, d.guardian, "");
        await run(ctx, o, who, ix, {}, { authority: who.authority, distributor });
      });

  signed(cmd.command("veto <distributor>"))
    .description(
      "veto_root: a pending root before it activates (at any time while paused) becomes Vetoed (the guardian or the admin signs)",
    )
    .requiredOption("--epoch <n>", "the pending epoch to veto")
    .action(async (addr: string, o: Common & { epoch: string }) => {
      const ctx = await context(o);
      const { epochRootPda } = await import("@merit/clients/idl");
      const distributor = pubkey(ctx, addr, "distributor");
      const epoch = u64(o.epoch, "--epoch");
      const d = await readDistributor(ctx, distributor);
      const epochRoot = epochRootPda(distributor, epoch, ctx.program.programId)[0];
      const who = await signerOf(ctx, o, d.guardian, "");
      await run(ctx, o, who, "vetoRoot", {}, { authority: who.authority, distributor, epochRoot }, { epoch });
    });

  signed(cmd.command("clawback <distributor>"))
    .description("clawback: withdraw what the vault holds beyond what is owed (or everything after the claim expiry) to a token account")
    .requiredOption("--amount <base-units>", "how much")
    .requiredOption("--destination <token-account>", "a token account of the mint (not the vault)")
    .action(async (addr: string, o: Common & { amount: string; destination: string }) => {
      const ctx = await context(o);
      const distributor = pubkey(ctx, addr, "distributor");
      const d = await readDistributor(ctx, distributor);
      const Bn = await BN();
      const args = { amount: new Bn(u64(o.amount, "--amount").toString()) };
      const destination = pubkey(ctx, o.destination, "--destination");
      const who = await signerOf(ctx, o, d.admin, "");
      const accounts = { admin: who.authority, distributor, mint: d.mint, vault: d.vault, destination, tokenProgram: d.tokenProgram };
      await run(ctx, o, who, "clawback", args, accounts);
    });
  return cmd;
}
