import test from "ava";
import type { k8s } from "cdk8s-plus-27";
import { Workload } from "../../cluster/contract.ts";
import { localSettings } from "../config/local.ts";
import type { Settings } from "../config/settings.ts";
import { exampleProductionSettings } from "./fixtures.ts";
import { allManifests, type Manifest } from "./manifests.ts";

const environments: [string, () => Settings][] = [
  ["local", localSettings],
  ["production", () => exampleProductionSettings()],
];

interface Workloadish {
  spec: { template: { spec: k8s.PodSpec } };
}

const pods = (objects: Manifest[]): [string, k8s.PodSpec][] =>
  objects.filter((o) => o.kind === "Deployment").map((o) => [o.metadata.name, (o as unknown as Workloadish).spec.template.spec]);

const everyContainer = (pod: k8s.PodSpec): k8s.Container[] => [...(pod.initContainers ?? []), ...pod.containers];

for (const [env, settings] of environments) {
  test(`${env}: every pod runs as non-root with the RuntimeDefault seccomp profile`, (t) => {
    const found = pods(allManifests(settings()));
    t.is(found.length, 3);
    for (const [name, pod] of found) {
      t.true(pod.securityContext?.runAsNonRoot, name);
      t.true((pod.securityContext?.runAsUser ?? 0) > 0, name);
      t.deepEqual(pod.securityContext?.seccompProfile, { type: "RuntimeDefault" }, name);
    }
  });

  test(`${env}: every container, init and sidecar included, meets Pod Security "restricted" with a read-only root`, (t) => {
    for (const [name, pod] of pods(allManifests(settings()))) {
      for (const c of everyContainer(pod)) {
        const sc = c.securityContext;
        const where = `${name}/${c.name}`;
        t.false(sc?.allowPrivilegeEscalation, where);
        t.false(sc?.privileged, where);
        t.true(sc?.readOnlyRootFilesystem, where);
        t.true(sc?.runAsNonRoot, where);
        t.deepEqual(sc?.capabilities, { drop: ["ALL"] }, where);
        t.deepEqual(sc?.seccompProfile, { type: "RuntimeDefault" }, where);
      }
    }
  });

  test(`${env}: every container has CPU and memory requests and limits`, (t) => {
    for (const [name, pod] of pods(allManifests(settings()))) {
      for (const c of everyContainer(pod)) {
        for (const kind of ["requests", "limits"] as const) {
          t.truthy(c.resources?.[kind]?.cpu, `${name}/${c.name} ${kind}.cpu`);
          t.truthy(c.resources?.[kind]?.memory, `${name}/${c.name} ${kind}.memory`);
        }
      }
    }
  });

  test(`${env}: no Secret object and no secret-looking variable with a literal value`, (t) => {
    const objects = allManifests(settings());
    t.deepEqual(objects.filter((o) => o.kind === "Secret"), []);
    for (const [name, pod] of pods(objects)) {
      for (const c of everyContainer(pod)) {
        const literal = (c.env ?? []).filter((e) => /PASSWORD|SECRET|TOKEN/.test(e.name) && e.value !== undefined);
        t.deepEqual(literal, [], `${name}/${c.name}`);
      }
    }
    for (const cm of objects.filter((o) => o.kind === "ConfigMap")) {
      const keys = Object.keys((cm as unknown as { data: Record<string, string> }).data);
      t.deepEqual(keys.filter((k) => /PASSWORD|SECRET|TOKEN/.test(k)), [], cm.metadata.name);
    }
  });

  test(`${env}: DB_PASSWORD comes from the genpool-db Secret by name`, (t) => {
    for (const [name, pod] of pods(allManifests(settings())).filter(([n]) => n !== "genpool-operator")) {
      const app = pod.containers.find((c) => c.name === "api" || c.name === "worker");
      t.deepEqual(app?.env?.find((e) => e.name === "DB_PASSWORD")?.valueFrom, { secretKeyRef: { name: "genpool-db", key: "password", optional: false } }, name);
    }
  });

  test(`${env}: images are pinned (no latest, no untagged)`, (t) => {
    for (const [name, pod] of pods(allManifests(settings()))) {
      for (const c of everyContainer(pod)) t.regex(c.image ?? "", /:(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]*$/, `${name}/${c.name}`);
    }
  });
}

test("each Genpool namespace enforces, audits and warns at the restricted level", (t) => {
  const namespaces = allManifests(localSettings()).filter((o) => o.kind === "Namespace");
  t.deepEqual(namespaces.map((n) => n.metadata.name).sort(), Object.values(Workload).map((w) => w.namespace).sort());
  for (const ns of namespaces) {
    for (const mode of ["enforce", "audit", "warn"]) t.is(ns.metadata.labels?.[`pod-security.kubernetes.io/${mode}`], "restricted", `${ns.metadata.name} ${mode}`);
  }
});
