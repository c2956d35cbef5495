/**
 * Shadow mode: replay a user's own trace with their own GenerationPool before the operator is
 * turned on, and show what it would have decided and why, next to the oracle. The log keeps one
 * line per change of the decided worker count or node sizes, with the reasons given for it.
 */
import type { GenerationPoolSpec } from "../../operator/resource/index.ts";
import type { SimConfig } from "./config.ts";
import { genpool, type ShadowDecision } from "./genpool/policy.ts";
import { markdownTable } from "./report.ts";
import { replay, type Replay } from "./run.ts";
import type { Trace } from "./trace.ts";

/** A replay of Genpool alone plus its decision log. */
export interface ShadowRun {
  replay: Replay;
  changes: ShadowDecision[];
}

const key = (d: ShadowDecision): string => JSON.stringify([d.workers, d.nodes]);

/** Replays `trace` with Genpool on `spec` and keeps each change of decision. */
export function shadow(trace: Trace, config: SimConfig, spec: GenerationPoolSpec): ShadowRun {
  const changes: ShadowDecision[] = [];
  let last = "";
  const r = replay(trace, config, [(c) => genpool(c, spec, (d) => {
    const k = key(d);
    if (k !== last) changes.push(d);
    last = k;
  })]);
  return { replay: r, changes };
}

const clock = (s: number): string => {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
};

/** The decision log as a Markdown table, at most `limit` lines (the rest counted). */
export function shadowLog(run: ShadowRun, limit = 60): string {
  const body = run.changes.slice(0, limit).map((d) => [
    clock(d.nowS), String(d.waiting), String(d.busy), String(d.workers), d.reason, d.limitedBy,
    Object.entries(d.nodes).map(([g, n]) => `${g}=${n} (${d.nodeReasons[g]})`).join(", "),
  ]);
  const more = run.changes.length > limit ? `\n\n${run.changes.length - limit} more changes not shown.` : "";
  return markdownTable(["time", "queued", "busy", "workers", "reason", "limited by", "nodes (planner reason)"], body) + more;
}
