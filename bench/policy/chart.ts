/**
 * The replay chart: one panel per policy with queued jobs (right axis), ready workers and nodes
 * (left axis) over time. Vega-Lite compiles the spec, Vega renders SVG without a browser or
 * canvas, resvg rasterises it to PNG.
 */
import { writeFileSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { Replay } from "./run.ts";
import type { Sample } from "./sim.ts";

/** At most this many points per series and panel; buckets keep their maximum so spikes stay visible. */
const MAX_POINTS = 600;

function bucketMax(samples: Sample[]): Sample[] {
  const size = Math.ceil(samples.length / MAX_POINTS);
  if (size <= 1) return samples;
  const out: Sample[] = [];
  for (let i = 0; i < samples.length; i += size) {
    const chunk = samples.slice(i, i + size);
    const max = (k: keyof Sample): number => Math.max(...chunk.map((s) => s[k]));
    out.push({ t: chunk[0]!.t, waiting: max("waiting"), busy: max("busy"), readyWorkers: max("readyWorkers"), desiredWorkers: max("desiredWorkers"), nodes: max("nodes"), readyNodes: max("readyNodes") });
  }
  return out;
}

/** The Vega-Lite spec of a replay. */
export function chartSpec(r: Replay): TopLevelSpec {
  const values = r.runs.flatMap(({ run }) =>
    bucketMax(run.samples).flatMap((s) => [
      { policy: run.policy, hours: s.t / 3600, series: "queued jobs", value: s.waiting },
      { policy: run.policy, hours: s.t / 3600, series: "ready workers", value: s.readyWorkers },
      { policy: run.policy, hours: s.t / 3600, series: "nodes (incl. booting)", value: s.nodes },
    ]),
  );
  const x = { field: "hours", type: "quantitative", title: "hours since start" } as const;
  const color = { field: "series", type: "nominal", title: null, scale: { domain: ["queued jobs", "ready workers", "nodes (incl. booting)"], range: ["#e4572e", "#2e86ab", "#76b041"] } } as const;
  const panel = (policy: string) => ({
    title: { text: policy, anchor: "start" as const, fontSize: 13 },
    width: 900,
    height: 170,
    data: { values: values.filter((v) => v.policy === policy) },
    layer: [
      {
        transform: [{ filter: "datum.series === 'queued jobs'" }],
        mark: { type: "area" as const, opacity: 0.35, interpolate: "step-after" as const },
        encoding: { x, y: { field: "value", type: "quantitative" as const, title: "queued jobs", axis: { orient: "right" as const, titleColor: "#e4572e" } }, color },
      },
      {
        transform: [{ filter: "datum.series !== 'queued jobs'" }],
        mark: { type: "line" as const, strokeWidth: 1.4, interpolate: "step-after" as const },
        encoding: { x, y: { field: "value", type: "quantitative" as const, title: "workers / nodes" }, color },
      },
    ],
    resolve: { scale: { y: "independent" as const } },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${r.trace.name}: ${r.trace.description}`,
    vconcat: r.runs.map(({ run }) => panel(run.policy)),
    config: { font: "DejaVu Sans", legend: { orient: "top", labelLimit: 300 } },
  };
}

/** Renders the chart to PNG bytes. */
export async function renderChart(r: Replay): Promise<Buffer> {
  const view = new vega.View(vega.parse(compile(chartSpec(r)).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return new Resvg(svg, { background: "white", font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().asPng();
}

/** Writes the chart to `path`. */
export async function writeChart(r: Replay, path: string): Promise<void> {
  writeFileSync(path, await renderChart(r));
}
