/** Reading an operator's log lines and /metrics over a time span (pino `time` is a ms epoch). */
import type { LogLine } from "../../operator/support/operator.ts";

/** Lines logged at or after `from` and before `to`. */
export function linesBetween(logs: readonly LogLine[], from: number, to: number): LogLine[] {
  return logs.filter((l) => typeof l.time === "number" && l.time >= from && l.time < to);
}

/** How many lines carry each message, most frequent first. */
export function countByMessage(lines: readonly LogLine[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(String(l.msg), (counts.get(String(l.msg)) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

/** The sum of a counter over all its label sets in a Prometheus text exposition (0 when absent). */
export function counterTotal(metrics: string, name: string): number {
  let total = 0;
  for (const line of metrics.split("\n")) {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`).exec(line);
    if (match?.[1] !== undefined) total += Number(match[1]);
  }
  return total;
}

/** Times (ms epoch) of "Scaled worker Deployment" lines that lowered the count, with their target. */
export function scaleDowns(logs: readonly LogLine[]): Array<{ at: number; from: number; to: number }> {
  return logs
    .filter((l) => l.msg === "Scaled worker Deployment" && (l.to as number) < (l.from as number))
    .map((l) => ({ at: l.time as number, from: l.from as number, to: l.to as number }));
}
