import type { ApiClient, WalletHistory, WalletInfo } from "@merit/clients/api";
import { Command, InvalidArgumentError } from "commander";
import { env } from "../env.js";
import { CallerError, UpstreamError } from "../errors.js";
import { formatPoints } from "../scoring/points/math.js";
import { json, out } from "./admin.js";
import { progress } from "./context.js";
import { loadKeypair } from "./distributor.js";

/**
 * The wallet holder's commands: `status <wallet>` and `history <wallet>` read merit's HTTP API
 * through its typed client; `claim --keypair <file>` runs the client library's claim(). They need
 * no database: only the API (the daemon's by default) and, to claim, an RPC endpoint. Token amounts
 * print in the mint's base units (the API does not give the mint's decimals); points as points.
 * The help lists this group first: wallet holders are the most numerous users.
 */
export function addWalletCommands(program: Command): void {
  program.addCommand(statusCommand());
  program.addCommand(claimCommand());
  program.addCommand(historyCommand());
}

const API_HELP = "merit's HTTP API (default: the daemon's, http://API_HOST:API_PORT)";
const UNKNOWN_HELP =
  "A wallet merit knows nothing of is not an error: the command says it is not eligible and exits 0 (--json: known false).";

/** The daemon's API address; a wildcard listen address is reached on loopback. */
export function defaultApiUrl(): string {
  const { API_HOST, API_PORT } = env();
  const host = API_HOST === "0.0.0.0" || API_HOST === "::" || API_HOST === "" ? "127.0.0.1" : API_HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${API_PORT}`;
}

/** The RPC the daemon uses: RPC_URL, else the development chain it starts on LOCALNET_PORT. */
export function defaultRpcUrl(): string {
  const e = env();
  return e.RPC_URL ?? `http://127.0.0.1:${e.LOCALNET_PORT}`;
}

function httpUrl(v: string, flag: string): string {
  if (!/^https?:\/\/[^\s]+$/.test(v)) throw new CallerError("bad_flags", `${flag} "${v}" is not an http(s) URL`);
  return v;
}

async function address(v: string, what: string): Promise<string> {
  const { decodeKey58 } = await import("@merit/clients/merkle");
  if (!decodeKey58(v)) throw new CallerError("bad_address", `${what} "${v}" is not a Solana address (32 bytes in base58)`);
  return v;
}

const pageSize = (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 500) throw new InvalidArgumentError(`"${v}" is not a number from 1 to 500`);
  return Number(v);
};

/**
 * One request to the API, its failures as merit's errors: a wallet merit does not know is
 * `undefined` (the caller says so); the API down or not answering is a service unavailable, with
 * what to check.
 */
async function fromApi<T>(api: string, f: () => Promise<T>): Promise<T | undefined> {
  const { ApiNetworkError, ApiNotFoundError, ApiRequestError, ApiUnavailableError } = await import("@merit/clients/api");
  try {
    return await f();
  } catch (err) {
    if (err instanceof ApiNotFoundError) {
      if (err.code === "unknown_wallet") return undefined;
      throw new CallerError(
        err.code === "unknown_distributor" ? "unknown_distributor" : "bad_flags",
        err.body?.message ?? err.message,
        err,
      );
    }
    if (err instanceof ApiNetworkError)
      throw new UpstreamError(
        "api_unreachable",
        `merit's API did not answer at ${api} (${innermost(err)}): is the daemon running (\`merit start\`)? Otherwise pass --api <url>`,
        true,
        err,
      );
    if (err instanceof ApiUnavailableError)
      throw new UpstreamError(
        "api_unavailable",
        `merit's API at ${api} is up but its database or RPC is not (${err.body?.message ?? "503"}); check the daemon's log or ${api}/readyz`,
        true,
        err,
      );
    if (err instanceof ApiRequestError && err.status === 400) throw new CallerError("bad_flags", err.body?.message ?? err.message, err);
    if (err instanceof ApiRequestError && err.status === 429)
      throw new UpstreamError(
        "api_unavailable",
        `merit's API at ${api} is rate-limiting this address: ${err.body?.message ?? ""}`,
        true,
        err,
      );
    throw err;
  }
}

/** The socket's own words ("connect ECONNREFUSED …") under fetch's "fetch failed". */
function innermost(err: Error): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return (e as Error).message;
}

async function client(api: string): Promise<ApiClient> {
  const { apiClient } = await import("@merit/clients/api");
  return apiClient(api);
}

const notEligible = (wallet: string) =>
  `${wallet}: not eligible — merit has no points, epochs or allocation for this wallet (no settlement of it has been scored)`;

function unknownJson(wallet: string) {
  return { wallet, known: false, error: "unknown_wallet", message: notEligible(wallet) };
}

const when = (iso: string | null, none: string) => iso ?? none;

