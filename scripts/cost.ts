/**
 * `npm run cost [-- --spot-nodes N] [--spot-discount 0.7] [--template path]`: a monthly estimate of
 * the synthesized GenpoolCluster stack from cluster/prices.json. Synthesizes into cdk.out first
 * when no template is there.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildApp } from "../cluster/app.ts";
import { estimate } from "../cluster/cost/estimate.ts";
import { configFromTemplate } from "../cluster/cost/from-template.ts";
import { prices } from "../cluster/prices.ts";

const { values } = parseArgs({
  options: {
    template: { type: "string", default: "cdk.out/GenpoolCluster.template.json" },
    "spot-nodes": { type: "string" },
    "spot-discount": { type: "string" },
  },
});

function fraction(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0 || v > max) throw new Error(`--${name} is ${JSON.stringify(text)}; allowed: a number from 0 to ${max}`);
  return v;
}

const path = values.template;
if (!existsSync(path)) buildApp({ outdir: "cdk.out" }).app.synth();
const config = configFromTemplate(JSON.parse(readFileSync(path, "utf8")) as Parameters<typeof configFromTemplate>[0]);
const table = { ...prices, spotDiscount: fraction("spot-discount", values["spot-discount"], prices.spotDiscount, 1) };
const usage = { ...prices.usage, spotAverageNodes: fraction("spot-nodes", values["spot-nodes"], prices.usage.spotAverageNodes, 1000) };
const result = estimate(config, table, usage);

const money = (x: number): string => `$${x.toFixed(2)}`.padStart(11);
console.log(`Monthly estimate, ${prices.region} list prices (${prices.hoursPerMonth} h/month), from ${path}\n`);
for (const l of result.lines) console.log(`${l.item.padEnd(34)} ${l.detail.padEnd(52)} ${money(l.monthly)}`);
console.log(`${"".padEnd(34)} ${"Total".padEnd(52)} ${money(result.total)}\n`);
const s = result.spot;
console.log(
  `Spot: ${s.nodes} average GPU node(s) cost ${money(s.spotMonthly).trim()} instead of ${money(s.onDemandMonthly).trim()} on-demand; spot saves ${money(s.saved).trim()}/month (${Math.round(table.spotDiscount * 100)} % discount).`,
);
