import { App, YamlOutputType } from "cdk8s";
import type { Settings } from "./config/settings.ts";
import { ApiChart } from "./charts/api.ts";
import { CrdsChart } from "./charts/crds.ts";
import { GpuDevicePluginChart } from "./charts/gpu-device-plugin.ts";
import { NamespacesChart } from "./charts/namespaces.ts";
import { NetworkPoliciesChart } from "./charts/network-policies.ts";
import { OperatorChart } from "./charts/operator.ts";
import { PoolsChart } from "./charts/pools.ts";
import { WorkerChart } from "./charts/worker.ts";

/**
 * Chart ids double as file names: the numeric prefix is the apply order (kubectl applies a
 * folder in file-name order). The CRD comes first and must be Established before 60-pools.
 */
export const ChartFile = {
  crds: "00-crds",
  namespaces: "10-namespaces",
  gpuDevicePlugin: "15-gpu-device-plugin",
  networkPolicies: "20-network-policies",
  operator: "30-operator",
  api: "40-api",
  worker: "50-worker",
  pools: "60-pools",
} as const;

/** Options for building the app. */
export interface GenpoolAppOptions {
  /** Where synth() writes. @default process.env.CDK8S_OUTDIR, else "dist" (cdk8s's own default) */
  readonly outdir?: string;
  /** @default one file per chart */
  readonly yamlOutputType?: YamlOutputType;
}

/** Every Genpool chart for one environment, in apply order. */
export function genpoolApp(settings: Settings, options: GenpoolAppOptions = {}): App {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    outputFileExtension: ".yaml",
    yamlOutputType: options.yamlOutputType ?? YamlOutputType.FILE_PER_CHART,
  });
  new CrdsChart(app, ChartFile.crds);
  new NamespacesChart(app, ChartFile.namespaces, settings);
  // EKS GPU nodes only; KWOK's fake nodes advertise nvidia.com/gpu themselves.
  if (settings.environment === "production") new GpuDevicePluginChart(app, ChartFile.gpuDevicePlugin);
  new NetworkPoliciesChart(app, ChartFile.networkPolicies, settings);
  new OperatorChart(app, ChartFile.operator, settings);
  new ApiChart(app, ChartFile.api, settings);
  new WorkerChart(app, ChartFile.worker, settings);
  new PoolsChart(app, ChartFile.pools, settings);
  return app;
}
