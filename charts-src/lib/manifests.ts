import type { Settings } from "../config/settings.ts";
import { genpoolApp } from "../app.ts";

/** A synthesized Kubernetes object, loosely typed for inspection. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Every object the app synthesizes for `settings`, keyed by chart file name, in apply order. */
export function manifestsByChart(settings: Settings): Map<string, Manifest[]> {
  const app = genpoolApp(settings, { outdir: "/nonexistent" });
  return new Map(app.charts.map((chart) => [chart.node.id, chart.toJson() as Manifest[]]));
}

/** Every object, flattened in apply order. */
export function allManifests(settings: Settings): Manifest[] {
  return [...manifestsByChart(settings).values()].flat();
}

/** The one object of `kind` named `name` (in `namespace` when given); throws when absent. */
export function find<T = Manifest>(objects: Manifest[], kind: string, name: string, namespace?: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`No ${kind} ${namespace ? `${namespace}/` : ""}${name} in the synthesized manifests`);
  return found as T;
}
