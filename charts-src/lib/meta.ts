import type { k8s } from "cdk8s-plus-27";

/** Label every Genpool object carries; `kubectl get all -A -l app.kubernetes.io/part-of=genpool`. */
export const PART_OF = { "app.kubernetes.io/part-of": "genpool", "app.kubernetes.io/managed-by": "cdk8s" } as const;

/** The three workloads, named as in their Deployments. */
export type Component = "api" | "worker" | "operator";

/** Labels a workload's pods are selected by: stable, so never change them on a live cluster. */
export function selectorLabels(component: Component): Record<string, string> {
  return { "app.kubernetes.io/name": `genpool-${component}` };
}

/** Labels for a workload's objects and pod template. */
export function componentLabels(component: Component): Record<string, string> {
  return { ...selectorLabels(component), "app.kubernetes.io/component": component, ...PART_OF };
}

/** Object metadata with an explicit name (synth output never depends on construct paths). */
export function meta(name: string, namespace: string | undefined, labels: Record<string, string> = PART_OF): k8s.ObjectMeta {
  return { name, ...(namespace ? { namespace } : {}), labels: { ...labels } };
}
