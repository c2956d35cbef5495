/**
 * Reasoned exceptions to checkov's Kubernetes checks, written as the `checkov.io/skipN`
 * annotations checkov reads on the object. Every entry is also explained in docs/CHARTS.md.
 */
export const ScanException = {
  /** Our images come from ECR repositories with immutable tags; third-party ones are pinned by release tag. */
  imageDigest: ["CKV_K8S_43", "images pinned by immutable ECR tag or upstream release tag"],
  /** Immutable tags make IfNotPresent safe; Never locally, where nothing pulls. */
  pullAlways: ["CKV_K8S_15", "immutable tags; IfNotPresent avoids a registry round trip on every GPU node scale-out"],
  /** The apps read configuration, credentials included, from the environment once at start. */
  secretEnv: ["CKV_K8S_35", "apps validate all configuration from env at start; values come from Secret refs, never literals"],
  /** The operator is a Kubernetes client. */
  operatorToken: ["CKV_K8S_38", "the operator talks to the Kubernetes API; RBAC limits what the token can do"],
  /** The InvokeAI image's own user is uid 1000 (home, caches, file ownership). */
  invokeaiUid: ["CKV_K8S_40", "InvokeAI image user is uid 1000; runAsNonRoot and restricted still apply"],
  /** The worker has no HTTP endpoint; it exits on fatal errors and the pod's readiness follows the InvokeAI sidecar. */
  /** The NVIDIA device plugin creates its socket in the kubelet's root-owned hostPath directory. */
  devicePluginRoot: ["CKV_K8S_23", "NVIDIA device plugin writes its socket into root-owned /var/lib/kubelet/device-plugins"],
  devicePluginRootUid: ["CKV_K8S_40", "NVIDIA device plugin runs as root like upstream; no escalation, all capabilities dropped"],
  /** The device plugin serves gRPC on a Unix socket only; the kubelet re-registers it when it exits. */
  devicePluginLiveness: ["CKV_K8S_8", "device plugin serves only a kubelet Unix socket; it exits on failure and is restarted"],
  devicePluginReadiness: ["CKV_K8S_9", "device plugin takes no Service traffic; the kubelet sees it through registration"],
} as const satisfies Record<string, readonly [string, string]>;

/** Annotations that tell checkov which checks an object skips, and why. */
export function scanSkips(...exceptions: (readonly [string, string])[]): Record<string, string> {
  return Object.fromEntries(exceptions.map(([id, reason], i) => [`checkov.io/skip${i + 1}`, `${id}=${reason}`]));
}
