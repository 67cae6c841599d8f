#!/usr/bin/env node
import { Command } from "commander";
import { localnetCommand } from "./commands/localnet.js";

/**
 * The `merit` CLI. Each command lives in commands/<name>.ts and is registered with one line here;
 * commands import their heavy dependencies lazily so `merit --help` stays instant.
 */
const program = new Command("merit").description("merit: settlement-driven token rewards on Solana").showHelpAfterError();

program.addCommand(localnetCommand());

await program.parseAsync(process.argv);