function statusLines(w: WalletInfo): string[] {
  const units = w.mint ? `base units of mint ${w.mint}` : "base units";
  const lines = [
    `wallet       ${w.wallet}`,
    `distributor  ${w.distributor ?? "none configured yet"}`,
    `points       ${formatPoints(w.points.total)} total, ${formatPoints(w.points.pendingInOpenEpoch)} earned in the open epoch (not in any root yet)`,
    `tier         ${w.tier ?? "none"} (rolling volume ${formatVolume(w.rollingVolume)}${w.tierWindowDays ? ` over ${w.tierWindowDays} days` : ""})`,
    `tokens, in ${units}:`,
    `  allocated  ${w.cumulative}${w.activeEpoch ? ` (cumulative, as of active epoch ${w.activeEpoch})` : " (no active root yet)"}`,
    `  claimed    ${w.claimed} (on-chain)`,
    `  claimable  ${w.claimable}${w.claimable > 0n ? " (claim it with `merit claim --keypair <file>`)" : ""}`,
    w.pending
      ? `  pending    ${w.pending.amount} more in epoch ${w.pending.epoch}, claimable from ${w.pending.activatesAt}`
      : "  pending    none",
    `next close   ${when(w.nextEpochCloseAt, "not scheduled")}`,
    `claims end   ${when(w.claimExpiresAt, "never")}`,
    `as of        ${w.updatedAt} (slot ${w.slot})`,
  ];
  return lines;
}

/** Rolling volume is in micro-units (6 decimals) of the settlement token. */
function formatVolume(micro: bigint): string {
  const frac = (micro % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${micro / 1_000_000n}${frac ? `.${frac}` : ""}`;
}

function statusCommand(): Command {
  return new Command("status")
    .description("a wallet's points, tier, and tokens allocated, claimed, claimable and pending (from merit's API)")
    .argument("<wallet>", "the wallet's address")
    .option("--api <url>", API_HELP)
    .option("--distributor <address>", "which distributor (default: the API's)")
    .option("--json", "print the API's answer as JSON (amounts as decimal strings)")
    .addHelpText(
      "after",
      `\nToken amounts are in the mint's base units; points in points (3 decimals).\n${UNKNOWN_HELP}\nExit 3: the API is unreachable or its database or RPC is down.`,
    )
    .action(async (wallet: string, o: { api?: string; distributor?: string; json?: boolean }) => {
      await address(wallet, "the wallet");
      if (o.distributor) await address(o.distributor, "--distributor");
      const api = o.api ? httpUrl(o.api, "--api") : defaultApiUrl();
      const w = await fromApi(api, async () => (await client(api)).wallet(wallet, { distributor: o.distributor }));
      if (!w) return out(o.json ? json(unknownJson(wallet)) : notEligible(wallet));
      if (o.json) return out(json({ known: true, ...w }));
      for (const line of statusLines(w)) out(line);
    });
}

type HistoryRow = WalletHistory["rows"][number];

/** Every page of CSV from `Accept: text/csv`, its header once; the cursor comes in X-Next-Cursor. */
async function historyCsv(api: string, wallet: string, limit: number, all: boolean): Promise<string | undefined> {
  const { ApiNetworkError, ApiNotFoundError, ApiRequestError, ApiUnavailableError } = await import("@merit/clients/api");
  let text = "";
  let cursor: string | null | undefined;
  do {
    const url = `${api.replace(/\/+$/, "")}/v1/wallets/${wallet}/history?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`;
    const res = await fromApi(api, async () => {
      let r: Response;
      try {
        r = await fetch(url, { headers: { accept: "text/csv" }, signal: AbortSignal.timeout(10_000) });
      } catch (cause) {
        throw new ApiNetworkError(`merit API unreachable at ${api}`, undefined, undefined, { cause });
      }
      if (r.ok) return r;
      const body = (await r.json().catch(() => undefined)) as { error: string; message: string } | undefined;
      const E = r.status === 404 ? ApiNotFoundError : r.status === 503 ? ApiUnavailableError : ApiRequestError;
      throw new E(`GET ${url}: HTTP ${r.status}`, r.status, body);
    });
    if (!res) return cursor === undefined ? undefined : text;
    const page = await res.text();
    text += cursor === undefined ? page : page.slice(page.indexOf("\n") + 1);
    cursor = all ? res.headers.get("x-next-cursor") : null;
  } while (cursor);
  return text;
}

function historyLine(r: HistoryRow): string {
  const why = [
    r.campaignId && `campaign ${r.campaignId}`,
    r.ruleId && `rule ${r.ruleId}`,
    r.referralPath && `referral via ${r.referralPath.join(" → ")}`,
    r.settlementId && `settlement ${r.settlementId}`,
    r.eventId && `event ${r.eventId}`,
    r.note && `note: ${r.note}`,
  ].filter(Boolean);
  const delta = `${r.delta >= 0n ? "+" : ""}${formatPoints(r.delta)}`;
  return `${r.occurredAt}  ${delta.padStart(14)}  ${r.reason.padEnd(10)}  ${why.join(", ")}`;
}

