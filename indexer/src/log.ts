import pino, { type Logger } from "pino";
import { env } from "./env.js";

/**
 * The one logger. JSON lines where a machine reads them (LOG_FORMAT=json, or no terminal), a short
 * human line on a terminal; LOG_LEVEL filters both. Components log through a child named after
 * their stage, so a line says where it came from without parsing the text.
 */
let root: Logger | undefined;
let fd: 1 | 2 = 1;

/** Commands whose stdout is their result (the CLI) log to stderr; call before the first log line. */
export function logToStderr(): void {
  fd = 2;
}

export function logger(): Logger {
  if (root) return root;
  const e = env();
  const pretty = (e.LOG_FORMAT ?? ((fd === 1 ? process.stdout : process.stderr).isTTY ? "pretty" : "json")) === "pretty";
  root = pino(
    { level: e.LOG_LEVEL, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pretty
      ? pino.transport({
          target: "pino-pretty",
          options: { destination: fd, colorize: true, translateTime: "HH:MM:ss", ignore: "pid,hostname,component", messageFormat: "{msg}" },
        })
      : pino.destination({ dest: fd, sync: true }),
  );
  return root;
}

/** A component's logger, and the `(line) => void` callback the stages take. */
export function componentLog(component: string): { log: Logger; line: (text: string) => void; debug: (text: string) => void } {
  const log = logger().child({ component });
  return { log, line: (text) => log.info(text), debug: (text) => log.debug(text) };
}

/** Writes what is buffered; called before the process exits. */
export function flushLogs(): void {
  root?.flush();
}
