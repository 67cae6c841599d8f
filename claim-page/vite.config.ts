import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const shim = (name: string) => fileURLToPath(new URL(`./src/shims/${name}.ts`, import.meta.url));

// The client library is written for Node; in the browser its few Node built-ins are shims (SHA-256
// from @noble/hashes, shards over fetch only, no hashing worker: a claim builds no tree).
/** The client library's hashing worker, SIMD module, check thread and shard thread: only tree builds use them, never a claim. */
const noHashWorker: Plugin = {
  name: "merit-no-hash-worker",
  enforce: "pre",
  resolveId(source, importer) {
    if (importer?.includes("/clients/src/merkle/") && /(^|\/)(pool\.js|sha256-wasm\.mjs|thread\.js)$/.test(source))
      return shim("hash-worker");
    return null;
  },
};

export default defineConfig({
  base: "./",
  plugins: [noHashWorker],
  resolve: {
    alias: [
      { find: /^node:crypto$/, replacement: shim("crypto") },
      { find: /^node:fs(\/promises)?$/, replacement: shim("fs") },
      { find: /^node:path$/, replacement: shim("path") },
      { find: /^node:worker_threads$/, replacement: shim("worker-threads") },
      // Anchor's browser build has no default export, which the client library imports.
      { find: /^@coral-xyz\/anchor$/, replacement: shim("anchor") },
    ],
  },
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      // zod's comments about its own tree-shaking, which rollup drops: nothing to act on.
      onwarn(warning, warn) {
        if (warning.code !== "INVALID_ANNOTATION") warn(warning);
      },
    },
  },
  define: { "process.env.NODE_DEBUG": "undefined" },
});
