import { Command } from "commander";
import { localnetCommand } from "@merit/localnet/cli";
import { ledgerCommand, pointsCommand, rejectsCommand, rulesCommand } from "./admin.js";
import { catalogCommand, redeemCommand, redemptionsCommand } from "../catalog/cli.js";
import { unlockablesCommand } from "../unlockables/cli.js";
import { backfillCommand } from "./backfill.js";
import { campaignCommand } from "./campaign.js";
import { distributorCommand } from "./distributor.js";
import { epochCommand } from "./epoch.js";
import { exitWithError } from "./exit.js";
import { webhookCommand } from "./helius.js";
import { replayCommand } from "./replay.js";
import { reviewCommand } from "./review.js";
import { runCommand } from "./run.js";
import { startCommand } from "./start.js";
import { statusCommand } from "./status.js";
import { verifyCommand } from "./verify.js";
import { addWalletCommands } from "./wallet.js";
import { eventsCommand } from "./events.js";

/**
 * `merit`, the one command (bin: indexer/bin/merit.mjs), its help grouped by who uses it. Each
 * command lives in its own module and is registered here with one line; heavy modules load lazily
 * inside each action so `merit --help` stays instant. Errors become exit codes in exit.ts only.
 */
const program = new Command("merit")
  .description("merit: settlement-driven token rewards on Solana")
  .showHelpAfterError("(run the command with --help for its usage)");

program.commandsGroup("Wallet holders:");
addWalletCommands(program);
program.addCommand(redeemCommand());

program.commandsGroup("Operators:");
program.addCommand(startCommand());
program.addCommand(localnetCommand());
program.addCommand(
  new Command("ingest")
    .description("settlements in: the poller alone, backfill, replay of stored transactions, where ingest stands, rejected input")
    .addCommand(runCommand())
    .addCommand(backfillCommand())
    .addCommand(replayCommand())
    .addCommand(statusCommand())
    .addCommand(rejectsCommand()),
);
program.addCommand(webhookCommand());

program.commandsGroup("Admins:");
program.addCommand(epochCommand());
program.addCommand(rulesCommand());
program.addCommand(campaignCommand());
program.addCommand(pointsCommand());
program.addCommand(distributorCommand());
program.addCommand(
  new Command("admin")
    .description("records beside rule sets: event sources, the reward catalog, redemptions, unlockable prizes and the fraud review queue")
    .addCommand(eventsCommand())
    .addCommand(catalogCommand())
    .addCommand(redemptionsCommand())
    .addCommand(unlockablesCommand())
    .addCommand(reviewCommand()),
);

program.commandsGroup("Auditors:");
program.addCommand(verifyCommand());
program.addCommand(ledgerCommand());

program.commandsGroup("");
program.addHelpText(
  "after",
  `
--json on a command prints its result as one JSON document. Exit codes: 0 ok, 1 a check failed,
2 bad input, 3 a service unavailable (database, RPC). The database is DATABASE_URL, else the
embedded one under MERIT_DATA_DIR (the running daemon's, or opened for the command).`,
);

/** Every command, not only the root, throws its parse errors to the one handler below. */
function throwParseErrors(cmd: Command): void {
  cmd.exitOverride().showHelpAfterError("(run the command with --help for its usage)");
  for (const sub of cmd.commands) throwParseErrors(sub);
}
throwParseErrors(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  exitWithError(err);
}
