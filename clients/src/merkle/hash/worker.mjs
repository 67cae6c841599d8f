// The helper thread of buildTree: plain JavaScript, so it starts without tsx (see levels.mjs).
// Each job is a build in progress; the worker claims chunks of it until none is left (chunks.mjs).
// A job that arrives after the build finished finds nothing to claim.
import { parentPort } from "node:worker_threads";
import { claimChunks } from "./chunks.mjs";

parentPort.on("message", (job) => claimChunks(job));
