import type { Command } from "commander";

/**
 * The wallet holder's commands, `status <wallet>`, `claim --keypair <file> [--to <wallet>]` and
 * `history <wallet> [--csv]`, are registered here: they read the HTTP API through its typed client
 * and claim with the client library's claim(), so they join once both exist. The help lists this
 * group first: wallet holders are the most numerous users.
 */
export function addWalletCommands(_program: Command): void {}
