import { createRequire } from "node:module";
import type { LiteSVM } from "litesvm";
import { LiteSvm as InnerSvm } from "litesvm/dist/internal.js";
import { Chain } from "./chain.js";
import { LedgerFile, usableSnapshot } from "./ledger-file.js";
import { defaultPrograms, loadPrograms, type ProgramSpec } from "./programs.js";
import { serve } from "./server.js";

/**
 * `merit localnet`: a development chain. A Solana JSON-RPC server (HTTP + WebSocket) in front of an
 * in-process litesvm, so everything that talks to a cluster through @solana/web3.js runs unchanged
 * against it. See docs/localnet.md.
 */
export interface LocalnetOptions {
  /** 0 picks a free port (the WebSocket port is always port + 1). */
  port?: number;
  host?: string;
  slotMs?: number;
  /** Transactions per block before the slot advances on its own (default 256). */
  maxTxPerSlot?: number;
  /** Append-only history: replayed on start, so a restarted localnet keeps its state and history. */
  historyFile?: string;
  /** Programs to load in addition to the distributor (loaded when its .so exists). */
  programs?: ProgramSpec[];
  log?: (line: string) => void;
}

export interface Localnet {
  url: string;
  wsUrl: string;
  /**
   * The chain's litesvm, for tests that set up state directly. Changes made through it bypass the
   * history file (they are not replayed on restart) and the subscriptions.
   */
  svm: LiteSVM;
  chain: Chain;
  stop(): Promise<void>;
  /** Moves chain time forward and/or skips slots; the Clock sysvar follows at once. */
  warp(opts: { seconds?: number; slots?: number }): void;
}

export type { ProgramSpec } from "./programs.js";
export { removeHistory } from "./ledger-file.js";
export { distributorProgramId } from "./programs.js";

/**
 * litesvm's public class wraps the native instance and pulls in all of @solana/kit, a large part
 * of the start-up budget (docs/performance-history.md). The localnet drives the native instance with wire bytes and builds the wrapper only when
 * a caller asks for `svm`, the same way `LiteSVM.default()` swaps in its instance.
 */
function wrap(inner: InnerSvm): LiteSVM {
  const { LiteSVM: Wrapper } = createRequire(import.meta.url)("litesvm") as typeof import("litesvm");
  const svm = Object.create(Wrapper.prototype) as { inner: InnerSvm };
  svm.inner = inner;
  return svm as unknown as LiteSVM;
}

export async function startLocalnet(opts: LocalnetOptions = {}): Promise<Localnet> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const ledger = opts.historyFile ? LedgerFile.open(opts.historyFile) : undefined;
  try {
    return await start(opts, log, t0, ledger);
  } catch (err) {
    ledger?.file.close(); // releases the history file's lock for the next attempt
    throw err;
  }
}

async function start(
  opts: LocalnetOptions,
  log: (line: string) => void,
  t0: number,
  ledger: ReturnType<typeof LedgerFile.open> | undefined,
): Promise<Localnet> {
  const host = opts.host ?? "127.0.0.1";
  const snapshot = ledger && usableSnapshot(opts.historyFile!, ledger.lines);
  const inner = snapshot ? InnerSvm.loadFromFile(snapshot.file) : new InnerSvm();
  // Programs load after a snapshot too: the current builds replace the ones it saved.
  loadPrograms(inner, [...defaultPrograms(log), ...(opts.programs ?? [])], log);
  const slotMs = opts.slotMs ?? 400;
  const chain = new Chain(inner, { slotMs, maxTxPerSlot: opts.maxTxPerSlot ?? 256, log }, snapshot);
  if (ledger) {
    const { replayed, mismatched } = chain.attachLedger(ledger.file, ledger.lines, snapshot?.txCount ?? 0);
    log(
      `history ${opts.historyFile}: ${chain.history.size} transactions` +
        (snapshot ? `, state from snapshot ${snapshot.file}` : "") +
        `, ${replayed} replayed, in ${Math.round(performance.now() - t0)} ms` +
        (mismatched > 0 ? `; ${mismatched} replayed to a different outcome (programs changed since they ran?)` : ""),
    );
  }
  const server = await serve(chain, { port: opts.port ?? 0, host, slotMs, log });
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let svm: LiteSVM | undefined;
  return {
    url: `http://${urlHost}:${server.port}`,
    wsUrl: `ws://${urlHost}:${server.port + 1}`,
    get svm() {
      return (svm ??= wrap(inner));
    },
    chain,
    async stop() {
      await server.close();
      chain.close();
    },
    warp(w) {
      chain.warp(w);
    },
  };
}
