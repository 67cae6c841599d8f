import { Connection, Keypair, LAMPORTS_PER_SOL, type Commitment } from "@solana/web3.js";
import { startLocalnet, type Localnet, type LocalnetOptions } from "@merit/localnet";

/**
 * Mocha helpers for tests that need a chain over real HTTP: a localnet per `describe`, a web3.js
 * Connection to it, funded keypairs. Lives beside the localnet so every suite uses one recipe.
 */
export interface LocalnetFixture {
  net: Localnet;
  connection: Connection;
}

export function useLocalnet(opts: LocalnetOptions & { commitment?: Commitment } = {}): () => LocalnetFixture {
  let fixture: LocalnetFixture | undefined;
  before(async () => {
    const net = await startLocalnet({ port: 0, ...opts });
    fixture = { net, connection: new Connection(net.url, opts.commitment ?? "confirmed") };
  });
  after(async () => {
    if (!fixture) return;
    closeConnection(fixture.connection);
    await fixture.net.stop();
  });
  return () => {
    if (!fixture) throw new Error("useLocalnet: not started (call it inside describe, use it inside tests)");
    return fixture;
  };
}

/** A new keypair holding `sol` SOL from the faucet, confirmed. */
export async function fundedKeypair(connection: Connection, sol = 10): Promise<Keypair> {
  const kp = Keypair.generate();
  const signature = await connection.requestAirdrop(kp.publicKey, sol * LAMPORTS_PER_SOL);
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
  await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight });
  return kp;
}

/**
 * web3.js keeps reconnecting its WebSocket forever once the server is gone, printing an error each
 * second; close it for good before stopping a localnet.
 */
export function closeConnection(connection: Connection): void {
  const ws = (connection as unknown as { _rpcWebSocket?: { setAutoReconnect(on: boolean): void; close(): void } })._rpcWebSocket;
  ws?.setAutoReconnect(false);
  ws?.close();
}

/** A raw JSON-RPC call over HTTP (what a non-web3.js client or a curl user sends). */
export async function rpc(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/**
 * Waits until the chain's head has moved past the slot it is in now: ingest completes a slot only
 * once the chain has left it (its watermark stays behind the open head), so a test that sends
 * settlements and then runs one ingest pass waits here in between.
 */
export async function untilHeadPasses(connection: Connection): Promise<void> {
  const now = await connection.getSlot("confirmed");
  while ((await connection.getSlot("confirmed")) <= now) await new Promise((r) => setTimeout(r, 100));
}
