import { runDaemon } from "./daemon/run.js";

/**
 * `npm start`: the whole local stack in one process (daemon/run.ts); `merit start --roles` runs
 * a part of it.
 */
await runDaemon();
