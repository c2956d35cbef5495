import { ApiObject, Chart } from "cdk8s";
import type { Construct } from "constructs";
import { generationPoolCrd } from "../../operator/resource/index.ts";

/**
 * The GenerationPool CRD exactly as operator/resource defines it. Its own chart, without a
 * namespace, so nothing stamps a namespace on a cluster-scoped object; applied (and waited for)
 * before the chart that creates a GenerationPool.
 */
export class CrdsChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const crd = generationPoolCrd() as { apiVersion: string; kind: string; metadata: { name: string }; spec: unknown };
    new ApiObject(this, "generationpools", {
      apiVersion: crd.apiVersion,
      kind: crd.kind,
      metadata: { name: crd.metadata.name, labels: { "app.kubernetes.io/part-of": "genpool", "app.kubernetes.io/managed-by": "cdk8s" } },
      spec: crd.spec,
    });
  }
}
