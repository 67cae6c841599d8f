import { decodeKey58 } from "@merit/clients/merkle";
import { Command } from "commander";
import { env, publishSettings } from "../env.js";
import { CallerError } from "../errors.js";
import { json, out, withDb } from "./admin.js";
import { log } from "./context.js";

/**
 * `epoch …`: configure the distributors whose epochs this database closes, close the next epoch,
 * rebuild a closed epoch's files, publish epochs on-chain (`publish`, `record`, `follow`), and list
 * epochs with their state here and on-chain (docs/publishing.md).
 */
function address(v: string, what: string): string {
  if (decodeKey58(v) === undefined) throw new CallerError("bad_address", `${what} "${v}" is not a Solana address (32 bytes in base58)`);
  return v;
}

function epochArg(v: string): bigint {
  if (!/^[1-9]\d*$/.test(v)) throw new CallerError("bad_epoch", `"${v}" is not an epoch number (1, 2, …)`);
  return BigInt(v);
}

function rpcUrl(flag: string | undefined): string {
  const url = flag ?? env().RPC_URL;
  if (!url) throw new CallerError("no_rpc", "an RPC URL is required: --rpc <url> or RPC_URL");
  return url;
}

/** What the publishing commands share: the database, a finalized Connection, the settings, the key when needed. */
async function withPublisher<T>(
  o: { rpc?: string; signer: boolean },
  f: (ctx: import("../publish/publish.js").PublishContext) => Promise<T>,
): Promise<T> {
  const { Connection } = await import("@solana/web3.js");
  const { publisherKeypair } = await import("../publish/keypair.js");
  const e = env();
  const signer = o.signer ? publisherKeypair(e) : undefined;
  const connection = new Connection(rpcUrl(o.rpc), "finalized");
  const { offlineProgram } = await import("../publish/chain.js");
  const program = offlineProgram(connection, e.MERIT_PROGRAM_ID);
  return withDb("merit-publish", (sql) =>
    f({ sql, connection, dataDir: e.MERIT_DATA_DIR, signer, send: publishSettings(e), log, program }),
  );
}

const unix = (t: bigint | undefined) => (t === undefined ? "-" : new Date(Number(t) * 1000).toISOString());

