// Plain-JS entry of the hash worker. The library runs as TypeScript through tsx with no build step,
// and a Node 20 worker inherits no loader from its parent (neither the tsx CLI's nor `--import`),
// so the worker loads its TypeScript body through tsx's API.
import { tsImport } from "tsx/esm/api";

await tsImport("./hash-worker.ts", import.meta.url);
