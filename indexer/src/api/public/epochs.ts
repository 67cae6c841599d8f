import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Context } from "hono";
import { routes } from "@merit/clients/api";
import { CallerError } from "../../errors.js";
import { DATASET_FILE, epochDir, MANIFEST_FILE, SHARDS_DIR } from "../../epochs/close.js";
import { type EpochRow, getEpoch, listEpochs } from "../../epochs/queries.js";
import { ApiError } from "../errors.js";
import { newRouter } from "../router.js";
import { epochVisible, fromDb, type PublicContext } from "./context.js";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function summary(e: EpochRow) {
  return {
    epoch: e.epoch.toString(),
    status: e.status,
    root: e.root,
    leafCount: e.leafCount,
    points: e.points.toString(),
    released: e.released.toString(),
    cumulativeTotal: e.cumulativeTotal.toString(),
    closedAt: e.closedAt.toISOString(),
    activatesAt: iso(e.activatesAt),
    activatedAt: iso(e.activatedAt),
  };
}

/** A closed epoch whose files are written, or a 404 naming it. */
async function closedEpoch(ctx: PublicContext, requested: string | undefined, n: string): Promise<{ e: EpochRow; mint: string }> {
  const d = await ctx.requireDistributor(requested);
  const e = await fromDb(() => getEpoch(ctx.sql, d.address, BigInt(n)));
  if (!e || !epochVisible(ctx.deps.dataDir, e)) throw new CallerError("unknown_epoch", `epoch ${n} of ${d.address} is not closed`);
  return { e, mint: d.mint };
}

/**
 * An epoch's file as an immutable download: its bytes never change once the epoch is closed (a
 * rebuild writes the same bytes, checked against the hashes), so the ETag names the epoch's hashes
 * and caches may keep it for a year.
 */
async function immutableFile(c: Context, dataDir: string, e: EpochRow, relative: string, contentType: string): Promise<Response> {
  if (!e.filesAt) throw new ApiError(404, "files_missing", `the files of epoch ${e.epoch} are not written yet`);
  const etag = `"${e.datasetHash.slice(0, 16)}-${e.inputsHash.slice(0, 16)}-${relative.replace(/[^a-z0-9]/gi, "_")}"`;
  c.header("etag", etag);
  c.header("cache-control", "public, max-age=31536000, immutable");
  if ((c.req.header("if-none-match") ?? "").split(/\s*,\s*/).includes(etag)) return c.body(null, 304);
  const path = join(epochDir(dataDir, e.distributor, e.epoch), relative);
  const size = await stat(path).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) throw new CallerError("unknown_epoch", `epoch ${e.epoch} has no file ${relative}`);
  c.header("content-type", contentType);
  c.header("content-length", String(size));
  return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200);
}

/** GET /epochs, /epochs/:n and the epoch's files. */
export function epochsRouter(ctx: PublicContext) {
  const router = newRouter();

  router.openapi(routes.epochsRoute, async (c) => {
    const d = await ctx.requireDistributor(c.req.valid("query").distributor);
    const rows = await fromDb(() => listEpochs(ctx.sql, d.address));
    return c.json({ distributor: d.address, epochs: rows.filter((e) => epochVisible(ctx.deps.dataDir, e)).map(summary) }, 200);
  });

  router.openapi(routes.epochRoute, async (c) => {
    const { n } = c.req.valid("param");
    const { e, mint } = await closedEpoch(ctx, c.req.valid("query").distributor, n);
    const base = `/v1/epochs/${e.epoch}`;
    const q = c.req.valid("query").distributor ? `?distributor=${e.distributor}` : "";
    return c.json(
      {
        ...summary(e),
        distributor: e.distributor,
        mint,
        firstSlot: e.firstSlot?.toString() ?? null,
        cutoffSlot: e.cutoffSlot.toString(),
        settlementCount: e.settlementCount.toString(),
        allocated: e.allocated.toString(),
        datasetHash: e.datasetHash,
        inputsHash: e.inputsHash,
        proposeSignature: e.proposeSignature,
        proposedAt: iso(e.proposedAt),
        vetoedAt: iso(e.vetoedAt),
        files: { dataset: `${base}/dataset${q}`, manifest: `${base}/manifest${q}`, shards: `${base}/shards` },
      },
      200,
    );
  });

  router.openapi(routes.epochDatasetRoute, async (c) => {
    const { e } = await closedEpoch(ctx, c.req.valid("query").distributor, c.req.valid("param").n);
    return immutableFile(c, ctx.deps.dataDir, e, DATASET_FILE, "application/x-ndjson") as never;
  });
  router.openapi(routes.epochManifestRoute, async (c) => {
    const { e } = await closedEpoch(ctx, c.req.valid("query").distributor, c.req.valid("param").n);
    return immutableFile(c, ctx.deps.dataDir, e, MANIFEST_FILE, "application/x-ndjson") as never;
  });
  router.openapi(routes.shardRoute, async (c) => {
    const { n, file } = c.req.valid("param");
    const { e } = await closedEpoch(ctx, c.req.valid("query").distributor, n);
    return immutableFile(c, ctx.deps.dataDir, e, `${SHARDS_DIR}/${file}`, "application/json") as never;
  });
  return router;
}
