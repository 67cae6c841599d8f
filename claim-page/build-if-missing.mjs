// Builds the claim page into dist/ when it is missing or older than its sources (the page's and
// the client library's): run by `npm install` (postinstall), by the daemon at start and by the
// e2e test, so a fresh clone serves /claim with no extra step and nobody tests a stale page.
// `--force` rebuilds; `--strict` exits non-zero when the build fails. Without vite (an install
// that left out dev dependencies) it says so and exits 0: the daemon prints the build command.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const page = join(here, "dist", "index.html");
const SOURCES = [
  join(here, "src"),
  join(here, "index.html"),
  join(here, "vite.config.ts"),
  join(here, "package.json"),
  join(here, "..", "clients", "src"),
];

/** The newest modification time under `path`. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const builtAt = existsSync(page) ? statSync(page).mtimeMs : undefined;
const fresh = builtAt !== undefined && SOURCES.every((p) => newest(p) <= builtAt);
if (fresh && !process.argv.includes("--force")) process.exit(0);
if (builtAt !== undefined) console.error("claim page: its sources changed since the last build; building it again");

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
