// Where the page finds merit's API, the chain's RPC and the static proof shards: `config.json`
// beside the page (the daemon serves one at /claim/config.json), overridden by the query
// (`?api=…&rpc=…&shards=…&distributor=…`), so the same files work from any static host.

export interface PageConfig {
  /** merit's API origin; default this page's origin (the daemon serves both). */
  api: string;
  /** A Solana JSON-RPC endpoint browsers may call; without one the page cannot read the chain. */
  rpc: string | undefined;
  /** Proof shards, `{epoch}` and `{distributor}` filled in: used when the API does not answer. */
  shards: string;
  /** The distributor's address; needed when the API is down (otherwise the API names it). */
  distributor: string | undefined;
  /** A wallet to show before one connects (read-only). */
  wallet: string | undefined;
}

type Raw = Partial<Record<keyof PageConfig, unknown>>;

const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

/** Relative URLs (`../shards/{epoch}`) resolve against the page; placeholders survive. */
function absolute(url: string, base: string): string {
  if (/^https?:\/\//i.test(url)) return url;
  const marked = url.replaceAll("{epoch}", "__EPOCH__").replaceAll("{distributor}", "__DISTRIBUTOR__");
  return new URL(marked, base).href.replaceAll("__EPOCH__", "{epoch}").replaceAll("__DISTRIBUTOR__", "{distributor}");
}

export function resolveConfig(file: Raw, query: URLSearchParams, page: string): PageConfig {
  const pick = (k: keyof PageConfig) => text(query.get(k)) ?? text(file[k]);
  const api = absolute(pick("api") ?? new URL(page).origin, page).replace(/\/+$/, "");
  const shards = pick("shards");
  return {
    api,
    rpc: pick("rpc") && absolute(pick("rpc")!, page),
    shards: shards ? absolute(shards, page) : `${api}/v1/epochs/{epoch}/shards`,
    distributor: pick("distributor"),
    wallet: pick("wallet"),
  };
}

export async function loadConfig(): Promise<PageConfig> {
  let file: Raw = {};
  try {
    const res = await fetch(new URL("config.json", window.location.href), { cache: "no-store" });
    if (res.ok) file = (await res.json()) as Raw;
  } catch {
    // no config.json beside the page: the query and the defaults decide
  }
  return resolveConfig(file, new URLSearchParams(window.location.search), window.location.href);
}
