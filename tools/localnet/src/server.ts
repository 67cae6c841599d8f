import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { WebSocketServer } from "ws";
import type { Chain } from "./chain.js";
import { methods } from "./methods/index.js";
import { handleBody } from "./rpc.js";
import { Subscriptions } from "./ws.js";

/**
 * HTTP JSON-RPC plus WebSocket PubSub, on `port` and `port + 1`: web3.js' Connection derives its
 * WebSocket URL as the HTTP port + 1 (the validator's layout), and some clients upgrade on the HTTP
 * port itself, so both ports serve both. The `ws` module loads just after the server is ready
 * (upgrades arriving earlier wait for it), which keeps it off the start-up path.
 */
const MAX_BODY = 50 * 1024 * 1024;
/** Validators allow any origin, so browser dapps can call them; so does the localnet. */
const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, GET, OPTIONS",
  "access-control-allow-headers": "content-type, solana-client",
};

export interface Listening {
  port: number;
  close(): Promise<void>;
}

function onRequest(chain: Chain, log: (line: string) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "OPTIONS") {
      res.writeHead(204, CORS).end();
      return;
    }
    if (req.method === "GET" && req.url === "/health") {
      res.writeHead(200, { "content-type": "text/plain", ...CORS }).end("ok");
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST, GET, OPTIONS" }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      if (res.headersSent) return;
      const out = handleBody(Buffer.concat(chunks).toString("utf8"), methods, chain, log);
      res.writeHead(200, { "content-type": "application/json", ...CORS }).end(out ?? "");
    });
  };
}

function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function serve(
  chain: Chain,
  opts: { port: number; host: string; slotMs: number; log: (line: string) => void },
): Promise<Listening> {
  const subs = new Subscriptions(chain, opts.log, opts.slotMs);
  let wss: Promise<WebSocketServer> | undefined;
  const webSockets = () =>
    (wss ??= import("ws").then(({ WebSocketServer }) => {
      const server = new WebSocketServer({ noServer: true });
      server.on("connection", (ws) => subs.attach(ws));
      return server;
    }));
  const make = () => {
    const s = createServer({ keepAliveTimeout: 60_000 }, onRequest(chain, opts.log));
    s.on("upgrade", (req, socket, head) => {
      void webSockets().then((w) => w.handleUpgrade(req, socket, head, (ws) => w.emit("connection", ws, req)));
    });
    return s;
  };
  // A random port needs its neighbour free too; retry a few times if it is taken.
  for (let attempt = 0; ; attempt++) {
    const http = make();
    const port = await listenOn(http, opts.port, opts.host);
    const ws = make();
    try {
      await listenOn(ws, port + 1, opts.host);
    } catch (err) {
      await closeServer(http);
      if (opts.port !== 0 || attempt >= 10) throw err;
      continue;
    }
    setImmediate(() => void webSockets());
    return {
      port,
      async close() {
        const w = await webSockets();
        for (const client of w.clients) client.terminate();
        w.close();
        subs.close();
        await Promise.all([closeServer(http), closeServer(ws)]);
      },
    };
  }
}
