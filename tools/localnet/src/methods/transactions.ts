import bs58 from "bs58";
import { decodeTransaction } from "../decode-transaction.js";
import { encodeAccount } from "../encode-account.js";
import { checkVersion, encodeConfirmed, txEncoding } from "../encode-transaction.js";
import { computeFee } from "../execute.js";
import type { TxRecord } from "../history.js";
import { config, int, optInt, optStr, pubkey, pubkeyBytes, str, transactionBytes, wireBytes, type Params } from "../params.js";
import { parseInstruction } from "../parse-instruction.js";
import { invalidParams } from "../rpc-error.js";
import { decodeMessage } from "../wire.js";
import { optionsFor, readAccount } from "./accounts.js";
import { withContext, type Methods } from "./context.js";

function status(record: TxRecord) {
  const err = record.meta.err;
  return {
    slot: record.slot,
    confirmations: null,
    err,
    status: err === null ? { Ok: null } : { Err: err },
    confirmationStatus: "finalized",
  };
}

/** getTransaction's second param is a config object or, in old clients, the encoding itself. */
function txConfig(params: Params, i: number): Record<string, unknown> {
  return typeof params[i] === "string" ? { encoding: params[i] } : config(params, i);
}

export const transactionMethods: Methods = {
  sendTransaction(params: Params, chain) {
    const cfg = config(params, 1);
    const wire = transactionBytes(str(params, 0, "transaction"), optStr(cfg, "encoding"));
    return chain.submit(wire, { skipPreflight: cfg.skipPreflight === true });
  },

  simulateTransaction(params: Params, chain) {
    const cfg = config(params, 1);
    const sigVerify = cfg.sigVerify === true;
    const replace = cfg.replaceRecentBlockhash === true;
    if (sigVerify && replace) throw invalidParams("sigVerify may not be used with replaceRecentBlockhash");
    const tx = decodeTransaction(transactionBytes(str(params, 0, "transaction"), optStr(cfg, "encoding")));
    const block = chain.producer.tick();
    const blockhashOk = replace || chain.producer.isBlockhashValid(tx.recentBlockhash);
    const sim = blockhashOk ? chain.executor.simulate(tx, sigVerify) : undefined;
    const meta = sim?.meta;
    const requested = cfg.accounts as { addresses?: unknown; encoding?: unknown } | undefined;
    let accounts: unknown = null;
    if (requested && Array.isArray(requested.addresses)) {
      const opts = optionsFor(chain, { encoding: requested.encoding ?? "base64" });
      const post = new Map((sim?.post?.postAccounts() ?? []).map((a) => [bs58.encode(a.address), a.account()]));
      accounts = requested.addresses.map((address: unknown) => {
        if (typeof address !== "string") throw invalidParams("accounts.addresses must be strings");
        const after = post.get(address);
        return after ? encodeAccount(after, opts) : readAccount(chain, pubkeyBytes(address), opts);
      });
    }
    const keys = sim?.accountKeys ?? tx.staticKeys;
    return withContext(chain, {
      err: meta ? meta.err : "BlockhashNotFound",
      logs: meta ? meta.logMessages : [],
      accounts,
      unitsConsumed: meta?.computeUnitsConsumed ?? 0,
      returnData: meta?.returnData ?? null,
      innerInstructions:
        cfg.innerInstructions === true && meta
          ? meta.innerInstructions.map((g) => ({
              index: g.index,
              instructions: g.instructions.map((ix) =>
                parseInstruction(
                  keys[ix.programIdIndex] ?? "",
                  ix.accounts.map((i) => keys[i] ?? ""),
                  bs58.decode(ix.data),
                  ix.stackHeight,
                ),
              ),
            }))
          : null,
      loadedAccountsDataSize: 0,
      fee: meta ? meta.fee : null,
      replacementBlockhash: replace ? { blockhash: block.blockhash, lastValidBlockHeight: chain.producer.lastValidBlockHeight() } : null,
    });
  },

  getSignatureStatuses(params: Params, chain) {
    const sigs = params[0];
    if (!Array.isArray(sigs) || sigs.some((s) => typeof s !== "string")) throw invalidParams("signatures must be an array of strings");
    if (sigs.length > 256) throw invalidParams("Too many inputs provided; max 256");
    return withContext(
      chain,
      sigs.map((s: string) => {
        const r = chain.history.get(s);
        return r ? status(r) : null;
      }),
    );
  },

  getTransaction(params: Params, chain) {
    const signature = str(params, 0, "signature");
    const cfg = txConfig(params, 1);
    const encoding = txEncoding(cfg.encoding);
    const record = chain.history.get(signature);
    if (!record) return null;
    return encodeConfirmed(record, encoding, checkVersion(record, cfg.maxSupportedTransactionVersion));
  },

  getSignaturesForAddress(params: Params, chain) {
    const { key } = pubkey(params, 0, "address");
    const cfg = config(params, 1);
    const limit = optInt(cfg, "limit") ?? 1000;
    if (limit < 1 || limit > 1000) throw invalidParams("Invalid limit; max 1000");
    const records = chain.history.forAddress(key, { before: optStr(cfg, "before"), until: optStr(cfg, "until"), limit });
    return records.map((r) => ({
      signature: r.signature,
      slot: r.slot,
      err: r.meta.err,
      memo: r.memo,
      blockTime: r.blockTime,
      confirmationStatus: "finalized",
    }));
  },

  requestAirdrop(params: Params, chain) {
    const { key } = pubkey(params, 0);
    return chain.requestAirdrop(key, BigInt(int(params, 1, "lamports")));
  },

  getFeeForMessage(params: Params, chain) {
    const message = decodeMessage(wireBytes(str(params, 0, "message"), "base64"));
    chain.producer.tick();
    return withContext(chain, chain.producer.isBlockhashValid(message.recentBlockhash) ? computeFee(message) : null);
  },
};
