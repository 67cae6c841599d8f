import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Connection, Keypair } from "@solana/web3.js";
import bs58 from "bs58";
import { MeritError } from "../errors.js";
import { type ChainView, offlineProgram } from "./chain.js";
import { publisherKeypair } from "./keypair.js";
import { proposalRefusals } from "./publish.js";
import { nextRun, parseSchedule, scheduleProblem } from "./schedule.js";

const key = () => Keypair.generate().publicKey;

function view(over: Partial<ChainView["distributor"]> = {}, vaultBalance = 1_000n): ChainView {
  return {
    distributor: {
      address: key(),
      admin: key(),
      pendingAdmin: null,
      creator: key(),
      mint: key(),
      tokenProgram: key(),
      publisher: key(),
      guardian: key(),
      vault: key(),
      paused: false,
      maxTotalIncrease: 500n,
      activationDelay: 3600n,
      gracePeriod: 600n,
      claimExpiry: 0n,
      latestEpoch: 0n,
      currentEpoch: 0n,
      currentTotal: 0n,
      totalClawedBack: 0n,
      latestTotal: 0n,
      totalClaimed: 0n,
      pending: [],
      ...over,
    },
    vaultBalance,
    epochRoot: undefined,
  };
}

describe("publish: refusals before sending", () => {
  it("given a covered vault and growth within the cap, then nothing is refused", () => {
    const v = view();
    assert.deepEqual(proposalRefusals({ epoch: 1n, cumulativeTotal: 500n }, v, v.distributor.publisher), []);
  });

  it("given claims already paid, then the obligation is the cumulative total minus what was claimed", () => {
    const v = view({ latestTotal: 900n, totalClaimed: 600n }, 700n);
    assert.deepEqual(proposalRefusals({ epoch: 2n, cumulativeTotal: 1_300n }, v, v.distributor.publisher), []);
    const r = proposalRefusals({ epoch: 2n, cumulativeTotal: 1_301n }, v, v.distributor.publisher);
    assert.deepEqual(
      r.map((x) => [x.code, x.forceable]),
      [["vault_uncovered", true]],
    );
    assert.match(r[0]!.message, /holds 700 but the new outstanding obligation is 701 \(cumulative total 1301 minus 600 claimed\)/);
  });

  it("given growth over the cap from the newest non-vetoed root, then it says so (forceable); a decrease, a pause, a stale epoch or a foreign key are not forceable", () => {
    const v = view({ latestTotal: 100n, latestEpoch: 3n, paused: true }, 10_000n);
    const r = proposalRefusals({ epoch: 3n, cumulativeTotal: 601n }, v, key());
    assert.deepEqual(
      r.map((x) => [x.code, x.forceable]),
      [
        ["distributor_paused", false],
        ["not_publisher", false],
        ["epoch_out_of_order", false],
        ["cap_exceeded", true],
      ],
    );
    assert.match(r[3]!.message, /growth 501 .* exceeds the program's per-epoch cap max_total_increase 500/);
    assert.deepEqual(
      proposalRefusals({ epoch: 4n, cumulativeTotal: 99n }, view({ latestTotal: 100n }), undefined).map((x) => x.code),
      ["total_decreased"],
    );
  });
});

describe("publish: the publisher key", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "merit-key-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("given a keypair file or the secret in the environment (JSON or base58), then it loads the same key", () => {
    const kp = Keypair.generate();
    const file = join(dir, "k.json");
    writeFileSync(file, JSON.stringify([...kp.secretKey]));
    for (const e of [
      { PUBLISHER_KEYPAIR: file },
      { PUBLISHER_SECRET_KEY: JSON.stringify([...kp.secretKey]) },
      { PUBLISHER_SECRET_KEY: bs58.encode(kp.secretKey) },
    ]) {
      assert.ok(publisherKeypair(e).publicKey.equals(kp.publicKey));
    }
  });

  it("given a bad or missing key, then the message names the source and never the content", () => {
    const secret = "4".repeat(80);
    const file = join(dir, "bad.json");
    writeFileSync(file, `[${"7,".repeat(10)}7]`);
    for (const [e, code] of [
      [{ PUBLISHER_SECRET_KEY: secret }, "bad_keypair"],
      [{ PUBLISHER_KEYPAIR: file }, "bad_keypair"],
      [{ PUBLISHER_KEYPAIR: join(dir, "none") }, "bad_keypair"],
      [{}, "no_publisher_key"],
    ] as const) {
      assert.throws(
        () => publisherKeypair(e),
        (err: unknown) => err instanceof MeritError && err.code === code && !err.message.includes(secret) && !err.message.includes("7,7"),
      );
    }
  });
});

describe("publish: the program", () => {
  it("given MERIT_PROGRAM_ID, then PDAs and instructions use that id instead of the IDL's", () => {
    const id = key();
    const p = offlineProgram(new Connection("http://127.0.0.1:9"), id.toBase58());
    assert.ok(p.programId.equals(id));
    assert.notEqual(offlineProgram(new Connection("http://127.0.0.1:9")).programId.toBase58(), id.toBase58());
  });
});

describe("publish: the schedule", () => {
  const T = Date.parse("2026-12-05T10:20:00Z");
  it("given every N minutes or hours, then runs come every interval from the start", () => {
    assert.equal(nextRun(parseSchedule("every 30m"), T, T), T + 30 * 60_000);
    assert.equal(nextRun(parseSchedule("every 6h"), T + 7 * 3_600_000, T), T + 12 * 3_600_000);
  });
  it("given every N seconds (the local chain's crash tests), then runs come every N seconds", () => {
    assert.equal(nextRun(parseSchedule("every 10s"), T + 25_000, T), T + 30_000);
    assert.equal(parseSchedule("every 2 seconds").kind, "every");
  });
  it("given UTC times of day, then the next one today, else the first tomorrow", () => {
    const s = parseSchedule("at 12:00, 00:30");
    assert.equal(new Date(nextRun(s, T)).toISOString(), "2026-12-05T12:00:00.000Z");
    assert.equal(new Date(nextRun(s, Date.parse("2026-12-05T12:00:00Z"))).toISOString(), "2026-12-06T00:30:00.000Z");
  });
  it("given nonsense, then it says what a schedule looks like", () => {
    assert.match(scheduleProblem("hourly")!, /write "every 30m", "every 6h" or "at 00:00,12:00"/);
    assert.match(scheduleProblem("at 25:00")!, /not a time of day/);
    assert.equal(scheduleProblem("every 2 hours"), undefined);
  });
});
