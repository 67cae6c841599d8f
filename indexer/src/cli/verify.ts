import { Command } from "commander";
import { CallerError, UpstreamError } from "../errors.js";
import { checkFailed } from "./exit.js";

/**
 * `verify --epoch N --rpc URL --dataset PATH|URL …`: the auditor's check of a published epoch
 * against the chain, with the operator's published files and nothing of its database
 * (docs/verify.md). Exit 0: every check passed; 1: a mismatch (the first is named); 2: bad input;
 * 3: the RPC is unreachable (exit.ts).
 */
interface VerifyFlags {
  epoch: string;
  rpc: string;
  dataset: string;
  manifest?: string;
  previousDataset?: string;
  distributor?: string;
  full?: boolean;
  replay?: boolean;
  manifestsDir?: string;
  rps: string;
  concurrency: string;
  json?: boolean;
}

const write = (line: string) => void process.stdout.write(`${line}\n`);

const bad = (message: string): never => {
  throw new CallerError("bad_flags", message);
};

const MARK = { pass: "PASS", fail: "FAIL", skip: "skip" } as const;

export function verifyCommand(): Command {
  const cmd = new Command("verify")
    .description(
      "check a published epoch against the chain: dataset hash, rebuilt root, totals, manifest, epoch N-1 -> N, vault; --replay recomputes it from the settlements on-chain",
    )
    .requiredOption("--epoch <n>", "the epoch to verify")
    .requiredOption("--rpc <url>", "a Solana JSON-RPC endpoint of the cluster the distributor is on")
    .requiredOption("--dataset <path|url>", "the epoch's dataset (dataset.ndjson)")
    .option("--manifest <path|url>", "the epoch's manifest (manifest.ndjson): its sha256 must be the inputs hash on-chain")
    .option("--previous-dataset <path|url>", "epoch N-1's dataset: no cumulative amount decreases, no wallet disappears")
    .option("--distributor <address>", "the distributor you audit (default: the one the dataset names)")
    .option(
      "--full",
      "also load the dataset record by record: each record's own checks (points = its parts, its leaf) and every total of the header",
    )
    .option(
      "--replay",
      "recompute the epoch from the settlements on-chain and the manifest (needs --manifest; for N > 1 also --previous-dataset and --manifests-dir)",
    )
    .option("--manifests-dir <dir|url>", "--replay of epoch N > 1: where epochs 1..N-1's manifests are, as <dir>/<k>/manifest.ndjson")
    .option("--rps <n>", "--replay: RPC calls per second at most (each getTransaction of a batch counts)", "20")
    .option("--concurrency <n>", "--replay: RPC requests in flight at most", "8")
    .option("--json", "print the report as JSON")
    .action(async (o: VerifyFlags) => {
      if (!/^[1-9]\d*$/.test(o.epoch)) bad(`--epoch "${o.epoch}" is not an epoch number (1, 2, …)`);
      if (!/^https?:\/\//.test(o.rpc)) bad(`--rpc "${o.rpc}" is not an http(s) URL`);
      for (const [flag, v] of [
        ["--rps", o.rps],
        ["--concurrency", o.concurrency],
      ] as const)
        if (!/^[1-9]\d*$/.test(v)) bad(`${flag} "${v}" is not a positive whole number`);
      if (o.manifestsDir && !o.replay) bad("--manifests-dir is only read by --replay");
      if (o.replay && !o.manifest) bad("--replay needs --manifest: the manifest names what the epoch is computed from");
      if (o.replay && o.epoch !== "1" && !(o.manifestsDir && o.previousDataset)) {
        bad(
          `--replay of epoch ${o.epoch} needs --previous-dataset (epoch ${BigInt(o.epoch) - 1n}'s cumulative amounts) and --manifests-dir (epochs 1..${BigInt(o.epoch) - 1n}'s manifests: scoring state carries across epochs)`,
        );
      }
      const { verifyEpoch, VerifyError } = await import("@merit/clients/verify");
      const epoch = BigInt(o.epoch);
      // Progress goes to a terminal only: piped or redirected, stderr stays quiet.
      const tty = process.stderr.isTTY;
      const progress = (step: string) => {
        if (tty) process.stderr.write(`\r\x1b[K… ${step}`);
      };
      const clear = () => {
        if (tty) process.stderr.write("\r\x1b[K");
      };
      try {
        const more = o.replay
          ? async (
              ctx: Parameters<NonNullable<Parameters<typeof verifyEpoch>[1]>>[0],
              checks: Parameters<NonNullable<Parameters<typeof verifyEpoch>[1]>>[1],
            ) => {
              const { replayChecks } = await import("../audit/replay.js");
              await replayChecks(
                {
                  rpc: o.rpc,
                  epoch,
                  manifestsDir: o.manifestsDir,
                  requestsPerSecond: Number(o.rps),
                  concurrency: Number(o.concurrency),
                  onProgress: progress,
                },
                ctx,
                checks,
              );
            }
          : undefined;
        const r = await verifyEpoch(
          {
            epoch,
            rpc: o.rpc,
            dataset: o.dataset,
            manifest: o.manifest,
            previousDataset: o.previousDataset,
            distributor: o.distributor,
            full: o.full,
            onProgress: progress,
            onCheck: (c) => {
              clear();
              if (!o.json) write(`${MARK[c.status]}  ${c.id.padEnd(14)} ${c.detail}`);
            },
          },
          more,
        );
        clear();
        if (!o.replay && !o.json) write(`skip  ${"replay".padEnd(14)} not asked (--replay)`);
        if (o.json) write(JSON.stringify(r, null, 2));
        else if (r.ok) write(`verified: epoch ${r.epoch} of ${r.distributor} (${r.rootStatus}) passes every check`);
        else {
          const f = r.firstFailure!;
          write(`MISMATCH in ${f.check}: ${f.claimant ? `claimant ${f.claimant}, ` : ""}${f.field}: expected ${f.expected}, got ${f.got}`);
        }
        if (!r.ok) checkFailed();
      } catch (err) {
        clear();
        if (err instanceof VerifyError)
          throw err.kind === "rpc"
            ? new UpstreamError("rpc_unreachable", err.message, true, err)
            : new CallerError("bad_flags", err.message, err);
        throw err;
      }
    });
  return cmd;
}
