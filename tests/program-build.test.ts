// Flow: the committed program binary is what `npm run build:program` produced (its sha256 file
// matches), it is an SBPF v0 shared object, and litesvm loads and runs it at the localnet id:
// Anchor's Program initializes a distributor through it, and an unknown instruction gets the
// IDL's error. (Byte-for-byte reproducibility is `npm run build:program -- --check`.)
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { TransactionInstruction } from "@solana/web3.js";
import { distributorPda, meritDistributorProgram, MeritErrorCode, vaultPda } from "@merit/clients/idl";
import { anchor, LiteSvmProvider, parseEvents } from "./helpers/anchor-provider.js";
import { createMint, DISTRIBUTOR_SO, TestSvm, tokenProgramId } from "./helpers/svm.js";

describe("program build: the committed distributor binary", () => {
  before(() => {
    assert.ok(existsSync(DISTRIBUTOR_SO), `${DISTRIBUTOR_SO} is missing: run npm run build:program and commit it`);
  });

  it("Given the committed .so, Then its sha256 is the one recorded beside it", () => {
    const [hash, name] = readFileSync(`${DISTRIBUTOR_SO}.sha256`, "utf8").trim().split(/\s+/);
    assert.equal(name, "merit_distributor.so");
    assert.equal(createHash("sha256").update(readFileSync(DISTRIBUTOR_SO)).digest("hex"), hash);
  });

  it("Then it is an SBPF v0 shared object (ELF64 LE, EM_BPF, ET_DYN, e_flags 0)", () => {
    const elf = readFileSync(DISTRIBUTOR_SO);
    assert.deepEqual([...elf.subarray(0, 6)], [0x7f, 0x45, 0x4c, 0x46, 2, 1]);
    assert.deepEqual([elf.readUInt16LE(16), elf.readUInt16LE(18), elf.readUInt32LE(48)], [3, 247, 0]);
  });

  it("When Anchor initializes a distributor through it in litesvm, Then it succeeds, emits its event and the account decodes", async () => {
    const chain = new TestSvm({ unixTimestamp: 1_800_000_000n });
    const provider = new LiteSvmProvider(chain);
    const program = meritDistributorProgram(provider);
    assert.equal(program.programId.toBase58(), chain.programId.toBase58(), "IDL address = localnet keypair");
    const m = createMint(chain, "spl");
    const [distributor] = distributorPda(m.mint, chain.payer.publicKey, 1n);
    const params = {
      activationDelay: new anchor.BN(3600),
      gracePeriod: new anchor.BN(600),
      maxTotalIncrease: new anchor.BN(1_000_000),
      claimExpiry: new anchor.BN(0),
    };

    await program.methods
      .initializeDistributor(new anchor.BN(1), chain.payer.publicKey, chain.payer.publicKey, params)
      .accountsPartial({
        admin: chain.payer.publicKey,
        mint: m.mint,
        distributor,
        vault: vaultPda(distributor)[0],
        tokenProgram: tokenProgramId("spl"),
      })
      .rpc();

    const logs = provider.lastResult!.logs;
    assert.equal(logs[0], `Program ${chain.programId.toBase58()} invoke [1]`);
    assert.equal(logs.at(-1), `Program ${chain.programId.toBase58()} success`);
    assert.equal(parseEvents(program, logs)[0]?.name, "distributorInitialized");
    const state = await program.account.distributor.fetch(distributor);
    assert.equal(state.admin.toBase58(), chain.payer.publicKey.toBase58());
  });

  it("When an unknown instruction is sent, Then it fails with the IDL's UnknownInstruction code", () => {
    const chain = new TestSvm();
    const r = chain.sendIxs([new TransactionInstruction({ programId: chain.programId, keys: [], data: Buffer.alloc(8, 0xee) })]);
    const code = MeritErrorCode.UnknownInstruction!;
    assert.equal(r.code, code);
    assert.equal(r.logs.at(-1), `Program ${chain.programId.toBase58()} failed: custom program error: 0x${code.toString(16)}`);
  });
});
