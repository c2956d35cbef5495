import type { Agent } from "node:https";
import { KubeConfig } from "@kubernetes/client-node";

type AgentFactory = (cluster: unknown, options: Record<string, unknown>) => Agent;

/**
 * client-node 1.4.0 builds a new https.Agent for every request, so every call pays a TCP and TLS
 * handshake (tens of ms on 2 cores). The options are the same on every call for one kubeconfig
 * (credentials travel in headers), so one keep-alive agent is reused.
 */
function reuseAgent(kc: KubeConfig): void {
  const target = kc as unknown as { createAgent: AgentFactory };
  const create = target.createAgent.bind(kc);
  let agent: Agent | undefined;
  target.createAgent = (cluster, options) => (agent ??= create(cluster, { ...options, keepAlive: true }));
}

/** Kubeconfig from a file when given (local runs, tests), in-cluster service account otherwise. */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined) kc.loadFromFile(path);
  else kc.loadFromCluster();
  reuseAgent(kc);
  return kc;
}

/** HTTP status of a client-node error, or undefined for a non-HTTP failure. */
export function httpStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/** Kubernetes MicroTime ("2006-01-02T15:04:05.000000Z") for a ms epoch. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** Kubernetes Time (RFC 3339, seconds) for a ms epoch. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
