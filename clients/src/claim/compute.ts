// The compute budget of a claim transaction, from what the claimant's transaction will run. The
// figures are measured in litesvm with the committed program (tests/claim-compute.test.ts asserts
// each part stays under its allowance); the limit is their sum plus a margin, so a claim is never
// cut off and the fee payer never reserves far more than it uses.

/** What the transaction contains. */
export interface ClaimComputeShape {
  /** Siblings in the proof. */
  depth: number;
  /** The claimant's ClaimStatus PDA bump (255 for half of all wallets). */
  bump: number;
  /** The ClaimStatus does not exist yet (a first claim creates it and checks its address). */
  firstClaim: boolean;
  token2022: boolean;
  /** activate_root instructions prepended. */
  activations: number;
  /** Token accounts created (idempotently) because they were missing: the claimant's, the recipient's. */
  createdTokenAccounts: number;
  /** Token accounts included with create-idempotent although they existed (a no-op that still runs). */
  existingTokenAccountChecks: number;
  /** A transfer_checked to another recipient after the claim. */
  transfer: boolean;
}

/** Allowances per part (each at or above its measured cost). */
export const CLAIM_CU = Object.freeze({
  /** The claim instruction at depth 0, bump 255, a repeat claim, SPL Token CPI included. */
  claimBase: 3_400,
  /** Added by Token-2022's transfer_checked over SPL Token's. */
  token2022Transfer: 2_000,
  /** Creating the ClaimStatus (system CPI, rent). */
  firstClaim: 1_600,
  /** One proof level: a 64-byte sha256 and the loop. */
  perLevel: 200,
  /** Each ClaimStatus bump below 255: one sha256 and one curve check. */
  perBumpBelow255: 340,
  activateRoot: 1_000,
  /** Associated Token Account creation, SPL Token mint. */
  createTokenAccount: 25_000,
  /** The same for a Token-2022 mint (its account-size query and immutable-owner extension). */
  createTokenAccount2022: 30_000,
  existingTokenAccount: 4_000,
  transfer: 6_500,
  transfer2022: 8_500,
  /** Each compute-budget instruction. */
  computeBudgetIx: 150,
});

/** Proportional headroom over the sum. */
export const CLAIM_CU_MARGIN_PERCENT = 10n;

/** The compute unit limit for a claim transaction of this shape. */
export function claimComputeUnits(s: ClaimComputeShape): number {
  const c = CLAIM_CU;
  let sum =
    c.claimBase +
    (s.token2022 ? c.token2022Transfer : 0) +
    (s.firstClaim ? c.firstClaim + c.perBumpBelow255 * (255 - s.bump) : 0) +
    c.perLevel * s.depth +
    c.activateRoot * s.activations +
    (s.token2022 ? c.createTokenAccount2022 : c.createTokenAccount) * s.createdTokenAccounts +
    c.existingTokenAccount * s.existingTokenAccountChecks +
    (s.transfer ? (s.token2022 ? c.transfer2022 : c.transfer) : 0) +
    c.computeBudgetIx;
  sum += Number((BigInt(sum) * CLAIM_CU_MARGIN_PERCENT) / 100n);
  return sum;
}
