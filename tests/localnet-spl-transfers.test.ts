// SPL Token and Token-2022 settlements sent through web3.js over HTTP and confirmed over the
// WebSocket, then read back with everything an indexer needs.
import assert from "node:assert/strict";
import {
  PublicKey,
  Transaction,
  TransactionInstruction,
  sendAndConfirmTransaction,
  type Connection,
  type Keypair,
  type ParsedInstruction,
} from "@solana/web3.js";
import * as spl from "@solana/spl-token";
import { fundedKeypair, useLocalnet } from "./helpers/localnet.js";

const MEMO = new PublicKey("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
const memoIx = (text: string) => new TransactionInstruction({ programId: MEMO, keys: [], data: Buffer.from(text) });

/** Waits until web3.js has its subscriptions acknowledged by the server (its own bookkeeping, 1.x). */
async function subscribed(connection: Connection, count: number): Promise<void> {
  const states = () =>
    Object.values((connection as unknown as { _subscriptionsByHash: Record<string, { state: string }> })._subscriptionsByHash).map(
      (s) => s.state,
    );
  for (let i = 0; i < 200 && states().filter((s) => s === "subscribed").length < count; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(states().filter((s) => s === "subscribed").length, count, JSON.stringify(states()));
}

describe("localnet: SPL token transfers over JSON-RPC", function () {
  this.timeout(120_000);
  const chain = useLocalnet();
  let payer: Keypair, alice: Keypair, bob: Keypair;
  const mints: Record<"token" | "token2022", PublicKey> = {} as never;
  const programs = { token: spl.TOKEN_PROGRAM_ID, token2022: spl.TOKEN_2022_PROGRAM_ID };
  const ata = (mint: PublicKey, owner: PublicKey, program: PublicKey) => spl.getAssociatedTokenAddressSync(mint, owner, false, program);

  before(async () => {
    const { connection } = chain();
    [payer, alice, bob] = await Promise.all([fundedKeypair(connection), fundedKeypair(connection), fundedKeypair(connection)]);
    for (const kind of ["token", "token2022"] as const) {
      const program = programs[kind];
      const mint = await spl.createMint(connection, payer, payer.publicKey, null, 6, undefined, undefined, program);
      mints[kind] = mint;
      const from = await spl.createAssociatedTokenAccount(connection, payer, mint, alice.publicKey, undefined, program);
      await spl.mintTo(connection, payer, mint, from, payer, 10_000_000n, [], undefined, program);
    }
  });

  it("given a Token transfer with a memo, when it is confirmed over the WebSocket, then getTransaction returns balances, logs and block data", async () => {
    const { connection } = chain();
    const mint = mints.token;
    const [from, to] = [ata(mint, alice.publicKey, spl.TOKEN_PROGRAM_ID), ata(mint, bob.publicKey, spl.TOKEN_PROGRAM_ID)];
    const tx = new Transaction().add(
      spl.createAssociatedTokenAccountIdempotentInstruction(payer.publicKey, to, bob.publicKey, mint),
      spl.createTransferInstruction(from, to, alice.publicKey, 1_500_000n),
      memoIx("order-42"),
    );
    const signature = await sendAndConfirmTransaction(connection, tx, [payer, alice]);

    const got = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
    assert.ok(got?.meta);
    assert.equal(got.meta.err, null);
    assert.equal(got.meta.fee, 10_000); // two signatures
    assert.equal(got.version, "legacy");
    const keys = got.transaction.message.staticAccountKeys.map((k) => k.toBase58());
    const byIndex = (b: { accountIndex: number }) => keys[b.accountIndex];
    const pre = got.meta.preTokenBalances!.map((b) => [byIndex(b), b.owner, b.mint, b.programId, b.uiTokenAmount.amount]);
    const post = got.meta.postTokenBalances!.map((b) => [
      byIndex(b),
      b.owner,
      b.mint,
      b.programId,
      b.uiTokenAmount.amount,
      b.uiTokenAmount.uiAmountString,
    ]);
    const P = spl.TOKEN_PROGRAM_ID.toBase58();
    assert.deepEqual(pre, [[from.toBase58(), alice.publicKey.toBase58(), mint.toBase58(), P, "10000000"]]);
    assert.deepEqual(
      post.sort(),
      [
        [from.toBase58(), alice.publicKey.toBase58(), mint.toBase58(), P, "8500000", "8.5"],
        [to.toBase58(), bob.publicKey.toBase58(), mint.toBase58(), P, "1500000", "1.5"],
      ].sort(),
    );
    assert.ok(got.meta.logMessages!.includes("Program log: order-42"), got.meta.logMessages!.join("\n"));
    assert.ok(got.meta.logMessages!.includes(`Program ${MEMO.toBase58()} success`));
    assert.equal(got.meta.preBalances.length, keys.length);
    assert.equal(got.meta.preBalances[0]! - got.meta.postBalances[0]!, 10_000 + 2_039_280); // fee + the new account's rent
    assert.ok(got.meta.computeUnitsConsumed! > 0);
    // The idempotent ATA creation ran inner instructions at stack height 2.
    const inner = got.meta.innerInstructions!;
    assert.equal(inner.length, 1);
    assert.equal(inner[0]!.index, 0);
    assert.ok(inner[0]!.instructions.length >= 3);
    assert.ok(got.blockTime && Math.abs(got.blockTime - Date.now() / 1000) < 30);

    const block = await connection.getBlockSignatures(got.slot);
    assert.ok(block.signatures.includes(signature));
    const sigs = await connection.getSignaturesForAddress(to);
    assert.equal(sigs[0]!.signature, signature);
    assert.equal(sigs[0]!.memo, "[8] order-42");
    assert.equal(sigs[0]!.slot, got.slot);
    assert.equal(sigs[0]!.blockTime, got.blockTime);
  });

  it("given a Token-2022 transferChecked, when read with jsonParsed, then the instruction and the ATA's inner instructions are parsed", async () => {
    const { connection } = chain();
    const mint = mints.token2022;
    const P = spl.TOKEN_2022_PROGRAM_ID;
    const [from, to] = [ata(mint, alice.publicKey, P), ata(mint, bob.publicKey, P)];
    const tx = new Transaction().add(
      spl.createAssociatedTokenAccountInstruction(payer.publicKey, to, bob.publicKey, mint, P),
      spl.createTransferCheckedInstruction(from, mint, to, alice.publicKey, 2_000_000n, 6, [], P),
    );
    const signature = await sendAndConfirmTransaction(connection, tx, [payer, alice]);

    const parsed = await connection.getParsedTransaction(signature, { maxSupportedTransactionVersion: 0 });
    assert.ok(parsed?.meta);
    const [create, transfer] = parsed.transaction.message.instructions as ParsedInstruction[];
    assert.equal(create!.program, "spl-associated-token-account");
    assert.deepEqual(create!.parsed.info.wallet, bob.publicKey.toBase58());
    assert.equal(transfer!.program, "spl-token");
    assert.equal(transfer!.parsed.type, "transferChecked");
    assert.deepEqual(transfer!.parsed.info, {
      source: from.toBase58(),
      mint: mint.toBase58(),
      destination: to.toBase58(),
      authority: alice.publicKey.toBase58(),
      tokenAmount: { amount: "2000000", decimals: 6, uiAmount: 2, uiAmountString: "2" },
    });
    const innerTypes = parsed.meta.innerInstructions![0]!.instructions.map((ix) => (ix as ParsedInstruction).parsed?.type);
    assert.ok(innerTypes.includes("initializeAccount3"), JSON.stringify(innerTypes));
    const signers = parsed.transaction.message.accountKeys.filter((k) => k.signer).map((k) => k.pubkey.toBase58());
    assert.deepEqual(signers, [payer.publicKey.toBase58(), alice.publicKey.toBase58()]);
    const post = parsed.meta.postTokenBalances!.find((b) => b.owner === bob.publicKey.toBase58());
    assert.equal(post?.programId, P.toBase58());
    assert.equal(post?.uiTokenAmount.amount, "2000000");
    const preBob = parsed.meta.preTokenBalances!.find((b) => b.owner === bob.publicKey.toBase58());
    assert.equal(preBob, undefined); // the account did not exist before
  });

  it("given token accounts, when read through spl-token and parsed account queries, then balances and supply match the transfers", async () => {
    const { connection } = chain();
    const P = spl.TOKEN_2022_PROGRAM_ID;
    const bobAccount = await spl.getAccount(connection, ata(mints.token2022, bob.publicKey, P), undefined, P);
    assert.equal(bobAccount.amount, 2_000_000n);
    assert.equal(bobAccount.owner.toBase58(), bob.publicKey.toBase58());
    const mint = await spl.getMint(connection, mints.token, undefined, spl.TOKEN_PROGRAM_ID);
    assert.equal(mint.supply, 10_000_000n);
    const owned = await connection.getParsedTokenAccountsByOwner(bob.publicKey, { programId: spl.TOKEN_PROGRAM_ID });
    assert.deepEqual(
      owned.value.map((a) => a.account.data.parsed.info.tokenAmount.amount),
      ["1500000"],
    );
    const byMint = await connection.getTokenAccountsByOwner(alice.publicKey, { mint: mints.token2022 });
    assert.equal(byMint.value.length, 1);
    const balance = await connection.getTokenAccountBalance(ata(mints.token, alice.publicKey, spl.TOKEN_PROGRAM_ID));
    assert.deepEqual(balance.value, { amount: "8500000", decimals: 6, uiAmount: 8.5, uiAmountString: "8.5" });
    const parsedMint = await connection.getParsedAccountInfo(mints.token2022);
    const data = parsedMint.value!.data as { program: string; parsed: { type: string; info: { supply: string } } };
    assert.equal(data.program, "spl-token-2022");
    assert.deepEqual([data.parsed.type, data.parsed.info.supply], ["mint", "10000000"]);
    const supply = await connection.getTokenSupply(mints.token);
    assert.equal(supply.value.amount, "10000000");
  });

  it("given token accounts, when filtered with getProgramAccounts and read in bulk, then dataSize/memcmp select exactly the owner's accounts", async () => {
    const { connection } = chain();
    const owned = await connection.getProgramAccounts(spl.TOKEN_PROGRAM_ID, {
      filters: [{ dataSize: 165 }, { memcmp: { offset: 32, bytes: bob.publicKey.toBase58() } }],
    });
    assert.deepEqual(
      owned.map((a) => a.pubkey.toBase58()),
      [ata(mints.token, bob.publicKey, spl.TOKEN_PROGRAM_ID).toBase58()],
    );
    const mintsOnly = await connection.getProgramAccounts(spl.TOKEN_PROGRAM_ID, { filters: [{ dataSize: 82 }] });
    assert.deepEqual(
      mintsOnly.map((a) => a.pubkey.toBase58()),
      [mints.token.toBase58()],
    );
    const [a, missing, m] = await connection.getMultipleAccountsInfo([alice.publicKey, PublicKey.unique(), mints.token]);
    assert.equal(a?.lamports, 10e9);
    assert.equal(missing, null);
    assert.equal(m?.owner.toBase58(), spl.TOKEN_PROGRAM_ID.toBase58());
  });

  it("given a block with transfers, when read in full, then each transaction sits at the index getBlock signatures gives it, with its meta", async () => {
    const { connection } = chain();
    const [sig] = await connection.getSignaturesForAddress(alice.publicKey, { limit: 1 });
    const full = await connection.getBlock(sig!.slot, { maxSupportedTransactionVersion: 0, transactionDetails: "full" });
    const signatures = (await connection.getBlockSignatures(sig!.slot)).signatures;
    assert.deepEqual(
      full!.transactions.map((t) => t.transaction.signatures[0]),
      signatures,
    );
    assert.equal(full!.blockTime, sig!.blockTime);
    assert.ok(full!.transactions.every((t) => t.meta && t.meta.fee >= 5000));
    assert.ok(full!.parentSlot < sig!.slot);
    const message = new Transaction({ feePayer: alice.publicKey, ...(await connection.getLatestBlockhash()) })
      .add(memoIx("fee?"))
      .compileMessage();
    assert.equal((await connection.getFeeForMessage(message)).value, 5000);
  });

  it("given several transfers touching one account, when its signatures are paged with limit/before/until, then they come newest first without gaps", async () => {
    const { connection } = chain();
    const P = spl.TOKEN_PROGRAM_ID;
    const [from, to] = [ata(mints.token, alice.publicKey, P), ata(mints.token, bob.publicKey, P)];
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const tx = new Transaction().add(spl.createTransferInstruction(from, to, alice.publicKey, BigInt(i + 1)), memoIx(`n${i}`));
      sent.push(await sendAndConfirmTransaction(connection, tx, [alice]));
    }
    const newest = [...sent].reverse();
    const all = (await connection.getSignaturesForAddress(from, { limit: 5 })).map((s) => s.signature);
    assert.deepEqual(all, newest);
    const page2 = await connection.getSignaturesForAddress(from, { limit: 2, before: newest[1] });
    assert.deepEqual(
      page2.map((s) => s.signature),
      newest.slice(2, 4),
    );
    const untilOldest = await connection.getSignaturesForAddress(from, { until: sent[0] });
    assert.deepEqual(
      untilOldest.map((s) => s.signature),
      newest.slice(0, 4),
    );
    // Each transaction's slot and index place it exactly in its block.
    for (const signature of sent) {
      const tx = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
      const block = await connection.getBlockSignatures(tx!.slot);
      assert.ok(block.signatures.indexOf(signature) >= 0);
    }
  });

  it("given a transfer, when account, program, logs and slot subscriptions are open, then each is notified", async () => {
    const { connection } = chain();
    const P = spl.TOKEN_PROGRAM_ID;
    const [from, to] = [ata(mints.token, alice.publicKey, P), ata(mints.token, bob.publicKey, P)];
    const accountSeen = new Promise<number>((resolve) => {
      const id = connection.onAccountChange(to, (info) => {
        void connection.removeAccountChangeListener(id);
        resolve(Number(spl.unpackAccount(to, info, P).amount));
      });
    });
    const logsSeen = new Promise<string[]>((resolve) => {
      const id = connection.onLogs(to, (logs) => {
        void connection.removeOnLogsListener(id);
        resolve(logs.logs);
      });
    });
    // Bob's token accounts of this program, selected by the owner field at offset 32.
    const programSeen = new Promise<string>((resolve) => {
      const filters = [{ dataSize: 165 }, { memcmp: { offset: 32, bytes: bob.publicKey.toBase58() } }];
      const id = connection.onProgramAccountChange(
        P,
        (keyed) => {
          void connection.removeProgramAccountChangeListener(id);
          resolve(keyed.accountId.toBase58());
        },
        { filters },
      );
    });
    const slotSeen = new Promise<number>((resolve) => {
      const id = connection.onSlotChange((info) => {
        void connection.removeSlotChangeListener(id);
        resolve(info.slot);
      });
    });
    await subscribed(connection, 4);
    const before = (await spl.getAccount(connection, to)).amount;
    await sendAndConfirmTransaction(connection, new Transaction().add(spl.createTransferInstruction(from, to, alice.publicKey, 7n)), [
      alice,
    ]);
    assert.equal(BigInt(await accountSeen), before + 7n);
    assert.ok((await logsSeen).some((l) => l.startsWith(`Program ${P.toBase58()} invoke`)));
    assert.equal(await programSeen, to.toBase58()); // alice's account changed too, but the filter keeps bob's
    assert.ok((await slotSeen) > 0);
  });
});
