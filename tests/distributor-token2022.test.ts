// Token-2022: mints with extensions get a vault sized by the token program, claims pay through
// transfer_checked (a transfer-fee mint withholds its fee from the claimant), and token accounts
// or programs of the other standard are refused.
import assert from "node:assert/strict";
import * as spl from "@solana/spl-token";
import { Keypair, SystemProgram } from "@solana/web3.js";
import { Chain, DEFAULT_PARAMS, DistributorFixture } from "./distributor-fixture.js";
import { createMint, expectOk, type Mint, mintTo, tokenAccount } from "./helpers/svm.js";

/** A Token-2022 mint charging `bps` basis points per transfer (TransferFeeConfig extension). */
function transferFeeMint(chain: Chain, bps: number): Mint {
  const mint = Keypair.generate();
  const authority = chain.funded();
  const space = spl.getMintLen([spl.ExtensionType.TransferFeeConfig]);
  const lamports = Number(chain.svm.minimumBalanceForRentExemption(BigInt(space)));
  expectOk(
    chain.sendIxs(
      [
        SystemProgram.createAccount({
          fromPubkey: chain.payer.publicKey,
          newAccountPubkey: mint.publicKey,
          lamports,
          space,
          programId: spl.TOKEN_2022_PROGRAM_ID,
        }),
        spl.createInitializeTransferFeeConfigInstruction(
          mint.publicKey,
          authority.publicKey,
          authority.publicKey,
          bps,
          1_000_000n,
          spl.TOKEN_2022_PROGRAM_ID,
        ),
        spl.createInitializeMint2Instruction(mint.publicKey, 6, authority.publicKey, null, spl.TOKEN_2022_PROGRAM_ID),
      ],
      [mint],
    ),
    "create transfer-fee mint",
  );
  return { mint: mint.publicKey, authority, tokenProgram: "2022" };
}

describe("distributor with Token-2022", () => {
  it("Given a transfer-fee mint, Then the vault carries the fee extension and a claim pays the amount minus the fee", () => {
    const chain = new Chain();
    const f = new DistributorFixture(chain, "2022", 1n, DEFAULT_PARAMS, transferFeeMint(chain, 100));
    // Base account (165) + account type + TransferFeeAmount extension: sized by GetAccountDataSize.
    assert.ok(chain.account(f.vault)!.data.length > 165, "vault has room for the TransferFeeAmount extension");
    f.fund(100_000n);
    const claimant = chain.funded();
    const tree = f.tree([{ claimant, amount: 10_000n }]);
    f.publish(1n, tree);
    const r = chain.sendIxs([f.claimFromTree(tree, 1n, claimant)], [claimant]);
    assert.ok(r.ok, r.error + r.logs.join("\n"));
    assert.equal(chain.tokenBalance(f.vault), 90_000n);
    assert.equal(chain.tokenBalance(f.claimantToken(claimant.publicKey)), 9_900n, "1% withheld by the mint");
    assert.equal(BigInt(f.state().totalClaimed.toString()), 10_000n);
  });

  it("Given a Token-2022 distributor, Then the SPL Token program, an SPL vault or a token account of another mint are refused", () => {
    const chain = new Chain();
    const f = new DistributorFixture(chain, "2022");
    f.fund(1_000n);
    const claimant = chain.funded();
    const tree = f.tree([{ claimant, amount: 100n }]);
    f.publish(1n, tree);
    chain.expectError([f.claimFromTree(tree, 1n, claimant, { tokenProgram: spl.TOKEN_PROGRAM_ID })], [claimant], "InvalidProgramId");

    const splMint = createMint(chain, "spl");
    const splVault = tokenAccount(chain, splMint, f.distributor);
    mintTo(chain, splMint, splVault, 1_000n);
    chain.expectError([f.claimFromTree(tree, 1n, claimant, { vault: splVault })], [claimant], "VaultMismatch");
    chain.expectError(
      [f.claimFromTree(tree, 1n, claimant, { claimantToken: tokenAccount(chain, splMint, claimant.publicKey) })],
      [claimant],
      "InvalidAccountOwner",
    );

    // A Token-2022 account of another mint, owned by the claimant: the token program refuses it.
    const other = createMint(chain, "2022");
    const wrongMint = tokenAccount(chain, other, claimant.publicKey);
    const before = chain.snapshot([f.vault, wrongMint, f.distributor]);
    const r = chain.sendIxs([f.claimFromTree(tree, 1n, claimant, { claimantToken: wrongMint })], [claimant]);
    assert.equal(r.ok, false);
    assert.equal(r.code, 3, "Token-2022 MintMismatch");
    assert.deepEqual(chain.snapshot([f.vault, wrongMint, f.distributor]), before);
  });
});
