import { CallerError, UpstreamError } from "../errors.js";

/**
 * Create or update the Helius webhook that delivers our watched addresses to POST /webhooks/helius,
 * through Helius's documented webhook REST API (GET/POST /v0/webhooks, PUT /v0/webhooks/{id}, on the host helius-sdk 3.2 uses,
 * `?api-key=`). helius-sdk offers the same calls but cannot be installed next to litesvm (peer
 * conflict on @solana/kit, see docs/ingest.md); these three requests are all we need.
 * Idempotent: the webhook whose URL equals ours is updated in place, never duplicated.
 */
export interface RegisterOptions {
  apiKey: string;
  webhookUrl: string;
  addresses: readonly string[];
  authHeader: string;
  webhookType: "raw" | "enhanced" | "rawDevnet" | "enhancedDevnet";
  apiUrl?: string;
  fetchImpl?: typeof fetch;
}

export interface HeliusWebhook {
  webhookID: string;
  webhookURL: string;
  accountAddresses?: string[];
  webhookType?: string;
  transactionTypes?: string[];
}

export interface RegisterResult {
  action: "created" | "updated" | "unchanged";
  webhookID: string;
}

/** Helius caps one webhook at 100,000 addresses. */
const MAX_ADDRESSES = 100_000;

async function request<T>(opts: RegisterOptions, method: string, path: string, body?: unknown): Promise<T> {
  const url = new URL(`/v0/webhooks${path}`, opts.apiUrl ?? "https://api-mainnet.helius-rpc.com");
  url.searchParams.set("api-key", opts.apiKey);
  let res: Response;
  try {
    res = await (opts.fetchImpl ?? fetch)(url, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (cause) {
    throw new UpstreamError("helius_unreachable", `Helius API ${method} ${path || "/"}: ${(cause as Error).message}`, true, cause);
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) throw new CallerError("helius_auth", `Helius API refused the API key (HTTP ${res.status})`);
  if (!res.ok) throw new UpstreamError("helius_api_error", `Helius API ${method} ${path || "/"}: HTTP ${res.status} ${text.slice(0, 300)}`, res.status === 429 || res.status >= 500);
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new UpstreamError("helius_garbage", `Helius API ${method} ${path || "/"}: response is not JSON`, true, cause);
  }
}

const sameSet = (a: readonly string[] = [], b: readonly string[] = []) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

export async function registerHeliusWebhook(opts: RegisterOptions): Promise<RegisterResult> {
  if (opts.addresses.length === 0) throw new CallerError("no_addresses", "no watched addresses to register");
  if (opts.addresses.length > MAX_ADDRESSES) throw new CallerError("too_many_addresses", `${opts.addresses.length} addresses exceed Helius's ${MAX_ADDRESSES} per webhook`);
  if (!opts.webhookUrl.startsWith("https://")) throw new CallerError("webhook_url_not_https", "Helius only delivers to a public https:// URL");
  const wanted = {
    webhookURL: opts.webhookUrl,
    // Raw webhooks ignore types; enhanced ones must not be filtered to e.g. TRANSFER, because an
    // x402 settlement inside a swap or a program call is still a settlement for us.
    transactionTypes: ["ANY"],
    accountAddresses: [...opts.addresses],
    webhookType: opts.webhookType,
    authHeader: opts.authHeader,
  };
  const existing = (await request<HeliusWebhook[]>(opts, "GET", "")).find((w) => w.webhookURL === opts.webhookUrl);
  if (!existing) {
    const created = await request<HeliusWebhook>(opts, "POST", "", wanted);
    return { action: "created", webhookID: created.webhookID };
  }
  // The list does not echo authHeader, so an unchanged-looking webhook is still updated when we
  // cannot tell; only identical addresses, type and types are skipped (saves 100 credits).
  if (sameSet(existing.accountAddresses, wanted.accountAddresses) && existing.webhookType === wanted.webhookType && sameSet(existing.transactionTypes, wanted.transactionTypes) && "authHeader" in existing && (existing as { authHeader?: string }).authHeader === opts.authHeader) {
    return { action: "unchanged", webhookID: existing.webhookID };
  }
  await request<HeliusWebhook>(opts, "PUT", `/${encodeURIComponent(existing.webhookID)}`, wanted);
  return { action: "updated", webhookID: existing.webhookID };
}
