// A CRD's OpenAPI schema and CEL rules (x-kubernetes-validations) are enforced by the sandbox's API
// server: invalid objects are refused with a message naming the field.
import test from "ava";
import { ApiException, ApiextensionsV1Api, CustomObjectsApi, type V1CustomResourceDefinition } from "@kubernetes/client-node";
import { apiErrorMessage, eventually, ignoreNotFound, kubeConfig, uniqueName, useNamespace } from "../support/sandbox.ts";

function rangeCrd(group: string): V1CustomResourceDefinition {
  return {
    metadata: { name: `ranges.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "ranges", singular: "range", kind: "Range" },
      versions: [{
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["min", "max"],
                properties: { min: { type: "integer", minimum: 0 }, max: { type: "integer" } },
                x_kubernetes_validations: [{ rule: "self.min <= self.max", message: "min must be <= max", fieldPath: ".min" }],
              },
            },
          },
        },
      }],
    },
  };
}

test("[integration] a CRD's schema and CEL rule reject invalid objects, naming the field", async (t) => {
  const kc = kubeConfig();
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  // CRDs are cluster-wide: a group of its own keeps parallel tests apart.
  const group = `${uniqueName(t, "g")}.test.genpool.io`;
  const crd = await extensions.createCustomResourceDefinition({ body: rangeCrd(group) });
  t.teardown(() => extensions.deleteCustomResourceDefinition({ name: crd.metadata!.name! }).catch(ignoreNotFound));
  await eventually("the CRD to be Established", async () => {
    const current = await extensions.readCustomResourceDefinition({ name: crd.metadata!.name! });
    return current.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ? true : undefined;
  });
  const namespace = await useNamespace(t);
  const create = (name: string, spec: Record<string, unknown>): Promise<unknown> =>
    objects.createNamespacedCustomObject({ group, version: "v1", namespace, plural: "ranges", body: { apiVersion: `${group}/v1`, kind: "Range", metadata: { name }, spec } });

  // Right after Established the discovery cache may lag for a moment: retry the valid create until it is served.
  await eventually("a valid Range to be accepted", async () => ((await create("valid", { min: 1, max: 2 })) ? true : undefined));

  const cel = await t.throwsAsync(create("inverted", { min: 5, max: 2 }));
  t.is((cel as ApiException<string>).code, 422);
  t.regex(apiErrorMessage(cel), /"inverted" is invalid: spec\.min: Invalid value: min must be <= max/);

  const schema = await t.throwsAsync(create("negative", { min: -1, max: 2 }));
  t.is((schema as ApiException<string>).code, 422);
  t.regex(apiErrorMessage(schema), /"negative" is invalid: spec\.min: Invalid value: -1: spec\.min in body should be greater than or equal to 0/);
});
