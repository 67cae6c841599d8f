// The claim page (workspace claim-page/, built by vite into claim-page/dist) at /claim, and the
// config.json beside it that names the RPC browsers use; the API is the page's own origin.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono, type MiddlewareHandler } from "hono";

const PAGE_DIR = fileURLToPath(new URL("../../../claim-page/", import.meta.url));
export const CLAIM_PAGE_DIST = `${PAGE_DIR}dist`;
export const CLAIM_PAGE_BUILD_COMMAND = "npm run build -w @merit/claim-page";

export const claimPageBuilt = (dist = CLAIM_PAGE_DIST): boolean => existsSync(`${dist}/index.html`);

export interface ClaimPageOptions {
  /** The RPC browsers read the chain through (never a provider URL with a key in it); undefined: the page asks for ?rpc=. */
  rpcUrl: string | undefined;
  /** The built files; default claim-page/dist. */
  dist?: string;
}

export function claimPageRoutes(o: ClaimPageOptions): Hono {
  const dist = o.dist ?? CLAIM_PAGE_DIST;
  const app = new Hono();
  // The page's assets are relative to it: /claim must end with a slash.
  app.get("/claim", (c) => c.redirect(`/claim/${new URL(c.req.url).search}`, 301));
  app.get("/claim/config.json", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(o.rpcUrl ? { rpc: o.rpcUrl } : {});
  });
  let files: MiddlewareHandler | undefined;
  app.get("/claim/*", async (c, next) => {
    if (!claimPageBuilt(dist)) {
      return c.text(`The claim page is not built yet: run \`${CLAIM_PAGE_BUILD_COMMAND}\` (npm install does it), then reload.\n`, 503);
    }
    files ??= serveStatic({ root: dist, rewriteRequestPath: (p) => p.replace(/^\/claim/, "") });
    // Hashed asset names never change content; the page itself is looked up again each time.
    c.header("Cache-Control", c.req.path.startsWith("/claim/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    return files(c, next);
  });
  return app;
}

/**
 * Builds the page when it is missing or older than its sources (an install that skipped scripts,
 * a pull that changed the page), in the background: /claim answers 503 while dist/ is rebuilt.
 * An up-to-date build costs one short child process.
 */
export function buildClaimPageIfMissing(log: (line: string) => void, signal?: AbortSignal): Promise<boolean> {
  const missing = !claimPageBuilt();
  if (missing) log(`claim page: not built; building it now (${CLAIM_PAGE_BUILD_COMMAND})`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["build-if-missing.mjs", "--strict"], {
      cwd: PAGE_DIR,
      stdio: ["ignore", "ignore", "pipe"],
      signal,
    });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e) => {
      if (signal?.aborted) return resolve(false);
      log(`claim page: could not build it (${e.message}); run \`${CLAIM_PAGE_BUILD_COMMAND}\``);
      resolve(false);
    });
    child.on("exit", (code) => {
      if (signal?.aborted) return resolve(false);
      const ok = code === 0 && claimPageBuilt();
      const rebuilt = missing || err.includes("building it again");
      if (!ok)
        log(
          `claim page: the build failed; run \`${CLAIM_PAGE_BUILD_COMMAND}\` to see why${err ? `: ${err.trim().split("\n").at(-1)}` : ""}`,
        );
      else if (rebuilt) log("claim page: built");
      resolve(ok);
    });
  });
}
