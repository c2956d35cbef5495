/**
 * The GenerationPool CustomResourceDefinition as plain JSON; charts-src/ emits it.
 *
 * No scale subresource: a pool is itself an autoscaler with a min/max range, not a replica count,
 * so `kubectl scale gp` or an HPA on it would have nothing meaningful to set. The operator patches
 * the worker Deployment's scale subresource; `kubectl get gp` shows both sides.
 */
import { GenerationPoolApi as Api } from "./types.ts";
import { specSchema } from "./spec-schema.ts";
import { statusSchema } from "./status-schema.ts";
import { toOpenApi } from "./schema-node.ts";

const printerColumns = [
  { name: "Queue", type: "integer", jsonPath: ".status.queue.waiting", description: "Jobs waiting." },
  { name: "Oldest", type: "number", jsonPath: ".status.queue.oldestWaitingSeconds", description: "Oldest wait, seconds.", priority: 1 },
  { name: "Desired", type: "integer", jsonPath: ".status.replicas.desired", description: "Workers asked for." },
  { name: "Ready", type: "integer", jsonPath: ".status.replicas.ready", description: "Ready workers." },
  { name: "Busy", type: "integer", jsonPath: ".status.replicas.busy", description: "Workers running a job." },
  { name: "Nodes", type: "integer", jsonPath: ".status.nodes.ready", description: "Ready GPU nodes." },
  { name: "Min", type: "integer", jsonPath: ".status.lastDecision.min", description: "Effective floor.", priority: 1 },
  { name: "Max", type: "integer", jsonPath: ".status.lastDecision.max", description: "Effective ceiling.", priority: 1 },
  { name: "Schedule", type: "string", jsonPath: ".status.lastDecision.schedule", description: "Active schedule.", priority: 1 },
  { name: "Reason", type: "string", jsonPath: ".status.lastDecision.reason", description: "Why the pool has this size." },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
];

/** The full apiextensions.k8s.io/v1 CustomResourceDefinition object. */
export function generationPoolCrd(): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${Api.plural}.${Api.group}` },
    spec: {
      group: Api.group,
      scope: "Namespaced",
      names: {
        kind: Api.kind,
        listKind: Api.listKind,
        plural: Api.plural,
        singular: Api.singular,
        shortNames: [...Api.shortNames],
        categories: ["genpool"],
      },
      versions: [
        {
          name: Api.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: printerColumns,
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: "A pool of GPU workers that the Genpool operator sizes from a BullMQ queue.",
              required: ["spec"],
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                spec: toOpenApi(specSchema),
                status: toOpenApi(statusSchema),
              },
            },
          },
        },
      ],
    },
  };
}
