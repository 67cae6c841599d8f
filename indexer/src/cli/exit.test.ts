import assert from "node:assert/strict";
import { ClaimError } from "@merit/clients/claim";
import { programErrorByName } from "@merit/clients/chain";
import { CommanderError } from "commander";
import { BugError, CallerError, UpstreamError } from "../errors.js";
import { EXIT, errorReport, exitCodeFor } from "./exit.js";

describe("cli exit codes: one mapping from an error to 0, 1, 2 or 3", () => {
  it("given commander's own outcomes, then help is 0 and a parse error is 2, with nothing more printed", () => {
    assert.equal(exitCodeFor(new CommanderError(0, "commander.helpDisplayed", "")), EXIT.ok);
    assert.equal(exitCodeFor(new CommanderError(1, "commander.unknownOption", "error: unknown option")), EXIT.badInput);
    assert.equal(errorReport(new CommanderError(1, "commander.unknownOption", "error: unknown option")), undefined);
  });

  it("given merit's typed errors, then caller is 2, upstream is 3, a program refusal is 2 and a bug is 1 with its stack", () => {
    assert.equal(exitCodeFor(new CallerError("bad_flags", "x")), EXIT.badInput);
    assert.equal(exitCodeFor(new UpstreamError("rpc_unreachable", "x", true)), EXIT.unavailable);
    assert.equal(exitCodeFor(new UpstreamError("publish_rejected", "refused", false)), EXIT.badInput);
    const bug = new BugError("dataset_mismatch", "broken");
    assert.equal(exitCodeFor(bug), EXIT.checkFailed);
    assert.match(errorReport(bug)!, /^error: broken\nthis is a bug in merit/);
  });

  it("given a socket error, alone or as the cause of fetch's error, then the database or service is unavailable (3)", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    assert.equal(exitCodeFor(refused), EXIT.unavailable);
    const fetchFailed = new TypeError("fetch failed", { cause: refused });
    assert.equal(exitCodeFor(fetchFailed), EXIT.unavailable);
    assert.match(errorReport(refused)!, /^error: the database is unavailable \(ECONNREFUSED\): start it/);
    assert.match(
      errorReport(fetchFailed)!,
      /^error: fetch failed: the service did not answer; check it is up and its URL \(--rpc, RPC_URL\)/,
    );
    const web3 = new Error("failed to get info about account 1111: TypeError: fetch failed");
    assert.equal(exitCodeFor(web3), EXIT.unavailable);
    assert.equal(exitCodeFor(new Error("something else")), EXIT.checkFailed);
  });

  it("given claim()'s errors, then the wallet's own situation or a refusal is 2, a source or cluster that may answer later is 3, each one sentence", () => {
    const already = ClaimError.client("AlreadyClaimed", "cumulative 30 in epoch 1, already claimed 30");
    assert.equal(exitCodeFor(already), EXIT.badInput);
    assert.equal(errorReport(already), `error: ${already.message}`);
    assert.equal(exitCodeFor(ClaimError.client("NotEligible")), EXIT.badInput);
    assert.equal(exitCodeFor(ClaimError.program(programErrorByName("InvalidProof")!)), EXIT.badInput);
    assert.equal(exitCodeFor(ClaimError.client("ProofSourceUnavailable", "HTTP 503")), EXIT.unavailable);
    assert.equal(exitCodeFor(ClaimError.program(programErrorByName("Paused")!)), EXIT.unavailable);
    assert.match(
      errorReport(ClaimError.program(programErrorByName("Paused")!))!,
      /^error: claims are paused by the distributor's guardian; try again later$/,
    );
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8899"), { code: "ECONNREFUSED" });
    const rpcGone = new ClaimError("TransactionFailed", "the transaction failed", {
      cause: new TypeError("fetch failed", { cause: refused }),
    });
    assert.equal(exitCodeFor(rpcGone), EXIT.unavailable);
    assert.equal(
      exitCodeFor(new ClaimError("TransactionFailed", "the transaction failed", { detail: "insufficient funds" })),
      EXIT.badInput,
    );
  });
});
