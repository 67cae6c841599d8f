import { Command } from "commander";

/** `merit start`: what `npm start` runs (indexer/src/main.ts), in this process. */
export function startCommand(): Command {
  return (
    new Command("start")
      .description("run the whole stack until Ctrl-C: database, local chain (without RPC_URL), ingest, rewards engine, API")
      // read by env.ts from the process's arguments, as `npm start -- --config <path>` passes it too
      .option(
        "--config <path>",
        "configuration file (default: MERIT_CONFIG, else ./merit.config.toml when present); the environment overrides its keys",
      )
      .action(async () => {
        // the daemon runs until a signal; its own handler ends the process
        await import("../main.js");
      })
  );
}
