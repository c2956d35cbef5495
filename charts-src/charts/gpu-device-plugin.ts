import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { GpuNode } from "../../cluster/contract.ts";
import { meta, PART_OF } from "../lib/meta.ts";
import { ScanException, scanSkips } from "../lib/scan.ts";

/**
 * NVIDIA device plugin release. The EKS AL2023 NVIDIA AMI ships the driver and the container
 * toolkit but no device plugin: without it GPU nodes never advertise `nvidia.com/gpu`.
 */
export const DEVICE_PLUGIN_IMAGE = "nvcr.io/nvidia/k8s-device-plugin:v0.17.1";
export const DEVICE_PLUGIN_NAME = "nvidia-device-plugin";
export const DEVICE_PLUGIN_NAMESPACE = "kube-system";
/** Where the kubelet listens for device plugins; the plugin puts its socket here. */
export const DEVICE_PLUGIN_DIR = "/var/lib/kubelet/device-plugins";

const selector = { "app.kubernetes.io/name": DEVICE_PLUGIN_NAME };

/**
 * The upstream static DaemonSet (nvidia-device-plugin.yml of the same release), limited to Genpool
 * GPU nodes. kube-system is not Pod Security restricted: the plugin runs as root to create its
 * socket in the kubelet's hostPath directory, with no privilege escalation and no capabilities.
 */
export class GpuDevicePluginChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const labels = { ...selector, "app.kubernetes.io/component": "gpu-device-plugin", ...PART_OF };
    new k8s.KubeDaemonSet(this, "daemonset", {
      metadata: {
        ...meta(DEVICE_PLUGIN_NAME, DEVICE_PLUGIN_NAMESPACE, labels),
        annotations: scanSkips(
          ScanException.imageDigest,
          ScanException.pullAlways,
          ScanException.devicePluginRoot,
          ScanException.devicePluginRootUid,
          ScanException.devicePluginLiveness,
          ScanException.devicePluginReadiness,
        ),
      },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: "RollingUpdate" },
        template: {
          metadata: { labels },
          spec: {
            nodeSelector: { [GpuNode.roleLabel]: "true" },
            tolerations: [{ key: GpuNode.taint.key, operator: "Exists", effect: GpuNode.taint.effect }],
            priorityClassName: "system-node-critical",
            // In its default (static) mode the plugin reads devices through NVML, not the Kubernetes API.
            automountServiceAccountToken: false,
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "nvidia-device-plugin-ctr",
                image: DEVICE_PLUGIN_IMAGE,
                imagePullPolicy: "IfNotPresent",
                // A node whose driver is not ready yet keeps the pod running instead of crash-looping.
                env: [{ name: "FAIL_ON_INIT_ERROR", value: "false" }],
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
                resources: {
                  requests: { cpu: k8s.Quantity.fromString("10m"), memory: k8s.Quantity.fromString("32Mi") },
                  limits: { cpu: k8s.Quantity.fromString("100m"), memory: k8s.Quantity.fromString("128Mi") },
                },
                volumeMounts: [{ name: "device-plugin", mountPath: DEVICE_PLUGIN_DIR }],
              },
            ],
            volumes: [{ name: "device-plugin", hostPath: { path: DEVICE_PLUGIN_DIR, type: "Directory" } }],
          },
        },
      },
    });
  }
}
