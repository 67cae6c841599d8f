export * from "./merit-distributor.js";
export * from "./pda.js";
export * from "./program.js";
export * from "./instructions.js";
export * from "./activation.js";
