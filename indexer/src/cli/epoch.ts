import { decodeKey58 } from "@merit/clients/merkle";
import { Command } from "commander";
import { env } from "../env.js";
import { CallerError } from "../errors.js";
import { json, out, withDb } from "./admin.js";
import { log } from "./context.js";

/**
 * `epoch …`: configure the distributors whose epochs this database closes, close the next epoch,
 * rebuild a closed epoch's files, and list epochs with their state. Publishing is `publish`.
 */
function address(v: string, what: string): string {
  if (decodeKey58(v) === undefined) throw new CallerError("bad_address", `${what} "${v}" is not a Solana address (32 bytes in base58)`);
  return v;
}

function epochArg(v: string): bigint {
  if (!/^[1-9]\d*$/.test(v)) throw new CallerError("bad_epoch", `"${v}" is not an epoch number (1, 2, …)`);
  return BigInt(v);
}

export function epochCommand(): Command {
  const epoch = new Command("epoch").description("close epochs: points -> token amounts -> Merkle root, dataset, manifest and proof shards");
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
    .action(async (addr: string, o: { mint: string; mode: string; unitsPerPoint?: string; rounding: string; budget?: string; minClaimable: string }) => {
      const { parseConversion } = await import("../epochs/convert.js");
      const { addDistributor } = await import("../epochs/queries.js");
      const conversion =
        o.mode === "fixed"
          ? { mode: "fixed", unitsPerPoint: o.unitsPerPoint, rounding: o.rounding, minClaimable: o.minClaimable }
          : { mode: o.mode, budgetPerEpoch: o.budget, minClaimable: o.minClaimable };
      parseConversion(conversion);
      await withDb("merit-epochs", (sql) => addDistributor(sql, { address: address(addr, "distributor"), mint: address(o.mint, "mint"), conversion: conversion as never }));
      out(`distributor ${addr} added: ${JSON.stringify(conversion)}`);
    });
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
      const r = await withDb("merit-epochs", (sql) => closeEpoch(sql, { distributor: address(o.distributor, "distributor"), dataDir: env().MERIT_DATA_DIR, allowEmpty: o.allowEmpty, log }));
      if (o.json) return out(json(r ?? null));
      if (!r) return out("nothing to close: no ledger rows since the last epoch (--allow-empty closes anyway)");
      out(`epoch ${r.epoch} closed: ${r.leafCount} leaves, ${r.released} released, cumulative total ${r.cumulativeTotal}`);
      out(`  root          ${r.root}`);
      out(`  dataset hash  ${r.datasetHash}`);
      out(`  inputs hash   ${r.inputsHash}`);
      out(`  files         ${r.dir}`);
      if (r.unpayable.length > 0) out(`  left out      ${r.unpayable.length} accounts that are not Solana addresses (first: ${r.unpayable[0]})`);
    });

  epoch
    .command("rebuild <epoch>")
    .description("write a closed epoch's files again from the database and check them against its hashes")
    .requiredOption("--distributor <address>", "which distributor")
    .action(async (n: string, o: { distributor: string }) => {
      const { rebuildEpochFiles } = await import("../epochs/close.js");
      const r = await withDb("merit-epochs", (sql) => rebuildEpochFiles(sql, { distributor: address(o.distributor, "distributor"), epoch: epochArg(n), dataDir: env().MERIT_DATA_DIR }));
      out(`epoch ${r.epoch} rebuilt byte-identical: ${r.dir}`);
    });

  epoch
    .command("list")
    .description("a distributor's epochs with their state (closed, proposed, pending, active, vetoed)")
    .requiredOption("--distributor <address>", "which distributor")
    .option("--json", "as JSON")
    .action(async (o: { distributor: string; json?: boolean }) => {
      const { listEpochs } = await import("../epochs/queries.js");
      const rows = await withDb("merit-epochs", (sql) => listEpochs(sql, address(o.distributor, "distributor")));
      if (o.json) return out(json(rows));
      if (rows.length === 0) return out("no epoch closed yet");
      out("epoch  status    slots            leaves  released              cumulative total      root");
      for (const e of rows) {
        out(`${String(e.epoch).padEnd(6)} ${e.status.padEnd(9)} ${`${e.firstSlot ?? 0}-${e.cutoffSlot}`.padEnd(16)} ${String(e.leafCount).padEnd(7)} ${String(e.released).padEnd(21)} ${String(e.cumulativeTotal).padEnd(21)} ${e.root.slice(0, 16)}…`);
      }
    });

  epoch
    .command("status <epoch>")
    .description("one epoch in full: ranges, totals, hashes, on-chain state")
    .requiredOption("--distributor <address>", "which distributor")
    .action(async (n: string, o: { distributor: string }) => {
      const { getEpoch } = await import("../epochs/queries.js");
      const e = await withDb("merit-epochs", (sql) => getEpoch(sql, address(o.distributor, "distributor"), epochArg(n)));
      if (!e) throw new CallerError("unknown_epoch", `epoch ${n} of ${o.distributor} is not closed`);
      out(json(e));
    });
  return epoch;
}
