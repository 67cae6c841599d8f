import assert from "node:assert/strict";
import { meritDistributorIdl } from "../idl/merit-distributor.js";
import { PROGRAM_ERROR_SENTENCES, parseProgramError, programErrorByCode, programErrorByName } from "./errors.js";

describe("program errors as sentences", () => {
  it("Given the IDL, Then every error it declares has a sentence, and no sentence names an error it lacks", () => {
    const names = meritDistributorIdl.errors.map((e) => e.name);
    const missing = names.filter((n) => !(PROGRAM_ERROR_SENTENCES as Record<string, string>)[n]);
    assert.deepEqual(missing, [], `errors without a sentence: ${missing.join(", ")}`);
    assert.deepEqual(Object.keys(PROGRAM_ERROR_SENTENCES).sort(), [...names].sort());
    for (const e of meritDistributorIdl.errors) {
      const info = programErrorByCode(e.code);
      assert.equal(info?.name, e.name);
      assert.ok(info!.sentence.length > 20 && !info!.sentence.endsWith("."), `${e.name}: "${info!.sentence}"`);
    }
  });

  it("Given InvalidProof, Then its sentence tells the user to fetch a new proof", () => {
    assert.equal(programErrorByName("InvalidProof")?.sentence, "this proof is not for the active root; fetch a new one");
    assert.equal(programErrorByName("InvalidProof")?.code, 6026);
    assert.equal(programErrorByName("NoSuchError"), undefined);
  });

  it("Given each shape a failure arrives in, Then the program's error is found", () => {
    const logs = [
      "Program 5y2NyTdPLmNXuGWcwv6WFwA9cLakpE8qeVaWa3vYy2Ku invoke [1]",
      "Program log: AnchorError occurred. Error Code: InvalidProof. Error Number: 6026. Error Message: Merkle proof does not lead to the root.",
      "Program 5y2NyTdPLmNXuGWcwv6WFwA9cLakpE8qeVaWa3vYy2Ku failed: custom program error: 0x178a",
    ];
    assert.equal(parseProgramError(logs)?.name, "InvalidProof");
    assert.equal(
      parseProgramError("Transaction simulation failed: Error processing Instruction 2: custom program error: 0x1788")?.name,
      "RootSuperseded",
    );
    assert.equal(parseProgramError({ InstructionError: [1, { Custom: 6028 }] })?.name, "NothingToClaim");
    assert.equal(parseProgramError({ error: { errorCode: { code: "Paused", number: 6015 } } })?.name, "Paused");
    const sendError = Object.assign(new Error("Simulation failed."), { transactionLogs: logs });
    assert.equal(parseProgramError(sendError)?.name, "InvalidProof");
  });

  it("Given failures that are not the distributor's (a token program error, a network error, an unknown code), Then none is found", () => {
    assert.equal(parseProgramError("custom program error: 0x1"), undefined);
    assert.equal(parseProgramError(new Error("fetch failed")), undefined);
    assert.equal(parseProgramError({ InstructionError: [0, "InvalidAccountData"] }), undefined);
    assert.equal(parseProgramError(undefined), undefined);
  });
});
