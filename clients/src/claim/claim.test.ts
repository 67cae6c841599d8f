import assert from "node:assert/strict";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createTransferCheckedInstruction,
  getAssociatedTokenAddressSync,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import { ComputeBudgetProgram, Keypair, type TransactionInstruction } from "@solana/web3.js";
import { claimInstruction } from "../chain/instructions.js";
import { codingProgram } from "../chain/program.js";
import { assembleClaimTransaction, TRANSACTION_SIZE_LIMIT } from "./claim.js";
import { ClaimError } from "./errors.js";

const key = () => Keypair.generate().publicKey;
const [wallet, recipient, mint, distributor, vault] = [key(), key(), key(), key(), key()];
const claimantToken = getAssociatedTokenAddressSync(mint, wallet, true, TOKEN_PROGRAM_ID);
const recipientToken = getAssociatedTokenAddressSync(mint, recipient, true, TOKEN_PROGRAM_ID);
const blockhash = key().toBase58();

function instructions(depth: number, withRecipient: boolean): TransactionInstruction[] {
  const proof = Array.from({ length: depth }, () => Buffer.alloc(32, 7));
  const ixs = [
    createAssociatedTokenAccountIdempotentInstruction(wallet, claimantToken, wallet, mint, TOKEN_PROGRAM_ID),
    claimInstruction(
      codingProgram(),
      { distributor, mint, vault, tokenProgram: TOKEN_PROGRAM_ID, claimant: wallet, claimantToken },
      1n,
      5n,
      proof,
    ),
  ];
  if (withRecipient) {
    ixs.push(
      createAssociatedTokenAccountIdempotentInstruction(wallet, recipientToken, recipient, mint, TOKEN_PROGRAM_ID),
      createTransferCheckedInstruction(claimantToken, mint, recipientToken, wallet, 5n, 6, [], TOKEN_PROGRAM_ID),
    );
  }
  return ixs;
}

const hasBudget = (tx: ReturnType<typeof assembleClaimTransaction>) =>
  tx.message.compiledInstructions.some((ix) => tx.message.staticAccountKeys[ix.programIdIndex]!.equals(ComputeBudgetProgram.programId));

describe("assembleClaimTransaction: one packet", () => {
  it("Given a depth-20 first claim creating the claimant's token account, Then a legacy transaction fits with its compute unit limit", () => {
    const tx = assembleClaimTransaction(wallet, blockhash, 25_000, instructions(20, false), false);
    assert.ok(tx.serialize().length <= TRANSACTION_SIZE_LIMIT);
    assert.ok(hasBudget(tx));
  });

  it("Given a depth-20 claim to a recipient creating both token accounts, Then it fits once the compute unit limit is left out", () => {
    const tx = assembleClaimTransaction(wallet, blockhash, 40_000, instructions(20, true), false);
    assert.ok(tx.serialize().length <= TRANSACTION_SIZE_LIMIT, `${tx.serialize().length} bytes`);
    assert.equal(hasBudget(tx), false);
  });

  it("Given a depth-24 claim to a recipient, Then TransactionTooLarge with a sentence saying what to do", () => {
    assert.throws(
      () => assembleClaimTransaction(wallet, blockhash, 40_000, instructions(24, true), true),
      (e: unknown) =>
        e instanceof ClaimError && e.errorName === "TransactionTooLarge" && /create your token account first/.test(e.sentence),
    );
  });
});
