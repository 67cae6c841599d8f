// The compute budget claim() sets, against the units its transactions really use on the committed
// program: for wallets of many ClaimStatus and token-account bumps, first and repeat claims, both
// token programs, the limit always covers the use and never reserves much more. The formula's
// figures are asserted exactly, so a change to them is deliberate.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { Keypair, PublicKey } from "@solana/web3.js";
import { claimStatusPda } from "@merit/clients/chain";
import { ClaimSigner, type ClaimResult, claim } from "@merit/clients/claim";
import { stopHashWorker } from "@merit/clients/merkle";
import { type ClaimDistributor, createClaimDistributor, pastDelay, proposeEpoch } from "./helpers/claim-chain.js";
import { fundedKeypair, useLocalnet } from "./helpers/localnet.js";

const ATA_PROGRAM = new PublicKey("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

describe("claim: the compute budget covers what a claim uses", function () {
  this.timeout(300_000);
  const chain = useLocalnet();
  const dirs: ClaimDistributor[] = [];
  after(async () => {
    for (const d of dirs) rmSync(d.dir, { recursive: true, force: true });
    await stopHashWorker();
  });

  for (const token2022 of [false, true]) {
    it(`Given 12 wallets in a 1,100-leaf tree (${token2022 ? "Token-2022" : "SPL Token"}), When each claims first and again after a new root, Then every limit covers the use with at most 25% + 1,500 CU to spare`, async () => {
      const { connection, net } = chain();
      const d = await createClaimDistributor(connection, { token2022 });
      dirs.push(d);
      const wallets = await Promise.all(Array.from({ length: 12 }, () => fundedKeypair(connection, 1)));
      const fillers = Array.from({ length: 1_088 }, () => Keypair.generate().publicKey);
      const leaves = (k: bigint): [PublicKey, bigint][] => [
        ...wallets.map((w): [PublicKey, bigint] => [w.publicKey, 100n * k]),
        ...fillers.map((f): [PublicKey, bigint] => [f, k]),
      ];
      await proposeEpoch(connection, d, 1n, leaves(1n));
      pastDelay(net);
      const rows: string[] = [];
      const check = async (w: Keypair, r: ClaimResult, what: string) => {
        const tx = await connection.getTransaction(r.signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
        const used = tx!.meta!.computeUnitsConsumed!;
        const bump = claimStatusPda(d.address, w.publicKey)[1];
        const ataBump = PublicKey.findProgramAddressSync(
          [w.publicKey.toBuffer(), d.tokenProgram.toBuffer(), d.mint.toBuffer()],
          ATA_PROGRAM,
        )[1];
        rows.push(`${what} bump ${bump} ata ${ataBump}: used ${used}, limit ${r.computeUnitLimit}`);
        assert.ok(used <= r.computeUnitLimit, rows.at(-1));
        assert.ok(r.computeUnitLimit <= used * 1.25 + 1_500, rows.at(-1));
      };
      for (const w of wallets) {
        const r = await claim({
          wallet: w.publicKey,
          signer: ClaimSigner.fromKeypair(w),
          connection,
          shardsUrl: d.shardsUrl,
          distributor: d.address,
        });
        await check(w, r, "first");
      }
      await proposeEpoch(connection, d, 2n, leaves(2n));
      pastDelay(net);
      for (const w of wallets) {
        const r = await claim({
          wallet: w.publicKey,
          signer: ClaimSigner.fromKeypair(w),
          connection,
          shardsUrl: d.shardsUrl,
          distributor: d.address,
        });
        await check(w, r, "repeat");
      }
      await proposeEpoch(connection, d, 3n, leaves(3n));
      pastDelay(net);
      for (const w of wallets.slice(0, 4)) {
        const recipient = Keypair.generate().publicKey;
        const r = await claim({
          wallet: w.publicKey,
          signer: ClaimSigner.fromKeypair(w),
          connection,
          shardsUrl: d.shardsUrl,
          distributor: d.address,
          recipient,
        });
        await check(w, r, "to a recipient");
      }
      console.log(rows.map((r) => `      ${r}`).join("\n"));
    });
  }
});
