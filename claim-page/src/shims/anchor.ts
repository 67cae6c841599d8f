// The client library imports Anchor's default export (Node's CommonJS interop); Anchor's browser
// build has named exports only, so the default is the namespace.
import * as anchor from "@coral-xyz/anchor/dist/browser/index.js";

export * from "@coral-xyz/anchor/dist/browser/index.js";
export default anchor;
