/** The policies the CLI can replay, by name. */
import type { GenerationPoolSpec } from "../../operator/resource/index.ts";
import { kedaCa } from "./baselines/keda-ca.ts";
import { targetTracking } from "./baselines/target-tracking.ts";
import { genpool } from "./genpool/policy.ts";
import type { PolicyFactory } from "./policy.ts";

/** Names accepted by --policy, in report order. */
export const POLICY_NAMES = ["genpool", "target-tracking", "keda-ca"];

/** Factories for the named policies; Genpool runs with `spec`. */
export function policyFactories(names: string[], spec: GenerationPoolSpec): PolicyFactory[] {
  const all: Record<string, PolicyFactory> = {
    genpool: (config) => genpool(config, spec),
    "target-tracking": (config) => targetTracking(config),
    "keda-ca": (config) => kedaCa(config),
  };
  return names.map((n) => all[n]!);
}
