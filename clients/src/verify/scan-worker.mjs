// Entry of the scan worker (scan.ts, scanDatasetBeside). This library ships as TypeScript source:
// a worker thread does not inherit the parent's `--import tsx`, so the loader is registered here
// when it is installed; without it the import fails and the caller scans in its own thread.
try {
  const { register } = await import("tsx/esm/api");
  register();
} catch {
  // no tsx: a runtime that loads .ts itself, or the caller's fallback
}
await import(new URL("./scan-worker.ts", import.meta.url).href);
