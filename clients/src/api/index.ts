export * from "./client.js";
export * as routes from "./routes.js";
export * as schemas from "./schemas.js";
