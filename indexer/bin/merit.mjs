#!/usr/bin/env -S node --max-semi-space-size=128
// `npx merit …`: a workspace package's bin, so npm links it into node_modules/.bin. The commands are
// TypeScript (indexer/src/cli/main.ts), loaded through tsx in this process: one process, so exit
// codes and signals are the command's own. The young generation is enlarged as for `npm start`
// (docs/performance-history.md): backfill, replay and ledger verify allocate the same way.
import "tsx";

await import(new URL("../src/cli/main.ts", import.meta.url).href);
