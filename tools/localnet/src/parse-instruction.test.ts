import assert from "node:assert/strict";
import * as spl from "@solana/spl-token";
import { Keypair, SystemProgram } from "@solana/web3.js";
import { parseInstruction } from "./parse-instruction.js";

// Instructions built by spl-token / web3.js, parsed the way getParsedTransaction shows them.
const keys = () => Keypair.generate().publicKey;
function parsed(ix: { programId: { toBase58(): string }; keys: { pubkey: { toBase58(): string } }[]; data: Buffer }) {
  return parseInstruction(
    ix.programId.toBase58(),
    ix.keys.map((k) => k.pubkey.toBase58()),
    ix.data,
    null,
  );
}

describe("localnet jsonParsed instructions", () => {
  it("given a transferChecked, when parsed, then the info carries source, mint, destination, authority and the token amount", () => {
    const [src, mint, dst, owner] = [keys(), keys(), keys(), keys()];
    const p = parsed(spl.createTransferCheckedInstruction(src, mint, dst, owner, 1_234_500n, 4));
    assert.deepEqual(p, {
      program: "spl-token",
      programId: spl.TOKEN_PROGRAM_ID.toBase58(),
      parsed: {
        type: "transferChecked",
        info: {
          source: src.toBase58(),
          mint: mint.toBase58(),
          destination: dst.toBase58(),
          authority: owner.toBase58(),
          tokenAmount: { amount: "1234500", decimals: 4, uiAmount: 123.45, uiAmountString: "123.45" },
        },
      },
      stackHeight: null,
    });
  });

  it("given a multisig transfer, when parsed, then the authority is multisigAuthority followed by its signers", () => {
    const [src, dst, multisig, s1, s2] = [keys(), keys(), keys(), keys(), keys()];
    const p = parsed(spl.createTransferInstruction(src, dst, multisig, 5n, [s1, s2])) as { parsed: { info: Record<string, unknown> } };
    assert.deepEqual(p.parsed.info, {
      source: src.toBase58(),
      destination: dst.toBase58(),
      multisigAuthority: multisig.toBase58(),
      signers: [s1.toBase58(), s2.toBase58()],
      amount: "5",
    });
  });

  it("given System and unknown instructions, when parsed, then System is parsed and the unknown one stays raw", () => {
    const [from, to] = [keys(), keys()];
    const sys = parsed(SystemProgram.transfer({ fromPubkey: from, toPubkey: to, lamports: 9 })) as { parsed: unknown };
    assert.deepEqual(sys.parsed, { type: "transfer", info: { source: from.toBase58(), destination: to.toBase58(), lamports: 9 } });
    const program = keys().toBase58();
    assert.deepEqual(parseInstruction(program, [from.toBase58()], new Uint8Array([1, 2]), 2), {
      programId: program,
      accounts: [from.toBase58()],
      data: "5T",
      stackHeight: 2,
    });
    // Token data too short for its tag is shown raw rather than guessed.
    const short = parseInstruction(spl.TOKEN_PROGRAM_ID.toBase58(), [from.toBase58()], new Uint8Array([3, 1]), null);
    assert.ok("data" in short);
  });
});
