// Wallets through the Wallet Standard: every wallet that registers (Phantom, Solflare, Backpack, …)
// and offers `standard:connect` and `solana:signTransaction` is listed, with no adapter per wallet.
import { getWallets } from "@wallet-standard/app";
import type { Wallet, WalletAccount } from "@wallet-standard/base";

const CONNECT = "standard:connect";
const DISCONNECT = "standard:disconnect";
const SIGN = "solana:signTransaction";

type ConnectFeature = { [CONNECT]: { connect(input?: { silent?: boolean }): Promise<{ accounts: readonly WalletAccount[] }> } };
type DisconnectFeature = { [DISCONNECT]: { disconnect(): Promise<void> } };

export const canClaimWith = (w: Wallet): boolean => CONNECT in w.features && SIGN in w.features;

/** The usable wallets now and whenever one registers later; returns the unsubscribe. */
export function watchWallets(onChange: (wallets: Wallet[]) => void): () => void {
  const registry = getWallets();
  const emit = () => onChange(registry.get().filter(canClaimWith));
  emit();
  const offRegister = registry.on("register", emit);
  const offUnregister = registry.on("unregister", emit);
  return () => {
    offRegister();
    offUnregister();
  };
}

/** Asks the wallet to connect; the first account that can sign Solana transactions. */
export async function connect(wallet: Wallet): Promise<WalletAccount> {
  const { accounts } = await (wallet.features as ConnectFeature)[CONNECT].connect();
  const account = accounts.find((a) => a.features.includes(SIGN)) ?? wallet.accounts.find((a) => a.features.includes(SIGN));
  if (!account) throw new Error(`${wallet.name} shared no account that can sign Solana transactions`);
  return account;
}

export async function disconnect(wallet: Wallet): Promise<void> {
  await (wallet.features as Partial<DisconnectFeature>)[DISCONNECT]?.disconnect();
}

/** Genesis hashes of the public clusters; anything else is a local or private chain. */
const CLUSTERS: Record<string, string> = {
  "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d": "solana:mainnet",
  EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG: "solana:devnet",
  "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY": "solana:testnet",
};

export const chainOfGenesis = (genesisHash: string): string => CLUSTERS[genesisHash] ?? "solana:localnet";

/** Whether the account names Solana chains and none of them is the page's. */
export function wrongNetwork(account: WalletAccount, chain: string): boolean {
  const solana = account.chains.filter((c) => c.startsWith("solana:"));
  return solana.length > 0 && !solana.includes(chain as `${string}:${string}`);
}

/** A wallet's refusal to sign, as wallets report it (EIP-1193's 4001, or the words they use). */
export function isRejection(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  return e?.code === 4001 || /reject|denied|declined|cancel/i.test(`${String(e?.name)} ${String(e?.message)}`);
}

export function explorerUrl(signature: string, chain: string, rpc: string): string {
  const base = `https://explorer.solana.com/tx/${signature}`;
  if (chain === "solana:mainnet") return base;
  if (chain === "solana:devnet" || chain === "solana:testnet") return `${base}?cluster=${chain.slice(7)}`;
  return `${base}?cluster=custom&customUrl=${encodeURIComponent(rpc)}`;
}
