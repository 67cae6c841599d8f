import { createHelius, type CreateWebhookRequest } from "@merit/helius-sdk";
import { CallerError, UpstreamError } from "../../errors.js";

/**
 * Create or update the Helius webhook that delivers our watched addresses to POST /webhooks/helius,
 * with helius-sdk's webhook client (getAll, create, update). helius-sdk 3.2 needs @solana/kit 6
 * and litesvm kit 8, so it lives in its own npm workspace (indexer/helius-sdk) with its own kit.
 * Idempotent: the webhook whose URL equals ours is updated in place, never duplicated.
 */
export interface RegisterOptions {
  apiKey: string;
  webhookUrl: string;
  addresses: readonly string[];
  authHeader: string;
  webhookType: "raw" | "enhanced" | "rawDevnet" | "enhancedDevnet";
  apiUrl?: string;
}

export interface RegisterResult {
  action: "created" | "updated" | "unchanged";
  webhookID: string;
}

/** Helius caps one webhook at 100,000 addresses. */
const MAX_ADDRESSES = 100_000;

/** helius-sdk 3.2 builds its webhook URLs on this host and calls the global fetch. */
const SDK_HOST = "https://api-mainnet.helius-rpc.com";
const TIMEOUT_MS = 30_000;

/**
 * Runs helius-sdk calls with the global fetch wrapped: every request gets a timeout (the SDK sets
 * none), and with `apiUrl` (HELIUS_API_URL: a proxy, or the stand-in the tests run) requests to the
 * SDK's host go there instead. The register command is a one-shot process that does nothing else
 * meanwhile, so the global is restored before anything else could see it.
 */
async function withSdkFetch<T>(opts: RegisterOptions, f: () => Promise<T>): Promise<T> {
  const real = globalThis.fetch;
  const target = opts.apiUrl ? new URL(opts.apiUrl) : undefined;
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (target && url.origin === SDK_HOST) {
      url.protocol = target.protocol;
      url.host = target.host;
    }
    return real(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(TIMEOUT_MS) });
  }) as typeof fetch;
  try {
    return await f();
  } finally {
    globalThis.fetch = real;
  }
}

/** helius-sdk reports "HTTP error! status: N - body" and "Helius error: ..."; the rest is the network. */
function typedError(err: unknown, what: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  const http = /HTTP error! status: (\d+)(?: - )?([\s\S]*)/.exec(message);
  if (http) {
    const status = Number(http[1]);
    if (status === 401 || status === 403) return new CallerError("helius_auth", `Helius API refused the API key (HTTP ${status})`);
    return new UpstreamError(
      "helius_api_error",
      `Helius API ${what}: HTTP ${status} ${http[2]!.slice(0, 300)}`,
      status === 429 || status >= 500,
      err,
    );
  }
  if (err instanceof SyntaxError) return new UpstreamError("helius_garbage", `Helius API ${what}: response is not JSON`, true, err);
  if (message.startsWith("Helius error"))
    return new UpstreamError("helius_api_error", `Helius API ${what}: ${message.slice(0, 300)}`, false, err);
  return new UpstreamError("helius_unreachable", `Helius API ${what}: ${message}`, true, err);
}

async function call<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw typedError(err, what);
  }
}

const sameSet = (a: readonly string[] = [], b: readonly string[] = []) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

export async function registerHeliusWebhook(opts: RegisterOptions): Promise<RegisterResult> {
  if (opts.addresses.length === 0) throw new CallerError("no_addresses", "no watched addresses to register");
  if (opts.addresses.length > MAX_ADDRESSES)
    throw new CallerError("too_many_addresses", `${opts.addresses.length} addresses exceed Helius's ${MAX_ADDRESSES} per webhook`);
  if (!opts.webhookUrl.startsWith("https://"))
    throw new CallerError("webhook_url_not_https", "Helius only delivers to a public https:// URL");
  const wanted: CreateWebhookRequest = {
    webhookURL: opts.webhookUrl,
    // Raw webhooks ignore types; enhanced ones must not be filtered to e.g. TRANSFER, because an
    // x402 settlement inside a swap or a program call is still a settlement for us.
    transactionTypes: ["ANY"],
    accountAddresses: [...opts.addresses],
    webhookType: opts.webhookType,
    authHeader: opts.authHeader,
  };
  const webhooks = createHelius({ apiKey: opts.apiKey }).webhooks;
  return withSdkFetch(opts, async () => {
    const existing = (await call("GET /v0/webhooks", () => webhooks.getAll())).find((w) => w.webhookURL === opts.webhookUrl);
    if (!existing) {
      const created = await call("POST /v0/webhooks", () => webhooks.create(wanted));
      return { action: "created", webhookID: created.webhookID } as const;
    }
    // The list does not echo authHeader, so an unchanged-looking webhook is still updated when we
    // cannot tell; only identical addresses, type and types are skipped (saves 100 credits).
    if (
      sameSet(existing.accountAddresses, wanted.accountAddresses) &&
      existing.webhookType === wanted.webhookType &&
      sameSet(existing.transactionTypes, wanted.transactionTypes) &&
      existing.authHeader === opts.authHeader
    ) {
      return { action: "unchanged", webhookID: existing.webhookID } as const;
    }
    await call(`PUT /v0/webhooks/${existing.webhookID}`, () => webhooks.update(existing.webhookID, wanted));
    return { action: "updated", webhookID: existing.webhookID } as const;
  });
}
