/**
 * How long each Ready node has had no busy worker. The scale-down delay is measured from here, so
 * a node that finished a job a moment ago is never the one removed.
 */
import type { NodeObservation } from "./types.ts";

/** Carries idle start times forward: kept while a node stays idle, dropped when it is busy or gone. */
export function nextIdleSince(
  nodes: readonly NodeObservation[],
  previous: Readonly<Record<string, number>>,
  now: number,
): Record<string, number> {
  const next: Record<string, number> = {};
  for (const node of nodes) {
    if (node.ready && !node.markedForTermination && node.busyWorkers === 0) {
      next[node.name] = previous[node.name] ?? now;
    }
  }
  return next;
}
