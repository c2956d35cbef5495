/** Plain-text and Markdown tables of a replay. */
import type { Replay } from "./run.ts";

const usd = (x: number): string => `$${(Math.abs(x) < 0.005 ? 0 : x).toFixed(2)}`;
const sec = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** Column headers of the per-policy table. */
export const COLUMNS = ["policy", "total $", "$/1000 img", "GPU-h", "p50 s", "p95 s", "p99 s", "max s", "p95 not at max", "interrupted", "requeued", "lost", "scale actions", "waste $"];

/** One row per policy, then the oracle. */
export function rows(r: Replay): string[][] {
  const out = r.runs.map(({ summary: s }) => [
    s.policy, usd(s.cost.usd), usd(s.usdPer1000Images), s.cost.gpuHours.toFixed(1), sec(s.wait.p50), sec(s.wait.p95), sec(s.wait.p99), sec(s.wait.max),
    sec(s.p95NotAtMax), String(s.interruptedJobs), String(s.requeued), String(s.lost), String(s.scaleActions), usd(s.wasteUsd),
  ]);
  const o = r.oracle.cost;
  const per1000 = (o.usd / r.trace.jobs.length) * 1000;
  out.push(["oracle", usd(o.usd), usd(per1000), o.gpuHours.toFixed(1), "0", "0", "0", "0", "0", "-", "-", "-", "-", usd(0)]);
  return out;
}

/** A Markdown table. */
export function markdownTable(header: string[], body: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...body.map(line)].join("\n");
}

/** Lines describing the flash-crowd ramp of each policy, if the trace has a burst. */
export function burstLines(r: Replay): string[] {
  return r.runs.flatMap(({ summary: s }) => {
    const b = s.burst;
    if (b === undefined) return [];
    if (b.reachedS === undefined) return [`${s.policy}: never reached ${b.enoughWorkers} ready workers after the burst`];
    const floor = b.floorS ?? 0;
    return [`${s.policy}: ${b.enoughWorkers} ready workers ${sec(b.reachedS)} s after the burst; physical floor ${sec(floor)} s; policy lag ${sec(b.reachedS - floor)} s`];
  });
}

/** The replay as text for a terminal. */
export function textReport(r: Replay): string {
  const head = `trace ${r.trace.name}: ${r.trace.description}; ${r.trace.jobs.length} jobs; seed ${r.config.seed}; max ${r.config.groups.map((g) => `${g.name} ${g.maxNodes}`).join(", ")}`;
  return [head, "", markdownTable(COLUMNS, rows(r)), "", ...burstLines(r)].join("\n");
}
