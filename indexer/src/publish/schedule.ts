/**
 * When the epochs daemon closes and publishes (EPOCH_SCHEDULE): `every 30m`, `every 6h`, or UTC
 * times of day `at 00:00,12:00`; `every 10s` is for the local chain and crash tests, where a minute
 * is long. Pure: no clock of its own, so tests pass the time.
 */
export type Schedule = { kind: "every"; ms: number } | { kind: "at"; minutes: number[] };

const EVERY = /^every\s+(\d+)\s*(s|sec|seconds?|m|min|minutes?|h|hours?)$/i;
const AT = /^at\s+(\d{1,2}:\d{2}(?:\s*,\s*\d{1,2}:\d{2})*)$/i;

/** Why `text` is not a schedule, or undefined when it is one. */
export function scheduleProblem(text: string): string | undefined {
  try {
    parseSchedule(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export function parseSchedule(text: string): Schedule {
  const t = text.trim();
  const every = EVERY.exec(t);
  if (every) {
    const n = Number(every[1]);
    const u = every[2]!.toLowerCase()[0];
    const unit = u === "h" ? 3_600_000 : u === "s" ? 1000 : 60_000;
    if (n < 1) throw new Error(`"${text}": the interval must be at least 1`);
    return { kind: "every", ms: n * unit };
  }
  const at = AT.exec(t);
  if (at) {
    const minutes = at[1]!.split(",").map((hm) => {
      const [h, m] = hm.trim().split(":").map(Number) as [number, number];
      if (h > 23 || m > 59) throw new Error(`"${text}": ${hm.trim()} is not a time of day (HH:MM, UTC)`);
      return h * 60 + m;
    });
    return { kind: "at", minutes: [...new Set(minutes)].sort((a, b) => a - b) };
  }
  throw new Error(`"${text}" is not a schedule: write "every 30m", "every 6h" or "at 00:00,12:00" (UTC)`);
}

/** The first run strictly after `now` (ms since the epoch); `every` counts from `since`. */
export function nextRun(s: Schedule, now: number, since: number = now): number {
  if (s.kind === "every") {
    const n = Math.floor((now - since) / s.ms) + 1;
    return since + n * s.ms;
  }
  const day = Math.floor(now / 86_400_000) * 86_400_000;
  for (const d of [0, 1]) {
    for (const m of s.minutes) {
      const at = day + d * 86_400_000 + m * 60_000;
      if (at > now) return at;
    }
  }
  return day + 86_400_000 + s.minutes[0]! * 60_000;
}