export function epochCommand(): Command {
  const epoch = new Command("epoch").description(
    "close epochs: points -> token amounts -> Merkle root, dataset, manifest and proof shards",
  );
  const distributor = epoch.command("distributor").description("the distributors whose epochs this database closes");
  distributor
    .command("add <address>")
    .description("close epochs for a distributor (its PDA), converting points by --mode")
    .requiredOption("--mint <address>", "the reward token's mint")
    .requiredOption("--mode <fixed|budget>", "fixed: --units-per-point; budget: --budget per epoch, split pro rata")
    .option("--units-per-point <n>", "fixed mode: token base units per whole point")
    .option("--rounding <floor|half_up>", "fixed mode: how a fraction of a base unit rounds", "floor")
    .option("--budget <n>", "budget mode: token base units per epoch")
    .option("--min-claimable <n>", "a wallet's amount is carried until it reaches this (base units)", "0")
    .option("--json", "print the result as JSON")
    .action(
      async (
        addr: string,
        o: { mint: string; mode: string; unitsPerPoint?: string; rounding: string; budget?: string; minClaimable: string; json?: boolean },
      ) => {
        const { parseConversion } = await import("../epochs/convert.js");
        const { addDistributor } = await import("../epochs/queries.js");
        const conversion =
          o.mode === "fixed"
            ? { mode: "fixed", unitsPerPoint: o.unitsPerPoint, rounding: o.rounding, minClaimable: o.minClaimable }
            : { mode: o.mode, budgetPerEpoch: o.budget, minClaimable: o.minClaimable };
        parseConversion(conversion);
        await withDb("merit-epochs", (sql) =>
          addDistributor(sql, { address: address(addr, "distributor"), mint: address(o.mint, "mint"), conversion: conversion as never }),
        );
        if (o.json) return out(json({ address: addr, mint: o.mint, conversion }));
        out(`distributor ${addr} added: ${JSON.stringify(conversion)}`);
      },
    );
  distributor
    .command("list")
    .description("the configured distributors")
    .option("--json", "as JSON")
    .action(async (o: { json?: boolean }) => {
      const { listDistributors } = await import("../epochs/queries.js");
      const rows = await withDb("merit-epochs", (sql) => listDistributors(sql));
      if (o.json) return out(json(rows));
      if (rows.length === 0) return out("no distributor configured (add one with: epoch distributor add <address> --mint … --mode …)");
      for (const r of rows) out(`${r.address}  mint ${r.mint}  ${JSON.stringify(r.conversion)}`);
    });

  epoch
    .command("close")
    .description("close the next epoch of a distributor up to the newest complete, scored slot")
    .requiredOption("--distributor <address>", "which distributor")
    .option("--allow-empty", "close even with no new ledger rows")
    .option("--json", "print the result as JSON")
    .action(async (o: { distributor: string; allowEmpty?: boolean; json?: boolean }) => {
      const { closeEpoch } = await import("../epochs/close.js");
      const r = await withDb("merit-epochs", (sql) =>
        closeEpoch(sql, {
          distributor: address(o.distributor, "distributor"),
          dataDir: env().MERIT_DATA_DIR,
          allowEmpty: o.allowEmpty,
          log,
        }),
      );
      if (o.json) return out(json(r ?? null));
      if (!r) return out("nothing to close: no ledger rows since the last epoch (--allow-empty closes anyway)");
      out(`epoch ${r.epoch} closed: ${r.leafCount} leaves, ${r.released} released, cumulative total ${r.cumulativeTotal}`);
      out(`  root          ${r.root}`);
      out(`  dataset hash  ${r.datasetHash}`);
      out(`  inputs hash   ${r.inputsHash}`);
      out(`  files         ${r.dir}`);
      if (r.unpayable.length > 0)
        out(`  left out      ${r.unpayable.length} accounts that are not Solana addresses (first: ${r.unpayable[0]})`);
    });

  epoch
    .command("rebuild <epoch>")
    .description("write a closed epoch's files again from the database and check them against its hashes")
    .requiredOption("--distributor <address>", "which distributor")
    .option("--json", "print the result as JSON")
    .action(async (n: string, o: { distributor: string; json?: boolean }) => {
      const { rebuildEpochFiles } = await import("../epochs/close.js");
      const r = await withDb("merit-epochs", (sql) =>
        rebuildEpochFiles(sql, { distributor: address(o.distributor, "distributor"), epoch: epochArg(n), dataDir: env().MERIT_DATA_DIR }),
      );
      if (o.json) return out(json(r));
      out(`epoch ${r.epoch} rebuilt byte-identical: ${r.dir}`);
    });

  epoch
    .command("list")
    .description("a distributor's epochs with their state (closed, proposed, pending, active, vetoed); with --chain, each EpochRoot's too")
    .requiredOption("--distributor <address>", "which distributor")
    .option("--chain", "read each epoch's EpochRoot from the chain (--rpc or RPC_URL)")
    .option("--rpc <url>", "RPC URL (default RPC_URL)")
    .option("--json", "as JSON")
    .action(async (o: { distributor: string; chain?: boolean; rpc?: string; json?: boolean }) => {
      const { listEpochs } = await import("../epochs/queries.js");
      const d = address(o.distributor, "distributor");
      const rows =
        o.chain || o.rpc
          ? await withPublisher({ rpc: o.rpc, signer: false }, async (ctx) => withChain(ctx, await listEpochs(ctx.sql, d)))
          : (await withDb("merit-epochs", (sql) => listEpochs(sql, d))).map((e) => ({ ...e, chain: undefined }));
      if (o.json) return out(json(rows));
      if (rows.length === 0) return out("no epoch closed yet");
      const onChain = o.chain || o.rpc;
      out(`epoch  status    ${onChain ? "on-chain  " : ""}slots            leaves  released              cumulative total      root`);
      for (const e of rows) {
        const chainCol = onChain ? `${(e.chain?.status ?? "-").padEnd(9)} ` : "";
        out(
          `${String(e.epoch).padEnd(6)} ${e.status.padEnd(9)} ${chainCol}${`${e.firstSlot ?? 0}-${e.cutoffSlot}`.padEnd(16)} ${String(e.leafCount).padEnd(7)} ${String(e.released).padEnd(21)} ${String(e.cumulativeTotal).padEnd(21)} ${e.root.slice(0, 16)}…`,
        );
      }
    });

  epoch
    .command("status <epoch>")
    .description("one epoch in full: ranges, totals, hashes, state here and (with --chain) its EpochRoot on-chain")
    .requiredOption("--distributor <address>", "which distributor")
    .option("--chain", "read the EpochRoot from the chain (--rpc or RPC_URL)")
    .option("--rpc <url>", "RPC URL (default RPC_URL)")
    .option("--json", "the same JSON (accepted like every command's --json)")
    .action(async (n: string, o: { distributor: string; chain?: boolean; rpc?: string }) => {
      const { getEpoch } = await import("../epochs/queries.js");
      const d = address(o.distributor, "distributor");
      const num = epochArg(n);
      const read = async (sql: import("../db/connection.js").Sql) => {
        const e = await getEpoch(sql, d, num);
        if (!e) throw new CallerError("unknown_epoch", `epoch ${n} of ${o.distributor} is not closed`);
        return e;
      };
      if (!(o.chain || o.rpc)) return out(json(await withDb("merit-epochs", read)));
      out(json((await withPublisher({ rpc: o.rpc, signer: false }, async (ctx) => withChain(ctx, [await read(ctx.sql)])))[0]));
    });

  epoch
    .command("publish [epoch]")
    .description(
      "propose the oldest closed epoch (or [epoch]) on-chain: propose_root, after checking the dataset, the vault and the program's cap",
    )
    .requiredOption("--distributor <address>", "which distributor")
    .option("--rpc <url>", "RPC URL (default RPC_URL)")
    .option("--force", "propose although the vault does not cover the obligation or the growth exceeds the per-epoch cap")
    .option("--unsigned", "print the transaction (base64) for a multisig to sign instead of signing it; then: epoch record <epoch>")
    .option("--publisher <address>", "with --unsigned: the publisher (fee payer and signer); default the distributor's on-chain publisher")
    .option("--json", "print the result as JSON")
    .action(
      async (
        n: string | undefined,
        o: { distributor: string; rpc?: string; force?: boolean; unsigned?: boolean; publisher?: string; json?: boolean },
      ) => {
        const { publishEpoch } = await import("../publish/publish.js");
        const { PublicKey } = await import("@solana/web3.js");
        const d = address(o.distributor, "distributor");
        const unsigned = o.unsigned ? { publisher: o.publisher ? new PublicKey(address(o.publisher, "publisher")) : undefined } : undefined;
        const r = await withPublisher({ rpc: o.rpc, signer: !o.unsigned }, (ctx) =>
          publishEpoch(ctx, { distributor: d, epoch: n === undefined ? undefined : epochArg(n), force: o.force, unsigned }),
        );
        if (o.json) return out(json(r));
        if (r.outcome === "busy")
          throw new CallerError("publish_busy", "another publisher holds the lock for this distributor; try again when it is done");
        if (r.outcome === "nothing") return out("nothing to publish: every closed epoch is on-chain");
        if (r.outcome === "unsigned") {
          out(
            `epoch ${r.epoch}: unsigned propose_root transaction for ${r.publisher} (base64); sign and send it (e.g. in Squads), then run: epoch record ${r.epoch} --distributor ${d}`,
          );
          return out(r.transaction);
        }
        if (r.outcome === "proposed")
          return out(`epoch ${r.epoch} proposed: ${r.signature}; ${r.status}, activates at ${unix(r.activatesAt)}`);
        out(`epoch ${r.epoch} is already on-chain with the same root (${r.status}${r.signature ? `, ${r.signature}` : ""}): recorded`);
      },
    );

  epoch
    .command("record <epoch>")
    .description("record an epoch proposed elsewhere (a multisig) from its EpochRoot on-chain")
    .requiredOption("--distributor <address>", "which distributor")
    .option("--rpc <url>", "RPC URL (default RPC_URL)")
    .option("--json", "print the result as JSON")
    .action(async (n: string, o: { distributor: string; rpc?: string; json?: boolean }) => {
      const { recordEpoch } = await import("../publish/publish.js");
      const r = await withPublisher({ rpc: o.rpc, signer: false }, (ctx) =>
        recordEpoch(ctx, { distributor: address(o.distributor, "distributor"), epoch: epochArg(n) }),
      );
      if (r === "busy")
        throw new CallerError("publish_busy", "another publisher holds the lock for this distributor; try again when it is done");
      if (o.json) return out(json({ epoch: n, ...r }));
      out(`epoch ${n} recorded: ${r.status}${r.signature ? ` (${r.signature})` : ""}`);
    });

  epoch
    .command("follow")
    .description("one pass of what the daemon does after proposing: activate due roots, record vetoes, report a pause")
    .requiredOption("--distributor <address>", "which distributor")
    .option("--rpc <url>", "RPC URL (default RPC_URL)")
    .option("--no-activate", "only look: send no activate_root (needs no key)")
    .option("--json", "print the report as JSON")
    .action(async (o: { distributor: string; rpc?: string; activate: boolean; json?: boolean }) => {
      const { followEpochs } = await import("../publish/follow.js");
      const r = await withPublisher({ rpc: o.rpc, signer: o.activate }, (ctx) =>
        followEpochs(ctx, { distributor: address(o.distributor, "distributor"), activate: o.activate }),
      );
      if (r === "busy")
        throw new CallerError("publish_busy", "another publisher holds the lock for this distributor; try again when it is done");
      if (o.json) return out(json(r));
      if (r.paused) out("distributor PAUSED on-chain: nothing activates until it is unpaused");
      for (const e of r.epochs)
        out(
          `epoch ${e.epoch}: ${e.status}${e.activatesAt !== undefined ? `, activates at ${unix(e.activatesAt)}` : ""}${r.activated.includes(e.epoch) ? " (activated now)" : ""}`,
        );
    });
  return epoch;
}

/** Each epoch with its EpochRoot as the chain holds it (undefined: not proposed). */
async function withChain<T extends { epoch: bigint; distributor: string }>(ctx: import("../publish/publish.js").PublishContext, rows: T[]) {
  const { offlineProgram, readChain } = await import("../publish/chain.js");
  const { PublicKey } = await import("@solana/web3.js");
  const program = ctx.program ?? offlineProgram(ctx.connection);
  const out = [];
  for (const e of rows)
    out.push({ ...e, chain: (await readChain(ctx.connection, program, new PublicKey(e.distributor), e.epoch)).epochRoot });
  return out;
}
