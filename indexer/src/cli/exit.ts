import type { ProgramErrorName } from "@merit/clients/chain";
import type { ClaimClientErrorName } from "@merit/clients/claim";
import { CommanderError } from "commander";
import { MeritError } from "../errors.js";
import { isDatabaseUnavailable } from "../ingest/store/persist.js";

/**
 * The one place where a command's outcome becomes an exit code, so scripts can branch on it:
 * 0 ok; 1 a check failed (verify found a mismatch, the ledger differs) or merit itself broke;
 * 2 bad input (flags, arguments, configuration, a claim or transaction the program refuses); 3 a
 * service is unavailable (database, RPC, Helius, merit's API, a proof source), where the same
 * command may succeed later.
 */
export const EXIT = { ok: 0, checkFailed: 1, badInput: 2, unavailable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A check ran and found a difference: the command has printed its report; the process ends with 1. */
export function checkFailed(): void {
  process.exitCode = EXIT.checkFailed;
}

/** The error, or one it wraps (fetch's "fetch failed" holds the socket error as its cause). */
function* chain(err: unknown): Generator<unknown> {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) yield e;
}

/** web3.js folds the socket's error into its own message ("failed to get info about account …: TypeError: fetch failed"). */
const NETWORK = /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up/;

/**
 * Which service did not answer: postgres.js raises the socket's error itself (the database); an
 * HTTP client (fetch, web3.js) wraps it or names it in its message (the RPC, Helius).
 */
function unavailable(err: unknown): "database" | "service" | undefined {
  if (isDatabaseUnavailable(err)) return "database";
  if ([...chain(err)].slice(1).some(isDatabaseUnavailable)) return "service";
  if (err instanceof Error && !(err instanceof MeritError) && NETWORK.test(err.message)) return "service";
  return undefined;
}

/**
 * claim()'s failures that the same command may get past later without any change: a proof source
 * or the cluster not answering, claims paused, roots still moving after claim()'s own retries.
 * Every other ClaimError is about this wallet or this input (not eligible, nothing to claim, a
 * claim the program refuses): bad input.
 */
const CLAIM_RETRY_LATER: ReadonlySet<string> = new Set<ClaimClientErrorName | ProgramErrorName>([
  "ProofSourceUnavailable",
  "NoClaimableRoot",
  "TransactionExpired",
  "Paused",
  "SysvarUnavailable",
  "RootSuperseded",
  "RootNotActive",
  "RootNotPending",
  "OutOfOrderActivation",
]);

/** claim()'s ClaimError, recognised by shape: loading the client library here would slow every command's start. */
type ClaimErrorShape = Error & { errorName: string };
function claimError(err: unknown): ClaimErrorShape | undefined {
  return err instanceof Error && err.name === "ClaimError" && typeof (err as Partial<ClaimErrorShape>).errorName === "string"
    ? (err as ClaimErrorShape)
    : undefined;
}

function claimExitCode(err: ClaimErrorShape): ExitCode {
  if (CLAIM_RETRY_LATER.has(err.errorName)) return EXIT.unavailable;
  // a send that failed because the RPC went away is an outage, not a refusal
  if (err.errorName === "TransactionFailed" && [...chain(err)].slice(1).some((e) => unavailable(e))) return EXIT.unavailable;
  return EXIT.badInput;
}

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  const claim = claimError(err);
  if (claim) return claimExitCode(claim);
  for (const e of chain(err)) {
    // the program refusing a transaction is an answer about the input (a wrong signer, a cap), not an outage
    if (e instanceof MeritError && e.code === "publish_rejected") return EXIT.badInput;
    if (e instanceof MeritError) return e.kind === "caller" ? EXIT.badInput : e.kind === "upstream" ? EXIT.unavailable : EXIT.checkFailed;
  }
  return unavailable(err) ? EXIT.unavailable : EXIT.checkFailed;
}

/**
 * What the user reads on stderr: one line saying what went wrong and what to do, or, for a bug, the
 * stack to report. Commander prints its own errors (and help) before throwing: nothing to add.
 */
export function errorReport(err: unknown): string | undefined {
  if (err instanceof CommanderError) return undefined;
  const code = exitCodeFor(err);
  const message = err instanceof Error ? err.message : String(err);
  // claim()'s sentences already say what to do
  if (claimError(err)) return `error: ${message}`;
  if (err instanceof MeritError && (err.kind === "caller" || err.code === "publish_rejected")) return `error: ${message}`;
  if (code === EXIT.unavailable) {
    const what =
      unavailable(err) === "database"
        ? `the database is unavailable (${(err as { code?: string }).code}): start it (or \`merit start\`), or check DATABASE_URL, and run the command again`
        : err instanceof MeritError
          ? `${message} (run the command again once the service answers)`
          : `${message}: the service did not answer; check it is up and its URL (--rpc, RPC_URL) is right, then run the command again`;
    return `error: ${what}`;
  }
  const stack = err instanceof Error ? (err.stack ?? message) : message;
  return `error: ${message}\nthis is a bug in merit, not in your input: please report it with the lines below\n${stack}`;
}

/** Ends the process for an error thrown by a command: the message, then the code. */
export function exitWithError(err: unknown): never {
  const report = errorReport(err);
  if (report) process.stderr.write(`${report}\n`);
  process.exit(exitCodeFor(err));
}
