/**
 * Runs the operator (test/support/operator-process.ts) against the sandbox, plus the objects the
 * operator tests share: the GenerationPool CRD, a pool manifest and reads of Events.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { GenerationPoolApi as Api, generationPoolCrd, type Condition, type ConditionType, type GenerationPoolStatus } from "../../../operator/resource/index.ts";
import { eventually, kubeConfig, kubectl, sandboxEnv } from "../../support/sandbox.ts";
import { OperatorProcess, type LogLine } from "../../support/operator-process.ts";

export { OperatorProcess, type LogLine };

let crdReady: Promise<void> | undefined;

/** Applies the GenerationPool CRD (idempotent) and waits until the API server serves it. */
export function installCrd(): Promise<void> {
  crdReady ??= (async () => {
    const applied = await kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=genpool-tests", "-f", "-"], { input: JSON.stringify(generationPoolCrd()) });
    if (applied.code !== 0) throw new Error(`CRD apply failed: ${applied.stderr}`);
    const waited = await kubectl(["wait", "--for=condition=Established", "--timeout=60s", `crd/${Api.plural}.${Api.group}`]);
    if (waited.code !== 0) throw new Error(`CRD not established: ${waited.stderr}`);
  })();
  return crdReady;
}

/** Environment for one operator process. */
export interface OperatorOptions {
  namespace: string;
  redisHost: string;
  redisPort: number;
  /** Leader identity. */
  podName: string;
  /** @default the sandbox's */
  kubeconfig?: string;
  /** @default "genpool-operator" in the test namespace */
  leaseName?: string;
  /** @default 30 */
  resyncSeconds?: number;
  /** @default 15 */
  leaseDurationSeconds?: number;
  extraEnv?: Record<string, string>;
}

/** The operator's environment for these options: one namespace watched, its Lease there, debug logs. */
export function operatorEnv(options: OperatorOptions): Record<string, string> {
  return {
    KUBECONFIG: options.kubeconfig ?? sandboxEnv().KUBECONFIG,
    REDIS_HOST: options.redisHost,
    REDIS_PORT: String(options.redisPort),
    WATCH_NAMESPACES: options.namespace,
    LEADER_ELECTION_NAMESPACE: options.namespace,
    LEADER_ELECTION_LEASE_NAME: options.leaseName ?? "genpool-operator",
    LEASE_DURATION_SECONDS: String(options.leaseDurationSeconds ?? 15),
    POD_NAME: options.podName,
    RESYNC_SECONDS: String(options.resyncSeconds ?? 30),
    LOG_LEVEL: "debug",
    ...options.extraEnv,
  };
}

/** Starts an operator and kills it (SIGKILL) when the test ends, if still running. */
export function useOperator(t: { teardown(fn: () => Promise<unknown>): void }, options: OperatorOptions): Promise<OperatorProcess> {
  return OperatorProcess.use(t, { env: operatorEnv(options), name: `operator ${options.podName}` });
}

/** A GenerationPool manifest with test-friendly timings (short windows, small steps). */
export function poolManifest(namespace: string, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: Api.apiVersion, kind: Api.kind, metadata: { name, namespace }, spec };
}

const custom = (): CustomObjectsApi => kubeConfig().makeApiClient(CustomObjectsApi);

/** Creates a GenerationPool. */
export async function createPool(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await custom().createNamespacedCustomObject({ group: Api.group, version: Api.version, plural: Api.plural, namespace, body: poolManifest(namespace, name, spec) });
}

/** Merge-patches a pool's spec. */
export async function patchPoolSpec(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  const { PatchStrategy, setHeaderOptions } = await import("@kubernetes/client-node");
  await custom().patchNamespacedCustomObject(
    { group: Api.group, version: Api.version, plural: Api.plural, namespace, name, body: { spec } },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

/** A pool's status as stored. */
export async function poolStatus(namespace: string, name: string): Promise<GenerationPoolStatus> {
  const obj = (await custom().getNamespacedCustomObject({ group: Api.group, version: Api.version, plural: Api.plural, namespace, name })) as { status?: GenerationPoolStatus };
  return obj.status ?? {};
}

/** The status of one condition type, if set. */
export async function conditionOf(namespace: string, name: string, type: ConditionType): Promise<Condition | undefined> {
  const status = await poolStatus(namespace, name);
  return status.conditions?.find((c) => c.type === type);
}

/** spec.replicas of a Deployment. */
export async function replicasOf(namespace: string, name: string, kc = kubeConfig()): Promise<number> {
  const d = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace, name });
  return d.spec?.replicas ?? 0;
}

/** Scale Events (ScaledUp / ScaledDown) the operator wrote about a pool. */
export async function scaleEvents(namespace: string, pool: string): Promise<Array<{ reason: string; message: string; instance: string }>> {
  const list = await kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${pool},involvedObject.kind=${Api.kind}` });
  return list.items
    .filter((e) => e.reason === "ScaledUp" || e.reason === "ScaledDown")
    .map((e) => ({ reason: e.reason ?? "", message: e.message ?? "", instance: e.reportingInstance ?? "" }));
}

/** Waits until `probe` holds, polling every 100 ms. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  await eventually(what, async () => ((await probe()) ? true : undefined), timeoutMs);
}

export { sleep };
