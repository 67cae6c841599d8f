import { Command } from "commander";

/** `merit start`: what `npm start` runs (indexer/src/main.ts), in this process. */
export function startCommand(): Command {
  return new Command("start")
    .description("run the whole stack until Ctrl-C: database, local chain (without RPC_URL), ingest, rewards engine, API")
    .action(async () => {
      // the daemon runs until a signal; its own handler ends the process
      await import("../main.js");
    });
}
