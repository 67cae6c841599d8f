// The client library uses Node's Buffer as a global; it must exist before any of it loads.
import { Buffer } from "buffer";

(globalThis as { Buffer?: typeof Buffer }).Buffer ??= Buffer;
