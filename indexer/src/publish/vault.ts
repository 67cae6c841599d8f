import { PublicKey } from "@solana/web3.js";
import type { Connection } from "@solana/web3.js";
import type { MeritDistributorProgram } from "@merit/clients/idl";
import type { Sql } from "../db/connection.js";
import { type EpochRow, listDistributors, listEpochs } from "../epochs/queries.js";
import { vaultAlerts, vaultShortfall } from "../metrics/index.js";
import { type ChainView, offlineProgram, readChain } from "./chain.js";

/**
 * Vault monitoring: the vault must hold what claimants can still claim under the newest
 * non-vetoed root (its cumulative total minus everything claimed) plus what the next epoch is
 * expected to add, or claims will fail once that epoch activates. The publisher refuses a root the
 * vault cannot cover (proposalRefusals); this warns before it comes to that.
 */
export interface VaultCoverage {
  distributor: string;
  vaultBalance: bigint;
  /** newest non-vetoed root's cumulative total minus total claimed */
  outstanding: bigint;
  /** what the next epoch adds: a closed epoch not on-chain yet, else the last epoch's growth */
  nextExpected: bigint;
  nextSource: "closed_epoch" | "last_growth" | "none";
  required: bigint;
  /** 0 when covered */
  shortfall: bigint;
}

const onChain = (e: EpochRow) => e.status === "pending" || e.status === "active";

/** Pure: the coverage of one distributor from its chain view and its epochs as recorded here. */
export function vaultCoverage(chain: ChainView, epochs: readonly EpochRow[]): VaultCoverage {
  const d = chain.distributor;
  const outstanding = d.latestTotal > d.totalClaimed ? d.latestTotal - d.totalClaimed : 0n;
  const waiting = epochs.filter((e) => (e.status === "closed" || e.status === "proposed") && e.cumulativeTotal > d.latestTotal);
  let nextExpected = 0n;
  let nextSource: VaultCoverage["nextSource"] = "none";
  if (waiting.length > 0) {
    nextExpected = waiting.reduce((m, e) => (e.cumulativeTotal > m ? e.cumulativeTotal : m), 0n) - d.latestTotal;
    nextSource = "closed_epoch";
  } else {
    // Nothing closed yet: the next epoch is expected to grow the total as much as the last one did.
    const published = epochs.filter(onChain).sort((a, b) => (a.epoch < b.epoch ? -1 : 1));
    const last = published.at(-1);
    if (last) {
      const before = published.at(-2)?.cumulativeTotal ?? 0n;
      nextExpected = last.cumulativeTotal > before ? last.cumulativeTotal - before : 0n;
      nextSource = "last_growth";
    }
  }
  const required = outstanding + nextExpected;
  return {
    distributor: d.address.toBase58(),
    vaultBalance: chain.vaultBalance,
    outstanding,
    nextExpected,
    nextSource,
    required,
    shortfall: required > chain.vaultBalance ? required - chain.vaultBalance : 0n,
  };
}

export function coverageMessage(c: VaultCoverage): string {
  return `vault of ${c.distributor} is short by ${c.shortfall}: it holds ${c.vaultBalance}, claimants can still claim ${c.outstanding} and the next epoch is expected to add ${c.nextExpected} (${c.nextSource === "closed_epoch" ? "a closed epoch not yet on-chain" : "as much as the last epoch"}); fund the vault with at least ${c.shortfall} more`;
}

export interface VaultMonitorOptions {
  sql: Sql;
  connection: Connection;
  program?: MeritDistributorProgram;
  /** VAULT_ALERT_WEBHOOK_URL: receives a JSON POST when a distributor's vault becomes short */
  webhookUrl?: string;
  log: (line: string) => void;
  fetch?: typeof fetch;
}

/**
 * One check of every configured distributor: sets the gauge, logs a warning per short vault, and
 * posts to the webhook when a vault becomes short or its shortfall grows (not on every check, so
 * a short vault does not page every minute). `alerted` carries the last shortfall sent per distributor.
 */
export async function checkVaults(o: VaultMonitorOptions, alerted = new Map<string, bigint>()): Promise<VaultCoverage[]> {
  const program = o.program ?? offlineProgram(o.connection);
  const out: VaultCoverage[] = [];
  for (const d of await listDistributors(o.sql)) {
    const [chain, epochs] = await Promise.all([readChain(o.connection, program, new PublicKey(d.address)), listEpochs(o.sql, d.address)]);
    const c = vaultCoverage(chain, epochs);
    out.push(c);
    vaultShortfall.set({ distributor: c.distributor }, Number(c.shortfall));
    if (c.shortfall === 0n) {
      alerted.delete(c.distributor);
      continue;
    }
    vaultAlerts.inc({ distributor: c.distributor });
    o.log(`WARNING: ${coverageMessage(c)}`);
    const sent = alerted.get(c.distributor);
    if (o.webhookUrl && (sent === undefined || c.shortfall > sent)) {
      alerted.set(c.distributor, c.shortfall);
      await postAlert(o, c);
    }
  }
  return out;
}

/** A webhook that fails is logged, never fatal: the log and the metric still carry the warning. */
async function postAlert(o: VaultMonitorOptions, c: VaultCoverage): Promise<void> {
  const body = JSON.stringify({
    alert: "vault_short",
    message: coverageMessage(c),
    ...Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
    at: new Date().toISOString(),
  });
  try {
    const res = await (o.fetch ?? fetch)(o.webhookUrl!, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) o.log(`vault: alert webhook answered ${res.status}`);
  } catch (err) {
    o.log(`vault: alert webhook failed: ${(err as Error).message}`);
  }
}

/** Checks every `everyMs` until stopped; a failed check (chain or database down) is logged and retried next time. */
export function startVaultMonitor(o: VaultMonitorOptions & { everyMs?: number }): { stop: () => Promise<void> } {
  const alerted = new Map<string, bigint>();
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = checkVaults(o, alerted).catch((err: unknown) => o.log(`vault: check failed: ${(err as Error).message}`));
  };
  const timer = setInterval(tick, o.everyMs ?? 60_000);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
