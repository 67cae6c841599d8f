// Mints, associated token accounts and balances for SPL Token and Token-2022 on a TestSvm, made
// through real transactions to the token programs litesvm ships.
import * as spl from "@solana/spl-token";
import { Keypair, type PublicKey, SystemProgram } from "@solana/web3.js";
import type { SendResult, TestSvm } from "./svm.js";

export type TokenProgram = "spl" | "2022";

export const tokenProgramId = (t: TokenProgram): PublicKey => (t === "spl" ? spl.TOKEN_PROGRAM_ID : spl.TOKEN_2022_PROGRAM_ID);

/** Throws with the logs when a setup transaction fails: setup failures are bugs in the test. */
export function expectOk(r: SendResult, what: string): SendResult {
  if (!r.ok) throw new Error(`${what} failed: ${r.error}\n${r.logs.join("\n")}`);
  return r;
}

export interface Mint {
  mint: PublicKey;
  authority: Keypair;
  tokenProgram: TokenProgram;
}

export function createMint(t: TestSvm, tokenProgram: TokenProgram, decimals = 6, mint = Keypair.generate()): Mint {
  const authority = t.funded(1_000_000_000n);
  const programId = tokenProgramId(tokenProgram);
  const lamports = Number(t.svm.minimumBalanceForRentExemption(BigInt(spl.MINT_SIZE)));
  expectOk(
    t.sendIxs(
      [
        SystemProgram.createAccount({
          fromPubkey: t.payer.publicKey,
          newAccountPubkey: mint.publicKey,
          lamports,
          space: spl.MINT_SIZE,
          programId,
        }),
        spl.createInitializeMint2Instruction(mint.publicKey, decimals, authority.publicKey, null, programId),
      ],
      [mint],
    ),
    "create mint",
  );
  return { mint: mint.publicKey, authority, tokenProgram };
}

/** The owner's associated token account, created when missing (owners may be PDAs). */
export function tokenAccount(t: TestSvm, m: Mint, owner: PublicKey): PublicKey {
  const programId = tokenProgramId(m.tokenProgram);
  const ata = spl.getAssociatedTokenAddressSync(m.mint, owner, true, programId);
  if (!t.account(ata)) {
    expectOk(
      t.sendIxs([spl.createAssociatedTokenAccountIdempotentInstruction(t.payer.publicKey, ata, owner, m.mint, programId)]),
      "create ATA",
    );
  }
  return ata;
}

export function mintTo(t: TestSvm, m: Mint, to: PublicKey, amount: bigint): void {
  const ix = spl.createMintToInstruction(m.mint, to, m.authority.publicKey, amount, [], tokenProgramId(m.tokenProgram));
  expectOk(t.sendIxs([ix], [m.authority]), "mint to");
}

/** Amount held by a token account of either program (0 when it does not exist). */
export function tokenBalance(t: TestSvm, account: PublicKey): bigint {
  const a = t.account(account);
  // Token and Token-2022 accounts share the base layout: amount is the u64 at offset 64.
  return a ? a.data.readBigUInt64LE(64) : 0n;
}
