import { LiteSVM } from "litesvm";
import type { LiteSvm as InnerSvm } from "litesvm/dist/internal.js";
import { Chain } from "./chain.js";
import { defaultPrograms, loadPrograms, type ProgramSpec } from "./programs.js";
import { serve } from "./server.js";

/**
 * `merit localnet`: a development chain. A Solana JSON-RPC server (HTTP + WebSocket) in front of an
 * in-process litesvm, so everything that talks to a cluster through @solana/web3.js runs unchanged
 * against it. See docs/notes/localnet.md.
 */
export interface LocalnetOptions {
  /** 0 picks a free port (the WebSocket port is always port + 1). */
  port?: number;
  host?: string;
  slotMs?: number;
  /** Transactions per block before the slot advances on its own (default 64). */
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
  svm: LiteSVM;
  chain: Chain;
  stop(): Promise<void>;
  /** Moves chain time forward and/or skips slots; the Clock sysvar follows at once. */
  warp(opts: { seconds?: number; slots?: number }): void;
}

export type { ProgramSpec } from "./programs.js";
export { distributorProgramId } from "./programs.js";

/** litesvm's wrapper takes @solana/kit objects; the native instance underneath takes wire bytes. */
function innerOf(svm: LiteSVM): InnerSvm {
  const inner = (svm as unknown as { inner?: InnerSvm }).inner;
  if (!inner || typeof inner.sendVersionedTransaction !== "function") {
    throw new Error("litesvm internals changed: expected LiteSVM.inner with sendVersionedTransaction (litesvm 1.5)");
  }
  return inner;
}

export async function startLocalnet(opts: LocalnetOptions = {}): Promise<Localnet> {
  const log = opts.log ?? (() => {});
  const host = opts.host ?? "127.0.0.1";
  const svm = new LiteSVM();
  loadPrograms(svm, [...defaultPrograms(log), ...(opts.programs ?? [])], log);
  const chain = new Chain(svm, innerOf(svm), { slotMs: opts.slotMs ?? 400, maxTxPerSlot: opts.maxTxPerSlot ?? 64, log });
  if (opts.historyFile) {
    const t0 = performance.now();
    const { replayed, mismatched } = chain.attachLedger(opts.historyFile);
    log(`history ${opts.historyFile}: ${replayed} transactions replayed in ${Math.round(performance.now() - t0)} ms` +
      (mismatched > 0 ? `, ${mismatched} with a different outcome (programs changed since they ran?)` : ""));
  }
  const server = await serve(chain, { port: opts.port ?? 0, host, log });
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${server.port}`,
    wsUrl: `ws://${urlHost}:${server.port + 1}`,
    svm,
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
