// Pod Security admission is on in the sandbox's API server, as on EKS: a namespace labelled
// `restricted` refuses a privileged pod and admits one that meets the profile.
import test from "ava";
import { ApiException, CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { apiErrorMessage, kubeConfig, useNamespace } from "../support/sandbox.ts";

const restricted = { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest" };

function pod(name: string, securityContext: NonNullable<V1Pod["spec"]>["containers"][number]["securityContext"]): V1Pod {
  return { metadata: { name }, spec: { containers: [{ name: "main", image: "registry.k8s.io/pause:3.10", securityContext }] } };
}

test("[integration] a restricted namespace rejects a privileged pod and admits a compliant one", async (t) => {
  const namespace = await useNamespace(t, restricted);
  const core = kubeConfig().makeApiClient(CoreV1Api);

  const error = await t.throwsAsync(core.createNamespacedPod({ namespace, body: pod("privileged", { privileged: true }) }));
  t.true(error instanceof ApiException);
  const rejection = error as ApiException<string>;
  t.is(rejection.code, 403);
  t.regex(apiErrorMessage(rejection), /^pods "privileged" is forbidden: violates PodSecurity "restricted:latest": privileged \(container "main" must not set securityContext\.privileged=true\)/);

  // The same namespace admits a pod that meets the restricted profile, so the rejection above is about privilege.
  const compliant = await core.createNamespacedPod({
    namespace,
    body: pod("compliant", {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      runAsUser: 1000,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    }),
  });
  t.is(compliant.metadata?.name, "compliant");
});
