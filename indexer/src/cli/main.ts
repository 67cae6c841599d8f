#!/usr/bin/env node
import { Command } from "commander";
import { MeritError } from "../errors.js";
import { ledgerCommand, pointsCommand, rejectsCommand, rulesCommand } from "./admin.js";
import { backfillCommand } from "./backfill.js";
import { epochCommand } from "./epoch.js";
import { heliusCommand } from "./helius.js";
import { replayCommand } from "./replay.js";
import { runCommand } from "./run.js";
import { statusCommand } from "./status.js";
import { verifyCommand } from "./verify.js";

/**
 * The indexer's own commands (`npm run indexer -- <command>`): the ingest poller, backfill, replay
 * of stored raw transactions, the Helius webhook registration, rejected input, rule sets, manual
 * adjustments, the leaderboard and the ledger's verification, epochs, and the auditor's verify of a
 * published epoch. Heavy modules load lazily inside each action.
 */
const program = new Command("merit-indexer").description("merit indexer: ingest, rules, points and ledger commands").showHelpAfterError();
program.addCommand(runCommand());
program.addCommand(backfillCommand());
program.addCommand(heliusCommand());
program.addCommand(replayCommand());
program.addCommand(statusCommand());
program.addCommand(rejectsCommand());
program.addCommand(rulesCommand());
program.addCommand(pointsCommand());
program.addCommand(ledgerCommand());
program.addCommand(epochCommand());
program.addCommand(verifyCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Caller errors (bad config, bad flags) get one clear line and exit 2; anything else is a bug or
  // an upstream failure and keeps its stack.
  if (err instanceof MeritError && err.kind === "caller") {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
