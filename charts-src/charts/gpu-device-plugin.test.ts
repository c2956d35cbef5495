import test from "ava";
import type { k8s } from "cdk8s-plus-27";
import { GpuNode } from "../../cluster/contract.ts";
import { localSettings } from "../config/local.ts";
import { exampleProductionSettings } from "../lib/fixtures.ts";
import { allManifests, find, manifestsByChart } from "../lib/manifests.ts";
import { DEVICE_PLUGIN_DIR, DEVICE_PLUGIN_NAME } from "./gpu-device-plugin.ts";

interface DaemonSetJson {
  metadata: { annotations?: Record<string, string> };
  spec: { selector: k8s.LabelSelector; template: { metadata: { labels: Record<string, string> }; spec: k8s.PodSpec } };
}

const daemonSet = (): DaemonSetJson => find<DaemonSetJson>(allManifests(exampleProductionSettings()), "DaemonSet", DEVICE_PLUGIN_NAME, "kube-system");

test("production: the device plugin runs on Genpool GPU nodes only, tolerating their taint", (t) => {
  const pod = daemonSet().spec.template.spec;
  t.deepEqual(pod.nodeSelector, { [GpuNode.roleLabel]: "true" });
  t.deepEqual(pod.tolerations, [{ key: GpuNode.taint.key, operator: "Exists", effect: GpuNode.taint.effect }]);
  t.is(pod.priorityClassName, "system-node-critical");
});

test("production: the device plugin image is pinned to a release tag, never latest", (t) => {
  const [container] = daemonSet().spec.template.spec.containers;
  t.regex(container?.image ?? "", /^nvcr\.io\/nvidia\/k8s-device-plugin:v0\.(1[7-9]|[2-9]\d)\.\d+$/);
  t.is(container?.imagePullPolicy, "IfNotPresent");
});

test("production: the device plugin mounts the kubelet's device-plugins directory and drops every capability", (t) => {
  const pod = daemonSet().spec.template.spec;
  const [container] = pod.containers;
  t.deepEqual(pod.volumes, [{ name: "device-plugin", hostPath: { path: DEVICE_PLUGIN_DIR, type: "Directory" } }]);
  t.is(DEVICE_PLUGIN_DIR, "/var/lib/kubelet/device-plugins");
  t.deepEqual(container?.volumeMounts, [{ name: "device-plugin", mountPath: DEVICE_PLUGIN_DIR }]);
  t.is(container?.securityContext?.allowPrivilegeEscalation, false);
  t.deepEqual(container?.securityContext?.capabilities, { drop: ["ALL"] });
  t.not(container?.securityContext?.privileged, true);
});

test("production: the DaemonSet selector matches its own pod template", (t) => {
  const ds = daemonSet();
  for (const [k, v] of Object.entries(ds.spec.selector.matchLabels ?? {})) t.is(ds.spec.template.metadata.labels[k], v, k);
});

test("production: every checkov skip on the device plugin names a check and a reason", (t) => {
  const skips = Object.entries(daemonSet().metadata.annotations ?? {}).filter(([k]) => k.startsWith("checkov.io/skip"));
  t.true(skips.length > 0);
  for (const [, value] of skips) t.regex(value, /^CKV_K8S_\d+=.{20,}$/);
});

test("local has no device plugin chart (KWOK nodes advertise nvidia.com/gpu themselves)", (t) => {
  t.false([...manifestsByChart(localSettings()).keys()].some((id) => id.includes("gpu-device-plugin")));
  t.deepEqual(allManifests(localSettings()).filter((o) => o.kind === "DaemonSet"), []);
  t.true(manifestsByChart(exampleProductionSettings()).has("15-gpu-device-plugin"));
});
