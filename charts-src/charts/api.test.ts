import test from "ava";
import type { k8s } from "cdk8s-plus-27";
import { Workload } from "../../cluster/contract.ts";
import { localSettings } from "../config/local.ts";
import { exampleProductionSettings } from "../lib/fixtures.ts";
import { allManifests, find, type Manifest } from "../lib/manifests.ts";

const NS = Workload.api.namespace;
const production = (): Manifest[] => allManifests(exampleProductionSettings());
const deployment = (objects: Manifest[]): { spec: k8s.DeploymentSpec & { template: { spec: k8s.PodSpec } } } =>
  find(objects, "Deployment", "genpool-api", NS);

test("the API runs at least two replicas spread across zones, its count owned by the HPA", (t) => {
  const spec = deployment(production()).spec;
  t.false("replicas" in spec);
  const hpa = find<{ spec: k8s.HorizontalPodAutoscalerSpecV2 }>(production(), "HorizontalPodAutoscaler", "genpool-api", NS);
  t.true((hpa.spec.minReplicas ?? 0) >= 2);
  const spread = spec.template.spec.topologySpreadConstraints ?? [];
  t.like(spread.find((c) => c.topologyKey === "topology.kubernetes.io/zone"), { maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" });
});

test("the API listens on 9090 with readiness on /api/v1/health and liveness on /health; metrics on 9103", (t) => {
  const api = deployment(production()).spec.template.spec.containers[0]!;
  t.deepEqual(api.ports, [{ name: "http", containerPort: 9090, protocol: "TCP" }, { name: "metrics", containerPort: 9103, protocol: "TCP" }]);
  t.is(api.readinessProbe?.httpGet?.path, "/api/v1/health");
  t.is(api.livenessProbe?.httpGet?.path, "/health");
});

test("the Ingress is an internet-facing ALB with HTTPS, TLS 1.3 policy, redirect and deletion protection", (t) => {
  const s = exampleProductionSettings();
  const ingress = find<Manifest & { spec: k8s.IngressSpec }>(production(), "Ingress", "genpool-api", NS);
  t.is(ingress.spec.ingressClassName, "alb");
  const a = ingress.metadata.annotations ?? {};
  const expected: [string, string][] = [
    ["scheme", "internet-facing"],
    ["target-type", "ip"],
    ["listen-ports", '[{"HTTP": 80}, {"HTTPS": 443}]'],
    ["certificate-arn", s.ingress!.certificateArn],
    // The ALB uses the security group cluster/ made (AlbSecurityGroupId output)...
    ["security-groups", "sg-0123456789abcdef0"],
    // ...and the controller opens the API pods' node security group to it.
    ["manage-backend-security-group-rules", "true"],
    ["ssl-policy", "ELBSecurityPolicy-TLS13-1-2-2021-06"],
    ["ssl-redirect", "443"],
    ["healthcheck-path", "/api/v1/health"],
  ];
  for (const [key, value] of expected) t.is(a[`alb.ingress.kubernetes.io/${key}`], value, key);
  t.true(a["alb.ingress.kubernetes.io/load-balancer-attributes"]!.split(",").includes("deletion_protection.enabled=true"));
  t.deepEqual(JSON.parse(a["alb.ingress.kubernetes.io/listen-ports"]!), [{ HTTP: 80 }, { HTTPS: 443 }]);
  t.is(ingress.spec.rules?.[0]?.host, "genpool.example.com");
});

test("with an ALB, API pods get the load balancer's readiness gate (namespace label)", (t) => {
  const ns = find(production(), "Namespace", NS);
  t.is(ns.metadata.labels?.["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled");
  const local = find(allManifests(localSettings()), "Namespace", NS);
  t.is(local.metadata.labels?.["elbv2.k8s.aws/pod-readiness-gate-inject"], undefined);
});

test("local has no Ingress (no ALB in the sandbox)", (t) => {
  t.deepEqual(allManifests(localSettings()).filter((o) => o.kind === "Ingress"), []);
});

test("the HPA scales the API on CPU between the configured bounds", (t) => {
  const s = exampleProductionSettings();
  const hpa = find<{ spec: k8s.HorizontalPodAutoscalerSpecV2 }>(production(), "HorizontalPodAutoscaler", "genpool-api", NS);
  t.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "genpool-api" });
  t.is(hpa.spec.minReplicas, s.sizing.apiMinReplicas);
  t.is(hpa.spec.maxReplicas, s.sizing.apiMaxReplicas);
  t.is(hpa.spec.metrics?.[0]?.resource?.name, "cpu");
});

test("a PodDisruptionBudget keeps all but one API pod during voluntary disruptions", (t) => {
  const pdb = find<{ spec: { maxUnavailable: number; selector: unknown } }>(production(), "PodDisruptionBudget", "genpool-api", NS);
  t.is(pdb.spec.maxUnavailable, 1);
  t.deepEqual(pdb.spec.selector, { matchLabels: { "app.kubernetes.io/name": "genpool-api" } });
});

test("API settings come from its ConfigMap; production verifies tokens with the JWKS, local with a Secret", (t) => {
  const prod = deployment(production()).spec.template.spec.containers[0]!;
  t.deepEqual(prod.envFrom, [{ configMapRef: { name: "genpool-api" } }]);
  t.falsy(prod.env?.find((e) => e.name === "JWT_HS256_SECRET"));
  const local = deployment(allManifests(localSettings())).spec.template.spec.containers[0]!;
  t.deepEqual(local.env?.find((e) => e.name === "JWT_HS256_SECRET")?.valueFrom, { secretKeyRef: { name: "genpool-api-jwt", key: "hs256-secret", optional: false } });
});

test("fewer than two API replicas is refused at synth", (t) => {
  const s = localSettings();
  t.throws(() => allManifests({ ...s, sizing: { ...s.sizing, apiMinReplicas: 1 } }), { message: /API replicas 1-4: at least 2 and min <= max are allowed/ });
});

test("an API pod keeps serving while the ALB deregisters it (preStop sleep inside the grace period)", (t) => {
  const pod = deployment(production()).spec.template.spec;
  const api = pod.containers[0] as unknown as { lifecycle?: { preStop?: { sleep?: { seconds: number } } } };
  const seconds = api.lifecycle?.preStop?.sleep?.seconds ?? 0;
  t.true(seconds >= 10, `preStop sleep ${seconds}s`);
  t.true((pod.terminationGracePeriodSeconds ?? 30) > seconds);
});