function historyCommand(): Command {
  return new Command("history")
    .description("a wallet's points ledger, newest first, with the reason of every row (from merit's API)")
    .argument("<wallet>", "the wallet's address")
    .option("--api <url>", API_HELP)
    .option("--limit <n>", "rows per page (1 to 500)", pageSize, 50)
    .option("--all", "every row: follow the API's cursor to the first one")
    .option("--csv", "CSV as the API exports it (Accept: text/csv)")
    .option("--json", "print the rows as JSON (points in millipoints, as the API gives them)")
    .addHelpText("after", `\nPoints print as points (3 decimals); --json and --csv keep the API's millipoints.\n${UNKNOWN_HELP}`)
    .action(async (wallet: string, o: { api?: string; limit: number; all?: boolean; csv?: boolean; json?: boolean }) => {
      await address(wallet, "the wallet");
      if (o.csv && o.json) throw new CallerError("bad_flags", "--csv and --json exclude each other: pick one format");
      const api = o.api ? httpUrl(o.api, "--api") : defaultApiUrl();
      if (o.csv) {
        const csv = await historyCsv(api, wallet, o.limit, !!o.all);
        if (csv === undefined) process.stderr.write(`${notEligible(wallet)}\n`);
        else process.stdout.write(csv);
        return;
      }
      const c = await client(api);
      const rows: HistoryRow[] = [];
      let cursor: string | undefined;
      let next: string | null = null;
      do {
        const page = await fromApi(api, () => c.history(wallet, { cursor, limit: o.limit }));
        if (!page) return out(o.json ? json(unknownJson(wallet)) : notEligible(wallet));
        rows.push(...page.rows);
        next = page.nextCursor;
        cursor = next ?? undefined;
        if (o.all && next) progress(`history: ${rows.length} rows so far`);
      } while (o.all && next);
      if (o.json) return out(json({ known: true, wallet, unit: "millipoint", rows, nextCursor: next }));
      for (const r of rows) out(historyLine(r));
      if (next) out(`… older rows: --all (or --limit up to 500)`);
    });
}

interface ClaimFlags {
  keypair: string;
  to?: string;
  api?: string;
  shards?: string;
  rpc?: string;
  distributor?: string;
  json?: boolean;
}

function claimCommand(): Command {
  return new Command("claim")
    .description("claim a wallet's tokens: proof from the API (or the proof shards), verified, signed with --keypair, sent")
    .requiredOption(
      "--keypair <file>",
      "the wallet's keypair file (a JSON array of 64 bytes, as solana-keygen writes it); it signs and pays the fee",
    )
    .option("--to <wallet>", "pay another wallet instead: claim and transfer in one transaction (moving away from a compromised key)")
    .option("--api <url>", `${API_HELP}; its proof is asked first`)
    .option("--shards <url|dir>", "the epoch's proof shards, {epoch} (and {distributor}) filled in: used when the API does not answer")
    .option("--rpc <url>", "Solana JSON-RPC endpoint (default: RPC_URL, else the development chain on LOCALNET_PORT)")
    .option("--distributor <address>", "the distributor (default: the one the API names; required with the shards alone)")
    .option("--json", "print the result as JSON (amounts as decimal strings)")
    .addHelpText(
      "after",
      "\nAmounts are in the mint's base units. Exit 2: nothing to claim, not eligible, or a claim the program refuses (the sentence says why);\n3: the API, the shards or the RPC did not answer, or claims are paused: try again later.",
    )
    .action(async (o: ClaimFlags) => {
      const api = o.api ? httpUrl(o.api, "--api") : defaultApiUrl();
      const rpc = o.rpc ? httpUrl(o.rpc, "--rpc") : defaultRpcUrl();
      const keypair = await loadKeypair(o.keypair);
      if (o.to) await address(o.to, "--to");
      if (o.distributor) await address(o.distributor, "--distributor");
      const [{ Connection, PublicKey }, { claim, ClaimSigner }] = await Promise.all([
        import("@solana/web3.js"),
        import("@merit/clients/claim"),
      ]);
      const programId = env().MERIT_PROGRAM_ID;
      const r = await claim({
        wallet: keypair.publicKey,
        signer: ClaimSigner.fromKeypair(keypair),
        connection: new Connection(rpc, "confirmed"),
        api,
        shardsUrl: o.shards,
        distributor: o.distributor,
        recipient: o.to,
        programId: programId ? new PublicKey(programId) : undefined,
        onStep: (step, detail) => progress(`claim: ${step}: ${detail}`),
      });
      const result = {
        wallet: keypair.publicKey.toBase58(),
        amount: r.amount,
        epoch: r.epoch,
        cumulativeClaimed: r.cumulativeClaimed,
        recipient: r.recipient.toBase58(),
        recipientTokenAccount: r.recipientTokenAccount.toBase58(),
        signature: r.signature,
        activated: r.activated,
        proofSource: r.proofSource,
        attempts: r.attempts,
      };
      if (o.json) return out(json(result));
      out(`claimed ${r.amount} (base units) under epoch ${r.epoch} to ${result.recipient}`);
      out(`  token account       ${result.recipientTokenAccount}`);
      out(`  signature           ${r.signature}`);
      out(`  claimed in total    ${r.cumulativeClaimed} (base units)`);
      out(`  proof from          ${r.proofSource === "api" ? api : o.shards}`);
      if (r.activated.length > 0) out(`  activated epochs    ${r.activated.join(", ")}`);
    });
}
