import { Command } from "commander";
import { CallerError } from "../errors.js";
import { parseRoles, ROLES } from "../daemon/roles/names.js";

/** `merit start`: what `npm start` runs (indexer/src/daemon/run.ts), in this process. */
export function startCommand(): Command {
  return (
    new Command("start")
      .description("run the whole stack until Ctrl-C: database, local chain (without RPC_URL), ingest, rewards engine, epochs, API")
      .option("--roles <list>", `the roles this process runs, a comma list of ${ROLES.join(", ")} (default: MERIT_ROLES, else all)`)
      // read by env.ts from the process's arguments, as `npm start -- --config <path>` passes it too
      .option(
        "--config <path>",
        "configuration file (default: MERIT_CONFIG, else ./merit.config.toml when present); the environment overrides its keys",
      )
      .action(async (o: { roles?: string }) => {
        const roles = o.roles === undefined ? undefined : parseRoles(o.roles);
        if (typeof roles === "string") throw new CallerError("bad_roles", `--roles: ${roles}`);
        const { runDaemon } = await import("../daemon/run.js");
        // the daemon runs until a signal; its own handler ends the process
        await runDaemon({ roles });
      })
  );
}
