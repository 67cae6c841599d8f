// node:path's join for the client library's file paths, which the browser never reaches (shards come by URL).
export const join = (...parts: string[]): string => parts.join("/").replace(/\/+/g, "/");
