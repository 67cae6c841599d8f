// The claim page: connect a Wallet Standard wallet, see what merit allocated it, claim it.
import { Connection, PublicKey } from "@solana/web3.js";
import type { Wallet, WalletAccount } from "@wallet-standard/base";
import { useEffect, useMemo, useState } from "preact/hooks";
import { apiClient } from "@merit/clients/api";
import { ClaimError, type ClaimResult, ClaimSigner, type ClaimStep, claim } from "@merit/clients/claim";
import type { PageConfig } from "./config.js";
import { points, short, tokens, when } from "./format.js";
import { loadView, type View, ViewError } from "./model.js";
import { chainOfGenesis, connect, disconnect, explorerUrl, isRejection, watchWallets, wrongNetwork } from "./wallets.js";

type Claiming =
  | { kind: "idle" }
  | { kind: "running"; step: string }
  | { kind: "done"; result: ClaimResult; url: string }
  | { kind: "failed"; rejected: boolean; title: string; message: string };

/** The page's one state, named in `data-state` (the tests and assistive text key on it). */
type PageState =
  | "loading"
  | "disconnected"
  | "no-rpc"
  | "wrong-network"
  | "unreachable"
  | "no-distributor"
  | "no-rewards"
  | "paused"
  | "expired"
  | "claimable"
  | "pending"
  | "nothing-new";

const STEP_WORDS: Record<ClaimStep, string> = {
  "fetch-proof": "Fetching your proof…",
  "read-chain": "Reading the distributor on-chain…",
  "verify-proof": "Checking the proof against the on-chain root…",
  sign: "Waiting for your wallet's signature…",
  send: "Sending the transaction…",
  confirm: "Waiting for confirmation…",
  retry: "The roots moved; trying again with a fresh proof…",
  done: "Done.",
};

function stateOf(
  view: View | undefined,
  error: ViewError | undefined,
  wrongNet: boolean,
  loading: boolean,
  address: string | undefined,
): PageState {
  if (error) return error.kind;
  if (wrongNet) return "wrong-network";
  if (!address) return "disconnected";
  if (!view) return "loading";
  if (!view.known) return "no-rewards";
  if (view.paused) return "paused";
  if (view.expired) return "expired";
  if (view.claimable > 0n) return "claimable";
  if (view.pending) return "pending";
  return loading ? "loading" : "nothing-new";
}

