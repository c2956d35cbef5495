import { JsonPatch } from "cdk8s";
import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";

/**
 * A Deployment with JSON patches applied after serialization. The k8s 1.27 types bundled with
 * cdk8s-plus-27 predate native sidecars (`restartPolicy: Always` on an init container) and the
 * `sleep` lifecycle action, and their toJson() drops unknown fields, so those are patched in here.
 */
export class PatchedDeployment extends k8s.KubeDeployment {
  constructor(
    scope: Construct,
    id: string,
    props: k8s.KubeDeploymentProps,
    private readonly afterSerialization: readonly JsonPatch[],
  ) {
    super(scope, id, props);
  }

  override toJson(): unknown {
    return JsonPatch.apply(super.toJson() as unknown, ...this.afterSerialization);
  }
}
