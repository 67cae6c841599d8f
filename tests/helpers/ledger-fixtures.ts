import { ed25519 } from "@noble/curves/ed25519.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import bs58 from "bs58";
import { adoptReferrer, createReferralCode, requestReferral } from "../../indexer/src/accounts/referrals.js";
import type { Sql } from "../../indexer/src/db/connection.js";

/**
 * Test and benchmark helper: settlements as ingest would write them, with only the fields scoring
 * reads made explicit. Not used by the daemon.
 */
export interface SettlementSpec {
  slot: number | bigint;
  txIndex?: number;
  outerIndex?: number;
  innerIndex?: number;
  time?: Date | null;
  payer: string;
  payee: string;
  /** base units; with the default 6 decimals 1_000_000 = 1 unit of volume */
  amount: bigint;
  decimals?: number;
  mint?: string;
  memo?: string | null;
}

export const USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
let counter = 0;

export async function insertSettlements(sql: Sql, specs: readonly SettlementSpec[]): Promise<bigint[]> {
  if (specs.length === 0) return [];
  const n = (x: number | bigint) => String(x);
  const sig = specs.map((s) => `sig-${process.pid}-${++counter}-${n(s.slot)}-${s.txIndex ?? 0}`);
  const rows = await sql<{ id: bigint }[]>`
    insert into settlements (signature, outer_index, inner_index, slot, tx_index, block_time, mint, token_program, amount, decimals,
      payer, payee, source_account, destination_account, fee_payer, memo, source)
    select sig, outer_index, inner_index, slot, tx_index, block_time, mint, 'Tokenkeg', amount, decimals, payer, payee, payer, payee, payer, memo, 'replay'
    from unnest(${sig}::text[], ${specs.map((s) => n(s.outerIndex ?? 0))}::smallint[], ${specs.map((s) => n(s.innerIndex ?? -1))}::smallint[],
      ${specs.map((s) => n(s.slot))}::bigint[], ${specs.map((s) => n(s.txIndex ?? 0))}::int[],
      ${specs.map((s) => (s.time === null ? null : (s.time ?? new Date(Number(s.slot) * 400)).toISOString()))}::timestamptz[],
      ${specs.map((s) => s.mint ?? USDC)}::text[], ${specs.map((s) => s.amount.toString())}::numeric[], ${specs.map((s) => n(s.decimals ?? 6))}::smallint[],
      ${specs.map((s) => s.payer)}::text[], ${specs.map((s) => s.payee)}::text[], ${specs.map((s) => s.memo ?? null)}::text[])
      as x(sig, outer_index, inner_index, slot, tx_index, block_time, mint, amount, decimals, payer, payee, memo)
    returning id`;
  return rows.map((r) => r.id);
}

/** A Solana keypair that can sign challenges, for flow tests. */
export interface TestWallet {
  address: string;
  sign(message: string): string;
}

export function testWallet(): TestWallet {
  const sk = ed25519.utils.randomSecretKey();
  return { address: bs58.encode(ed25519.getPublicKey(sk)), sign: (m) => bs58.encode(ed25519.sign(utf8ToBytes(m), sk)) };
}

/** Runs the real signed-adoption flow: `referee` adopts `referrer`'s (new) code. */
export async function adopt(sql: Sql, referee: TestWallet, referrer: string): Promise<void> {
  const code = await createReferralCode(sql, { account: referrer });
  const c = await requestReferral(sql, { wallet: referee.address, code });
  await adoptReferrer(sql, { nonce: c.nonce, signature: referee.sign(c.message) });
}
