import { TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from "@merit/clients/programs";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as spl from "@solana/spl-token";
import { Keypair } from "@solana/web3.js";
import { decodeMint, decodeTokenAccount, tokenKind, uiAmountString, uiTokenAmount } from "./token-layout.js";

describe("localnet token layouts", () => {
  it("given amounts and decimals, when formatted, then the string is the exact decimal value with no trailing zeros", () => {
    assert.equal(uiAmountString(1_500_000n, 6), "1.5");
    assert.equal(uiAmountString(1_000_000n, 6), "1");
    assert.equal(uiAmountString(1n, 6), "0.000001");
    assert.equal(uiAmountString(0n, 6), "0");
    assert.equal(uiAmountString(18_446_744_073_709_551_615n, 9), "18446744073.709551615");
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: 12 }), (amount, decimals) => {
        const s = uiAmountString(amount, decimals);
        const [whole, frac = ""] = s.split(".");
        assert.equal(BigInt(whole!) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0"), amount);
        assert.ok(!frac.endsWith("0"));
      }),
    );
  });

  it("given zero, when shown in transaction meta, then uiAmount is null as the ledger stores it, and 0 on live reads", () => {
    assert.equal(uiTokenAmount(0n, 6, true).uiAmount, null);
    assert.equal(uiTokenAmount(0n, 6).uiAmount, 0);
    assert.deepEqual(uiTokenAmount(2_500n, 3), { amount: "2500", decimals: 3, uiAmount: 2.5, uiAmountString: "2.5" });
  });

  it("given accounts packed by spl-token, when decoded, then owner, mint, amount, delegate and authorities match", () => {
    const [mint, owner, delegate, auth] = [0, 1, 2, 3].map(() => Keypair.generate().publicKey);
    const account = Buffer.alloc(spl.ACCOUNT_SIZE);
    spl.AccountLayout.encode(
      {
        mint: mint!,
        owner: owner!,
        amount: 77n,
        delegateOption: 1,
        delegate: delegate!,
        state: 1,
        isNativeOption: 0,
        isNative: 0n,
        delegatedAmount: 5n,
        closeAuthorityOption: 0,
        closeAuthority: owner!,
      },
      account,
    );
    assert.equal(tokenKind(TOKEN_PROGRAM, account), "account");
    const a = decodeTokenAccount(account);
    assert.deepEqual(
      [a.mint, a.owner, a.amount, a.delegate, a.delegatedAmount, a.state, a.closeAuthority, a.isNative],
      [mint!.toBase58(), owner!.toBase58(), 77n, delegate!.toBase58(), 5n, "initialized", null, null],
    );

    const m = Buffer.alloc(spl.MINT_SIZE);
    spl.MintLayout.encode(
      {
        mintAuthorityOption: 1,
        mintAuthority: auth!,
        supply: 1000n,
        decimals: 6,
        isInitialized: true,
        freezeAuthorityOption: 0,
        freezeAuthority: auth!,
      },
      m,
    );
    assert.equal(tokenKind(TOKEN_PROGRAM, m), "mint");
    assert.deepEqual(decodeMint(m), {
      mintAuthority: auth!.toBase58(),
      supply: 1000n,
      decimals: 6,
      isInitialized: true,
      freezeAuthority: null,
      extensions: [],
    });
  });

  it("given Token-2022 layouts with extensions, when classified, then the account-type byte decides and extensions are named", () => {
    // An ATA of Token-2022: the base account, the account-type byte (2), then ImmutableOwner (type 7, length 0).
    const ata = Buffer.alloc(170);
    ata[108] = 1;
    ata[165] = 2;
    ata.writeUInt16LE(7, 166);
    assert.equal(tokenKind(TOKEN_2022_PROGRAM, ata), "account");
    assert.equal(tokenKind(TOKEN_PROGRAM, ata), undefined);
    assert.deepEqual(decodeTokenAccount(ata).extensions, ["immutableOwner"]);
    const mint = Buffer.alloc(170);
    mint[165] = 1;
    assert.equal(tokenKind(TOKEN_2022_PROGRAM, mint), "mint");
    assert.equal(tokenKind("11111111111111111111111111111111", Buffer.alloc(165)), undefined);
  });
});