export function App({ cfg }: { cfg: PageConfig }) {
  const connection = useMemo(() => (cfg.rpc ? new Connection(cfg.rpc, "confirmed") : undefined), [cfg.rpc]);
  const api = useMemo(() => apiClient(cfg.api), [cfg.api]);
  const [chain, setChain] = useState<string>();
  const [wallets, setWallets] = useState<Wallet[]>([]);
  const [connected, setConnected] = useState<{ wallet: Wallet; account: WalletAccount }>();
  const [lookup, setLookup] = useState<string | undefined>(cfg.wallet);
  const [view, setView] = useState<View>();
  const [viewError, setViewError] = useState<ViewError>();
  const [loading, setLoading] = useState(false);
  const [claiming, setClaiming] = useState<Claiming>({ kind: "idle" });
  const [notice, setNotice] = useState<string>();

  const address = connected?.account.address ?? lookup;

  useEffect(() => watchWallets(setWallets), []);
  useEffect(() => {
    if (!connection) return;
    connection
      .getGenesisHash()
      .then((h) => setChain(chainOfGenesis(h)))
      .catch(() => setChain("solana:localnet"));
  }, [connection]);

  const refresh = async (wallet = address) => {
    if (!wallet) return;
    if (!connection) {
      setViewError(
        new ViewError(
          "no-rpc",
          "this page has no Solana RPC to read the chain: add ?rpc=https://… to its address, or an rpc entry to config.json",
        ),
      );
      return;
    }
    setLoading(true);
    try {
      const v = await loadView(cfg, api, connection, wallet);
      setView(v);
      setViewError(undefined);
    } catch (err) {
      setView(undefined);
      setViewError(err instanceof ViewError ? err : new ViewError("unreachable", (err as Error).message));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    setView(undefined);
    setViewError(undefined);
    setClaiming({ kind: "idle" });
    void refresh(address);
  }, [address]);

  // When a pending root's activation time comes, show it as claimable without a reload.
  useEffect(() => {
    if (!view?.pending) return;
    const ms = view.pending.activatesAt.getTime() - Date.now() + 2000;
    const t = setTimeout(() => void refresh(view.wallet), Math.max(ms, 2000));
    return () => clearTimeout(t);
  }, [view]);

  const wrongNet = !!(connected && chain && wrongNetwork(connected.account, chain));
  const state = stateOf(view, viewError, wrongNet, loading, address);

  const onConnect = async (wallet: Wallet) => {
    setNotice(undefined);
    try {
      const account = await connect(wallet);
      setConnected({ wallet, account });
    } catch (err) {
      setNotice(
        isRejection(err) ? `You declined the connection in ${wallet.name}.` : `${wallet.name} did not connect: ${(err as Error).message}`,
      );
    }
  };

  const onDisconnect = async () => {
    if (connected) await disconnect(connected.wallet).catch(() => {});
    setConnected(undefined);
    setLookup(undefined);
  };

  const onClaim = async () => {
    if (!connected || !connection || !view || !chain) return;
    setClaiming({ kind: "running", step: STEP_WORDS["fetch-proof"] });
    try {
      const signer = ClaimSigner.fromWalletStandard(connected.wallet, {
        account: connected.account,
        chain: chain as `${string}:${string}`,
      });
      const result = await claim({
        wallet: new PublicKey(connected.account.address),
        signer,
        connection,
        api: view.source === "api" ? cfg.api : undefined,
        shardsUrl: cfg.shards,
        distributor: view.distributor,
        commitment: "confirmed",
        onStep: (step) => setClaiming({ kind: "running", step: STEP_WORDS[step] }),
      });
      setClaiming({ kind: "done", result, url: explorerUrl(result.signature, chain, cfg.rpc!) });
      await refresh(connected.account.address);
    } catch (err) {
      if (isRejection(err)) {
        setClaiming({
          kind: "failed",
          rejected: true,
          title: "Signature declined",
          message: "You declined to sign in your wallet: nothing was sent and nothing was paid. Press Claim to try again.",
        });
      } else if (err instanceof ClaimError) {
        setClaiming({
          kind: "failed",
          rejected: false,
          title: "The claim did not go through",
          message: `${capital(err.sentence)} (${err.errorName}).`,
        });
        await refresh(connected.account.address);
      } else {
        setClaiming({ kind: "failed", rejected: false, title: "The claim did not go through", message: (err as Error).message });
      }
    }
  };

  const running = claiming.kind === "running";
  return (
    <>
      <header>
        <h1>Claim your merit rewards</h1>
        <p class="lede">
          Connect the wallet that earned the rewards. Your proof is checked against the on-chain root before your wallet is asked to sign.
        </p>
      </header>
      <main>
        <section aria-labelledby="wallet-heading">
          <h2 id="wallet-heading">Wallet</h2>
          {connected ? (
            <div class="connected">
              <p>
                Connected with {connected.wallet.name}: <code title={connected.account.address}>{connected.account.address}</code>
              </p>
              <button type="button" class="secondary" onClick={onDisconnect}>
                Disconnect
              </button>
            </div>
          ) : wallets.length > 0 ? (
            <ul class="wallets">
              {wallets.map((w) => (
                <li key={w.name}>
                  <button type="button" onClick={() => onConnect(w)}>
                    {w.icon && <img src={w.icon} alt="" width={24} height={24} />}
                    Connect {w.name}
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p data-notice="no-wallet">
              No Solana wallet found in this browser. Install one that supports the Wallet Standard (Phantom, Solflare, Backpack, …) and
              reload this page.
            </p>
          )}
          {!connected && <Lookup initial={lookup} onLookup={setLookup} />}
          {notice && <p class="notice warn">{notice}</p>}
        </section>

        <section aria-labelledby="rewards-heading" aria-busy={loading}>
          <h2 id="rewards-heading">
            Rewards
            {address ? (
              <>
                {" "}
                of <code>{short(address)}</code>
              </>
            ) : null}
          </h2>
          {view?.source === "shards" && (
            <p class="notice warn" data-notice="api-down" role="status">
              <strong>Working without merit's API.</strong> {capital(view.apiDown ?? "merit's API does not answer")}: the amounts below come
              from the static proof shards and the chain itself, and claiming still works. Points, tier and history return when the API
              does.
            </p>
          )}
          <StateMessage state={state} view={view} error={viewError} />
          {view?.known && <Figures view={view} />}
          {view && state !== "no-rewards" && (
            <div class="actions">
              <button
                type="button"
                class="primary"
                onClick={onClaim}
                disabled={!connected || state !== "claimable" || running}
                aria-describedby="claim-help"
              >
                {running ? "Claiming…" : view.claimable > 0n ? `Claim ${tokens(view.claimable, view.decimals)} tokens` : "Claim"}
              </button>
              <button type="button" class="secondary" onClick={() => refresh()} disabled={loading || running}>
                Refresh
              </button>
              <p id="claim-help" class="help">
                {connected
                  ? "Your wallet shows the transaction before you sign it. It pays a small network fee."
                  : "Connect the wallet to claim."}
              </p>
            </div>
          )}
          <ClaimStatus claiming={claiming} decimals={view?.decimals ?? 0} />
        </section>

        {view?.epochs && view.epochs.length > 0 && <History view={view} />}
      </main>
      <footer>
        <p>
          API <code>{cfg.api}</code> · RPC <code>{cfg.rpc ?? "none"}</code>
          {chain ? ` (${chain})` : ""}
        </p>
      </footer>
    </>
  );
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function Lookup({ initial, onLookup }: { initial: string | undefined; onLookup: (a: string | undefined) => void }) {
  const [value, setValue] = useState(initial ?? "");
  const [error, setError] = useState<string>();
  return (
    <form
      class="lookup"
      onSubmit={(e) => {
        e.preventDefault();
        const v = value.trim();
        try {
          new PublicKey(v);
          setError(undefined);
          onLookup(v);
        } catch {
          setError("That is not a Solana address (base58, 32 to 44 characters).");
        }
      }}
    >
      <label for="lookup-address">Or look up any wallet address (read only)</label>
      <div class="row">
        <input
          id="lookup-address"
          name="address"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          autocomplete="off"
          spellcheck={false}
          aria-invalid={!!error}
          aria-describedby={error ? "lookup-error" : undefined}
        />
        <button type="submit" class="secondary">
          Look up
        </button>
      </div>
      {error && (
        <p id="lookup-error" class="field-error">
          {error}
        </p>
      )}
    </form>
  );
}

function StateMessage({ state, view, error }: { state: PageState; view: View | undefined; error: ViewError | undefined }) {
  const d = view?.decimals ?? 0;
  const messages: Record<PageState, [string, string] | undefined> = {
    loading: ["Loading…", "Reading merit's API and the chain."],
    disconnected: ["Connect a wallet", "Connect a wallet above, or look up an address, to see its rewards."],
    "no-rpc": ["No network configured", error?.message ?? ""],
    "wrong-network": [
      "Wrong network",
      `${capital(error?.message ?? "your wallet is on another network than this page")}. Switch your wallet (or the page's ?rpc=) to the network the rewards are on.`,
    ],
    unreachable: ["Cannot load your rewards", `${capital(error?.message ?? "")}. Try again in a moment.`],
    "no-distributor": ["Cannot load your rewards", `${capital(error?.message ?? "")}.`],
    "no-rewards": [
      "No rewards yet",
      "merit has no points or allocation for this wallet yet. Rewards appear here once its payments are scored and an epoch closes.",
    ],
    paused: ["Claims are paused", "The distributor's guardian has paused claims. Your allocation is kept; try again later."],
    expired: [
      "The claim window has closed",
      `Claims for this distributor ended${view?.claimExpiresAt ? ` on ${when(view.claimExpiresAt)}` : ""}: nothing can be claimed any more.`,
    ],
    claimable: ["Ready to claim", `${tokens(view?.claimable ?? 0n, d)} tokens are claimable now.`],
    pending: [
      "A new root is pending activation",
      view?.pending
        ? `${tokens(view.pending.amount, d)} more tokens become claimable on ${when(view.pending.activatesAt)}, when epoch ${view.pending.epoch}'s root activates.`
        : "",
    ],
    "nothing-new": [
      "Nothing new to claim",
      "You have claimed everything published for this wallet so far. New rewards appear after the next epoch closes.",
    ],
  };
  const [title, text] = messages[state] ?? ["", ""];
  const tone = ["claimable"].includes(state)
    ? "ok"
    : ["loading", "disconnected", "nothing-new", "pending"].includes(state)
      ? "info"
      : "warn";
  return (
    <div id="state" class={`notice ${tone}`} data-state={state} role="status" aria-live="polite">
      <p class="title">{title}</p>
      <p>{text}</p>
    </div>
  );
}

function Figures({ view }: { view: View }) {
  const d = view.decimals;
  return (
    <dl class="figures">
      <div>
        <dt>Points</dt>
        <dd data-figure="points">{view.points ? points(view.points.total) : "—"}</dd>
      </div>
      <div>
        <dt>Tier</dt>
        <dd data-figure="tier">{view.tier ?? "—"}</dd>
      </div>
      <div>
        <dt>Claimable now</dt>
        <dd data-figure="claimable">{tokens(view.claimable, d)}</dd>
      </div>
      <div>
        <dt>Pending</dt>
        <dd data-figure="pending">
          {view.pending ? (
            <>
              {tokens(view.pending.amount, d)} <span class="sub">from {when(view.pending.activatesAt)}</span>
            </>
          ) : (
            "0"
          )}
        </dd>
      </div>
      <div>
        <dt>Already claimed</dt>
        <dd data-figure="claimed">{tokens(view.claimed, d)}</dd>
      </div>
      <div>
        <dt>Allocated in total</dt>
        <dd data-figure="cumulative">{tokens(view.cumulative, d)}</dd>
      </div>
    </dl>
  );
}

function ClaimStatus({ claiming, decimals }: { claiming: Claiming; decimals: number }) {
  return (
    <div id="claim-status" aria-live="assertive" data-claim={claiming.kind}>
      {claiming.kind === "running" && <p class="notice info">{claiming.step}</p>}
      {claiming.kind === "done" && (
        <div class="notice ok" data-claim-result>
          <p class="title">Claimed {tokens(claiming.result.amount, decimals)} tokens</p>
          <p>
            Confirmed in transaction{" "}
            <a href={claiming.url} target="_blank" rel="noreferrer" data-signature={claiming.result.signature}>
              {short(claiming.result.signature)} <span class="sr-only">(opens the explorer)</span>
            </a>
            , epoch {claiming.result.epoch.toString()}, proof from{" "}
            {claiming.result.proofSource === "api" ? "merit's API" : "the static proof shards"}.
          </p>
        </div>
      )}
      {claiming.kind === "failed" && (
        <div class="notice error" data-claim-error={claiming.rejected ? "rejected" : "failed"} role="alert">
          <p class="title">{claiming.title}</p>
          <p>{claiming.message}</p>
        </div>
      )}
    </div>
  );
}

function History({ view }: { view: View }) {
  const d = view.decimals;
  return (
    <div class="history">
      <h2 id="history-heading">History by epoch</h2>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: at 375 px the table scrolls sideways, and keyboard users scroll it by focusing it */}
      <section class="table-wrap" aria-labelledby="history-heading" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">Epoch</th>
              <th scope="col">Status</th>
              <th scope="col">Points</th>
              <th scope="col">Tokens</th>
              <th scope="col">Closed</th>
            </tr>
          </thead>
          <tbody>
            {[...(view.epochs ?? [])].reverse().map((e) => (
              <tr key={e.epoch.toString()} data-epoch={e.epoch.toString()}>
                <th scope="row">{e.epoch.toString()}</th>
                <td>{e.status}</td>
                <td>{points(e.points)}</td>
                <td>{tokens(e.released, d)}</td>
                <td>{when(e.closedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
