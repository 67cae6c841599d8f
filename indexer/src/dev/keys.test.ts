import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { devKeysDir, keptKeypair, keptKeypairs } from "./keys.js";

describe("the local stack's kept keys", () => {
  let dir = "";
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "merit-keys-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("given no key file, when a key is asked for twice, then it is created owner-only once and read back the same", () => {
    const first = keptKeypair(dir, "admin");
    assert.equal(statSync(join(devKeysDir(dir), "admin.json")).mode & 0o777, 0o600);
    assert.equal(keptKeypair(dir, "admin").publicKey.toBase58(), first.publicKey.toBase58());
    assert.notEqual(keptKeypair(dir, "guardian").publicKey.toBase58(), first.publicKey.toBase58());
  });

  it("given kept payers, when more are asked for, then the kept ones come first and the new ones are kept too", () => {
    const two = keptKeypairs(dir, "payers", 2).map((k) => k.publicKey.toBase58());
    const three = keptKeypairs(dir, "payers", 3).map((k) => k.publicKey.toBase58());
    assert.deepEqual(three.slice(0, 2), two);
    assert.deepEqual(
      keptKeypairs(dir, "payers", 3).map((k) => k.publicKey.toBase58()),
      three,
    );
  });
});
