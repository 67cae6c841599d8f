// Anchor's browser build has the package's own types.
declare module "@coral-xyz/anchor/dist/browser/index.js" {
  export * from "@coral-xyz/anchor";
}
