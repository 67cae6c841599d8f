// Builds the claim page into dist/ when it is not built yet: run by `npm install` (postinstall) and
// by the daemon when it starts without a build, so a fresh clone serves /claim with no extra step.
// `--force` rebuilds; `--strict` exits non-zero when the build fails. Without vite (an install that left out dev dependencies) it says so and
// exits 0: the daemon then prints the command that builds the page.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const built = existsSync(join(here, "dist", "index.html"));
if (built && !process.argv.includes("--force")) process.exit(0);

let viteBin;
try {
  const pkg = createRequire(import.meta.url).resolve("vite/package.json");
  viteBin = join(dirname(pkg), "bin", "vite.js");
} catch {
  console.error(
    "claim page: vite is not installed (dev dependencies left out); run `npm install` then `npm run build -w @merit/claim-page`",
  );
  process.exit(0);
}
const r = spawnSync(process.execPath, [viteBin, "build", "--logLevel", "warn"], { cwd: here, stdio: "inherit" });
if (r.status !== 0) {
  // An install must not fail over the page: the daemon says the page is missing, the e2e test fails.
  console.error("claim page: the build failed (see above); `npm run build -w @merit/claim-page` retries it");
  process.exit(process.argv.includes("--strict") ? 1 : 0);
}
