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
  /** The claim names a due pending root, which it activates itself. */
  claimActivatesRoot: boolean;
  /** activate_root instructions prepended. */
  activations: number;
  /** The address bumps of the associated token accounts created because they were missing (the claimant's, the recipient's). */
  createdTokenAccountBumps: readonly number[];
  /** A transfer_checked to another recipient after the claim. */
  transfer: boolean;
}

/** Allowances per part, each at or above its cost measured in tests/claim-compute.test.ts. */
export const CLAIM_CU = Object.freeze({
  /** The claim instruction at depth 0 for a repeat claim, SPL Token's transfer_checked included. */
  claimBase: 3_100,
  /** One proof level: a 64-byte sha256 and the loop. */
  perLevel: 200,
  /** Added by Token-2022's transfer_checked over SPL Token's. */
  token2022Transfer: 1_900,
  /** Creating the ClaimStatus (system CPI, rent). */
  firstClaim: 1_450,
  /** Each ClaimStatus bump below 255 on a first claim: one sha256 and one curve check. */
  perBumpBelow255: 340,
  /** A claim naming a due pending root activates it first. */
  claimActivatesRoot: 450,
  activateRoot: 1_000,
  /** Creating an associated token account of an SPL Token mint whose address bump is 255. */
  createTokenAccount: 13_500,
  /** The same for a Token-2022 mint (account-size query, immutable-owner extension). */
  createTokenAccount2022: 16_400,
  /** Each address bump below 255: the associated token program searches for it again on-chain. */
  perTokenAccountBumpBelow255: 1_750,
  transfer: 1_000,
  transfer2022: 2_600,
  /** The set-compute-unit-limit instruction itself. */
  computeBudgetIx: 150,
});

/** Proportional headroom over the sum. */
export const CLAIM_CU_MARGIN_PERCENT = 10n;

/** The compute unit limit for a claim transaction of this shape. */
export function claimComputeUnits(s: ClaimComputeShape): number {
  const c = CLAIM_CU;
  const accounts = s.createdTokenAccountBumps.reduce(
    (sum, b) => sum + (s.token2022 ? c.createTokenAccount2022 : c.createTokenAccount) + c.perTokenAccountBumpBelow255 * (255 - b),
    0,
  );
  const sum =
    c.computeBudgetIx +
    c.claimBase +
    c.perLevel * s.depth +
    (s.token2022 ? c.token2022Transfer : 0) +
    (s.firstClaim ? c.firstClaim + c.perBumpBelow255 * (255 - s.bump) : 0) +
    (s.claimActivatesRoot ? c.claimActivatesRoot : 0) +
    c.activateRoot * s.activations +
    accounts +
    (s.transfer ? (s.token2022 ? c.transfer2022 : c.transfer) : 0);
  return sum + Number((BigInt(sum) * CLAIM_CU_MARGIN_PERCENT) / 100n);
}
