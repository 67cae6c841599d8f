// Flow: Anchor's Program drives a program in litesvm through LiteSvmProvider: rpc, simulate and
// view, IDL error mapping, events from logs, and account fetch / all. The smoke program stands
// in for the distributor, with a hand-written IDL, so the provider is tested on its own.
import assert from "node:assert/strict";
import type { BN, Idl } from "@coral-xyz/anchor";
import { Keypair, PublicKey } from "@solana/web3.js";
import { anchor, LiteSvmProvider, parseEvents } from "./anchor-provider.js";
import { TestSvm } from "./svm.js";

const SMOKE_ID = new PublicKey("Smoke11111111111111111111111111111111111111");
const COUNTER = [255, 176, 4, 245, 188, 253, 124, 25];

// Names are given camelCase, as Anchor's TypeScript types (and its runtime conversion) expect.
const smokeIdl = {
  address: SMOKE_ID.toBase58(),
  metadata: { name: "sbf_smoke", version: "0.1.0", spec: "0.1.0" },
  instructions: [
    {
      name: "checksum",
      discriminator: [151, 13, 164, 92, 84, 17, 49, 137],
      accounts: [],
      args: [{ name: "data", type: "bytes" }],
      returns: "u64",
    },
    { name: "fail", discriminator: [88, 146, 59, 51, 123, 43, 123, 171], accounts: [], args: [] },
  ],
  accounts: [{ name: "counter", discriminator: COUNTER }],
  events: [{ name: "Checksummed", discriminator: [200, 222, 179, 238, 217, 9, 101, 251] }],
  errors: [{ code: 6000, name: "SmokeFailed", msg: "The smoke program failed on purpose" }],
  types: [
    {
      name: "counter",
      type: {
        kind: "struct",
        fields: [
          { name: "owner", type: "pubkey" },
          { name: "count", type: "u64" },
        ],
      },
    },
    { name: "Checksummed", type: { kind: "struct", fields: [{ name: "sum", type: "u64" }] } },
  ],
} as const satisfies Idl;
type SmokeIdl = typeof smokeIdl;

function setup() {
  const chain = new TestSvm({ program: "tools/sbf-smoke/bin/sbf_smoke.so", programId: SMOKE_ID });
  const provider = new LiteSvmProvider(chain);
  return { chain, provider, program: new anchor.Program<SmokeIdl>(smokeIdl, provider) };
}

function counterData(owner: PublicKey, count: bigint): Buffer {
  const data = Buffer.alloc(48);
  Buffer.from(COUNTER).copy(data, 0);
  owner.toBuffer().copy(data, 8);
  data.writeBigUInt64LE(count, 40);
  return data;
}

describe("tests/helpers/anchor-provider", () => {
  it("When .rpc() sends an instruction twice, Then both land and the event is in the logs", async () => {
    const { provider, program } = setup();
    for (let i = 0; i < 2; i++) {
      const signature = await program.methods.checksum(Buffer.from([1, 2, 3])).rpc();
      assert.equal(signature, provider.lastResult!.signature);
    }
    assert.deepEqual(
      parseEvents(program, provider.lastResult!.logs).map((e) => [e.name, e.data.sum!.toString()]),
      [["checksummed", "6"]],
    );
    assert.equal(provider.lastResult!.cu, 431n);
  });

  it(".simulate() returns the events and .view() the decoded return data", async () => {
    const { program } = setup();
    const sim = await program.methods.checksum(Buffer.from([200, 100])).simulate();
    assert.equal(sim.events[0]!.name, "checksummed");
    assert.equal((sim.events[0]!.data.sum as BN).toString(), "300");
    const viewed = (await program.methods.checksum(Buffer.from([250, 250, 250])).view()) as BN;
    assert.equal(viewed.toString(), "750");
  });

  it("When the program fails with 6000, Then .rpc() and .simulate() reject with the IDL's error", async () => {
    const { program } = setup();
    for (const call of [() => program.methods.fail().rpc(), () => program.methods.fail().simulate()]) {
      await assert.rejects(call(), (err: { code?: number; msg?: string; logs?: string[] }) => {
        assert.equal(err.code, 6000);
        assert.equal(err.msg, "The smoke program failed on purpose");
        assert.ok(
          err.logs?.some((l) => l.includes("custom program error: 0x1770")),
          String(err.logs),
        );
        return true;
      });
    }
  });

  it("account.fetch, fetchNullable and all read accounts by discriminator", async () => {
    const { chain, program } = setup();
    const owner = Keypair.generate().publicKey;
    const counter = Keypair.generate().publicKey;
    chain.setAccount(counter, SMOKE_ID, counterData(owner, 42n));
    const other = Buffer.alloc(48, 7); // same owner program, another discriminator
    chain.setAccount(Keypair.generate().publicKey, SMOKE_ID, other);

    const fetched = await program.account.counter.fetch(counter);
    assert.equal(fetched.owner.toBase58(), owner.toBase58());
    assert.equal(fetched.count.toString(), "42");
    assert.equal(await program.account.counter.fetchNullable(Keypair.generate().publicKey), null);
    const all = await program.account.counter.all();
    assert.deepEqual(
      all.map((a) => a.publicKey.toBase58()),
      [counter.toBase58()],
    );
  });
});
