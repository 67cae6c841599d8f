import { type Hash, createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { DatasetError } from "./errors.js";

export type DatasetSource = string | Readable | AsyncIterable<Uint8Array>;

/**
 * The lines of a dataset as they stream in, while `hash` sees every byte. Only "\n" ends a line
 * (readline would also split on a lone "\r" and hide it); a file must end with one.
 */
export async function* datasetLines(source: DatasetSource, hash: Hash = createHash("sha256")): AsyncGenerator<string> {
  const input = typeof source === "string" ? createReadStream(source) : source;
  const decoder = new StringDecoder("utf8");
  let rest = "";
  let lineNo = 0;
  for await (const chunk of input) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Uint8Array);
    hash.update(bytes);
    const text = rest + decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      lineNo++;
      yield text.slice(start, nl);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest.length > 0) {
    throw new DatasetError("MALFORMED_RECORD", "the file does not end with a newline", lineNo + 1);
  }
}
