import test from "ava";
import { Workload } from "../../cluster/contract.ts";
import { loadConfig } from "../../operator/config.ts";
import { localSettings } from "../config/local.ts";
import type { Settings } from "../config/settings.ts";
import { exampleOutputsJson, exampleProductionSettings } from "../lib/fixtures.ts";
import { allManifests, find } from "../lib/manifests.ts";
import { OPERATOR_NAME } from "./operator.ts";

/** The operator's ConfigMap data as synthesized for `settings`. */
function operatorEnv(settings: Settings): Record<string, string> {
  return find<{ data: Record<string, string> }>(allManifests(settings), "ConfigMap", OPERATOR_NAME, Workload.operator.namespace).data;
}

/** What the operator process makes of that ConfigMap (plus what the pod spec adds). */
const operatorConfig = (settings: Settings): ReturnType<typeof loadConfig> => loadConfig({ ...operatorEnv(settings), POD_NAME: "genpool-operator-0" });

test("production: the operator manages the GPU node groups of the cluster/ stack's EKS cluster, in its region", (t) => {
  const outputs = exampleOutputsJson().GenpoolCluster!;
  const env = operatorEnv(exampleProductionSettings());
  t.is(env.EKS_CLUSTER_NAME, outputs.ClusterName);
  t.is(env.AWS_REGION, outputs.Region);
  t.is(operatorConfig(exampleProductionSettings()).EKS_CLUSTER_NAME, "genpool");
});

test("production: the values follow the outputs file", (t) => {
  const json = exampleOutputsJson();
  json.GenpoolCluster!.ClusterName = "genpool-eu";
  json.GenpoolCluster!.Region = "us-west-2";
  const env = operatorEnv(exampleProductionSettings(json));
  t.deepEqual([env.EKS_CLUSTER_NAME, env.AWS_REGION], ["genpool-eu", "us-west-2"]);
});

test("local: node-group management is off (no EKS_CLUSTER_NAME, no AWS settings), the operator sizes workers only", (t) => {
  const env = operatorEnv(localSettings());
  t.deepEqual(Object.keys(env).filter((k) => k.startsWith("AWS_") || k.includes("CLUSTER")), []);
  t.is(operatorConfig(localSettings()).EKS_CLUSTER_NAME, undefined);
});
