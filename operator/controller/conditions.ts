import type { Condition, ConditionType } from "../resource/index.ts";

/** A condition as the reconcile computes it, before transition times are settled. */
export type ConditionInput = Omit<Condition, "lastTransitionTime" | "observedGeneration">;

/**
 * The conditions to write: lastTransitionTime moves only when a condition's status changes
 * (metav1.Condition semantics), so an unchanged world writes an unchanged status.
 */
export function mergeConditions(previous: readonly Condition[] | undefined, next: readonly ConditionInput[], generation: number | undefined, nowIso: string): Condition[] {
  const byType = new Map<ConditionType, Condition>((previous ?? []).map((c) => [c.type, c]));
  return next.map((c) => {
    const old = byType.get(c.type);
    const lastTransitionTime = old !== undefined && old.status === c.status ? old.lastTransitionTime : nowIso;
    return { ...c, lastTransitionTime, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
  });
}
