// PATH|URL inputs of verify: a local file, or an http(s) URL downloaded once to a temporary file
// (a dataset of a million wallets is hundreds of MB: streamed to disk, never held in memory).
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { inputError } from "./errors.js";

export interface LocalFile {
  /** What the caller named (path or URL), for messages. */
  name: string;
  path: string;
  /** Removes the temporary copy of a download (no-op for a local file). */
  dispose(): Promise<void>;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

export async function openSource(name: string, what: string): Promise<LocalFile> {
  if (!isUrl(name)) {
    const s = await stat(name).catch(() => undefined);
    if (!s?.isFile()) throw inputError(`${what} ${name}: no such file`);
    return { name, path: name, dispose: async () => {} };
  }
  let res: Response;
  try {
    res = await fetch(name);
  } catch (err) {
    throw inputError(`${what} ${name}: cannot download (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message})`);
  }
  if (!res.ok || !res.body) throw inputError(`${what} ${name}: HTTP ${res.status}`);
  const dir = await mkdtemp(join(tmpdir(), "merit-verify-"));
  const path = join(dir, basename(new URL(name).pathname) || "download");
  await pipeline(Readable.fromWeb(res.body as never), createWriteStream(path));
  return { name, path, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Hex sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest("hex");
}
