import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLAIM_PAGE_BUILD_COMMAND, claimPageRoutes } from "./claim-page.js";

describe("api: the claim page's routes", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "merit-claim-page-dist-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("given no build, when /claim/ is asked for, then 503 says the command that builds it", async () => {
    const app = claimPageRoutes({ rpcUrl: undefined, dist: join(dir, "missing") });
    const res = await app.request("/claim/");
    assert.equal(res.status, 503);
    assert.ok((await res.text()).includes(CLAIM_PAGE_BUILD_COMMAND));
  });

  it("given no RPC for browsers (a real cluster's RPC_URL), then config.json names none and the page asks for ?rpc=", async () => {
    const res = await claimPageRoutes({ rpcUrl: undefined, dist: dir }).request("/claim/config.json");
    assert.deepEqual(await res.json(), {});
    assert.equal(res.headers.get("cache-control"), "no-store");
  });

  it("given a build, then the page is served without caching and its hashed assets for good, and no path leaves the build", async () => {
    const dist = join(dir, "dist");
    mkdirSync(join(dist, "assets"), { recursive: true });
    writeFileSync(join(dist, "index.html"), "<title>page</title>");
    writeFileSync(join(dist, "assets", "app-1.js"), "x");
    writeFileSync(join(dir, "secret.txt"), "no");
    const app = claimPageRoutes({ rpcUrl: "https://rpc.example", dist });
    const page = await app.request("/claim/");
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("cache-control"), "no-cache");
    assert.equal(await page.text(), "<title>page</title>");
    const asset = await app.request("/claim/assets/app-1.js");
    assert.match(asset.headers.get("cache-control") ?? "", /immutable/);
    assert.equal((await app.request("/claim/../secret.txt")).status, 404);
    assert.equal((await app.request("/claim/%2e%2e/secret.txt")).status, 404);
  });
});
