import { join } from "node:path";
import { Command, InvalidArgumentError } from "commander";

/**
 * `merit localnet`: a development chain (litesvm behind the Solana JSON-RPC), not a cluster.
 * Prints its URLs and a `ready` line, then serves until interrupted.
 */
function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65534) throw new InvalidArgumentError("expected a port number 0-65534");
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

function programSpec(value: string, previous: { id: string; soPath: string }[]): { id: string; soPath: string }[] {
  const at = value.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError("expected <program id>=<path to .so>");
  return [...previous, { id: value.slice(0, at), soPath: value.slice(at + 1) }];
}

interface Options {
  port: number;
  host: string;
  slotMs: number;
  maxTxPerSlot: number;
  ledger: string;
  reset: boolean;
  ephemeral: boolean;
  program: { id: string; soPath: string }[];
  quiet: boolean;
}

export function localnetCommand(): Command {
  return (
    new Command("localnet")
      .description("run a local development chain (in-process litesvm) behind the Solana JSON-RPC; WebSocket on port + 1")
      .option("-p, --port <port>", "HTTP JSON-RPC port (0: any free port)", port, Number(process.env.LOCALNET_PORT ?? 8899))
      .option("--host <host>", "interface to listen on", "127.0.0.1")
      .option("--slot-ms <ms>", "slot duration in milliseconds", positive, 400)
      .option("--max-tx-per-slot <n>", "transactions per block before the next slot opens", positive, 256)
      // The same file `npm start` uses, so both run the same chain.
      .option(
        "--ledger <file>",
        "transaction history, replayed on start to rebuild state",
        join(process.env.MERIT_DATA_DIR ?? ".merit", "localnet", "ledger.jsonl"),
      )
      .option("--reset", "delete the ledger file (and its snapshots) before starting", false)
      .option("--ephemeral", "keep no history file: state is lost on exit", false)
      .option("--program <id=path>", "load another program (repeatable)", programSpec, [])
      .option("-q, --quiet", "print only the URLs and the ready line", false)
      .action(async (opts: Options) => {
        const { startLocalnet, removeHistory } = await import("../../index.js");
        if (opts.reset) removeHistory(opts.ledger);
        const log = opts.quiet ? () => {} : (line: string) => console.log(`localnet: ${line}`);
        const net = await startLocalnet({
          port: opts.port,
          host: opts.host,
          slotMs: opts.slotMs,
          maxTxPerSlot: opts.maxTxPerSlot,
          historyFile: opts.ephemeral ? undefined : opts.ledger,
          programs: opts.program,
          log,
        });
        const stop = async () => {
          await net.stop();
          process.exit(0);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        console.log("merit localnet: a development chain (litesvm), not a Solana cluster");
        console.log(`RPC URL:       ${net.url}`);
        console.log(`WebSocket URL: ${net.wsUrl}`);
        // CPU time next to wall time: on a busy machine the wall time says more about the neighbours.
        const cpu = process.cpuUsage();
        console.log(`ready ${net.url} in ${Math.round(process.uptime() * 1000)} ms (cpu ${Math.round((cpu.user + cpu.system) / 1000)} ms)`);
      })
  );
}
