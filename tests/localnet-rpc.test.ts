// The localnet speaks JSON-RPC 2.0 like a validator: standard errors, batches, and the cluster
// methods web3.js calls before anything else.
import assert from "node:assert/strict";
import { PublicKey } from "@solana/web3.js";
import { WebSocket } from "ws";
import { useLocalnet, rpc } from "./helpers/localnet.js";

describe("localnet JSON-RPC protocol", () => {
  const chain = useLocalnet();

  it("given an unknown method, when it is called, then the error is -32601 naming the method", async () => {
    const { json } = await rpc(chain().net.url, { jsonrpc: "2.0", id: 7, method: "getFancyThing", params: [] });
    assert.deepEqual(json, { jsonrpc: "2.0", id: 7, error: { code: -32601, message: "Method not found: getFancyThing" } });
  });

  it("given a body that is not JSON, when it is posted, then the error is -32700 with a null id", async () => {
    const { json } = await rpc(chain().net.url, "{not json");
    assert.deepEqual(json, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
  });

  it("given requests without jsonrpc 2.0 or a method, when posted, then each is -32600", async () => {
    for (const bad of [{ id: 1, method: "getSlot" }, { jsonrpc: "2.0", id: 1 }, 42, []]) {
      const { json } = await rpc(chain().net.url, bad);
      assert.equal((json as { error: { code: number } }).error.code, -32600, JSON.stringify(bad));
    }
  });

  it("given invalid params, when a method is called, then the error is -32602 and says which param", async () => {
    const { json } = await rpc(chain().net.url, { jsonrpc: "2.0", id: 1, method: "getBalance", params: ["not-a-key!"] });
    const error = (json as { error: { code: number; message: string } }).error;
    assert.equal(error.code, -32602);
    assert.match(error.message, /pubkey/);
  });

  it("given a batch, when posted, then each request is answered in order with its own id and errors stay per request", async () => {
    const { json } = await rpc(chain().net.url, [
      { jsonrpc: "2.0", id: "a", method: "getHealth" },
      { jsonrpc: "2.0", id: "b", method: "nope" },
      { jsonrpc: "2.0", method: "getHealth" }, // a notification: no reply
      { jsonrpc: "2.0", id: "c", method: "getGenesisHash" },
    ]);
    const replies = json as { id: string; result?: unknown; error?: { code: number } }[];
    assert.deepEqual(
      replies.map((r) => r.id),
      ["a", "b", "c"],
    );
    assert.equal(replies[0]!.result, "ok");
    assert.equal(replies[1]!.error?.code, -32601);
    assert.equal(typeof replies[2]!.result, "string");
  });

  it("given a Connection, when it reads cluster state, then slots, block height and epoch agree and a fresh blockhash is valid", async () => {
    const { connection } = chain();
    const height = await connection.getBlockHeight();
    const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
    assert.ok(lastValidBlockHeight >= height + 150, `${lastValidBlockHeight} vs ${height}`);
    assert.equal(await connection.isBlockhashValid(blockhash).then((r) => r.value), true);
    assert.equal(await connection.isBlockhashValid("11111111111111111111111111111111").then((r) => r.value), false);
    const slot = await connection.getSlot();
    const epoch = await connection.getEpochInfo();
    assert.ok(epoch.absoluteSlot >= slot);
    assert.equal(epoch.slotsInEpoch, 432_000);
    assert.equal((await connection.getVersion())["solana-core"].split(".").length, 3);
    assert.equal(await connection.getMinimumBalanceForRentExemption(165), 2_039_280);
  });

  it("given time passing, when slots are read 1 s apart, then the slot advanced by about the slot duration", async () => {
    const { connection } = chain();
    // Bounds from the wall clock around each call, so a slow machine cannot make this flaky.
    const timed = async () => {
      const t0 = Date.now();
      const slot = await connection.getSlot();
      return { slot, t0, t1: Date.now() };
    };
    const a = await timed();
    await new Promise((r) => setTimeout(r, 1000));
    const b = await timed();
    const [least, most] = [Math.floor((b.t0 - a.t1) / 400) - 1, Math.ceil((b.t1 - a.t0) / 400) + 1];
    assert.ok(
      b.slot - a.slot >= Math.max(least, 2) && b.slot - a.slot <= most,
      `${a.slot} -> ${b.slot}, expected ${least}..${most} slots of 400 ms`,
    );
  });

  it("given a WebSocket on the HTTP port itself, when subscribing to a signature that already landed, then the id comes back and the notification follows at once", async () => {
    const { net, connection } = chain();
    const signature = await connection.requestAirdrop(new PublicKey("11111111111111111111111111111112"), 1_000_000_000);
    const ws = new WebSocket(net.url.replace("http", "ws"));
    const messages: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on("open", () =>
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: 9, method: "signatureSubscribe", params: [signature, { commitment: "finalized" }] })),
      );
      ws.on("message", (m) => {
        messages.push(JSON.parse(String(m)));
        if (messages.length === 2) resolve();
      });
      ws.on("error", reject);
    });
    ws.close();
    const [reply, note] = messages as [
      { id: number; result: number },
      { method: string; params: { subscription: number; result: { value: { err: unknown } } } },
    ];
    assert.equal(reply.id, 9);
    assert.equal(note.method, "signatureNotification");
    assert.equal(note.params.subscription, reply.result);
    assert.deepEqual(note.params.result.value, { err: null });
  });

  it("given the litesvm handle, when a test sets an account through it, then the RPC serves that account", async () => {
    const { net, connection } = chain();
    const key = new PublicKey("11111111111111111111111111111113");
    net.svm.setAccount({
      address: key.toBase58(),
      lamports: 123_456n,
      data: new Uint8Array([7]),
      programAddress: "11111111111111111111111111111111",
      executable: false,
      space: 1n,
    } as never);
    assert.equal(await connection.getBalance(key), 123_456);
    assert.equal(net.svm.getBalance(key.toBase58() as never), 123_456n);
  });

  it("given GET /health and a CORS preflight, when requested, then they are answered like a validator", async () => {
    const res = await fetch(`${chain().net.url}/health`);
    assert.equal(await res.text(), "ok");
    // Browser dapps call validators cross-origin; the preflight is allowed here too.
    const preflight = await fetch(chain().net.url, { method: "OPTIONS" });
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
  });
});
