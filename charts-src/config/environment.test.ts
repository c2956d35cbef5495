import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { OutputKey } from "../../cluster/contract.ts";
import { EXAMPLE_PRODUCTION_ENV } from "../examples/production-env.ts";
import { exampleOutputsJson, exampleProductionSettings } from "../lib/fixtures.ts";
import { settingsFromEnv } from "./environment.ts";

const dir = mkdtempSync(join(tmpdir(), "genpool-outputs-"));
function outputsFile(name: string, json: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof json === "string" ? json : JSON.stringify(json));
  return file;
}

/** Every output key production reads; dropping any one must fail synth naming it. */
const requiredKeys: OutputKey[] = [
  OutputKey.Region,
  OutputKey.ClusterName,
  OutputKey.ImageBucketName,
  OutputKey.ModelsS3Uri,
  OutputKey.DbEndpoint,
  OutputKey.DbPort,
  OutputKey.DbName,
  OutputKey.RedisEndpoint,
  OutputKey.RedisPort,
  OutputKey.CertificateArn,
  OutputKey.AlbSourceCidrs,
  OutputKey.AlbSecurityGroupId,
  OutputKey.GpuOnDemandNodegroupName,
  OutputKey.GpuSpotNodegroupName,
  OutputKey.ApiRepositoryUri,
  OutputKey.WorkerRepositoryUri,
  OutputKey.OperatorRepositoryUri,
];

for (const key of requiredKeys) {
  test(`production synth fails naming the missing output ${key}`, (t) => {
    const json = exampleOutputsJson();
    delete json.GenpoolCluster![key];
    const file = outputsFile(`missing-${key}.json`, json);
    const error = t.throws(() => settingsFromEnv({ ...EXAMPLE_PRODUCTION_ENV, GENPOOL_OUTPUTS: file }));
    t.regex(error.message, new RegExp(`Missing CDK output "${key}" in ".*missing-${key}\\.json" \\(stacks: GenpoolCluster\\)`));
  });
}

// Bad values: the message names the field, the value and what is allowed.
const badValues: [key: OutputKey, value: string, message: RegExp][] = [
  [OutputKey.AlbSourceCidrs, "10.0.0.0/24,not-a-cidr", /"AlbSourceCidrs" is "10\.0\.0\.0\/24,not-a-cidr"; a comma-separated list of IPv4 CIDRs/],
  [OutputKey.AlbSourceCidrs, "10.0.0.300/24", /IPv4 CIDRs/],
  [OutputKey.DbPort, "postgres", /"DbPort" is "postgres"; a TCP port 1-65535/],
  [OutputKey.RedisPort, "70000", /"RedisPort" is "70000"/],
  // cluster/ writes "none" when deployed without a certificate; production is HTTPS only.
  [OutputKey.CertificateArn, "none", /"CertificateArn" is "none"; production needs an ACM certificate ARN/],
  [OutputKey.ModelsS3Uri, "https://bucket/models", /"ModelsS3Uri" is "https:\/\/bucket\/models"; an s3:\/\/bucket\/prefix\/ URI/],
  [OutputKey.Region, "", /Missing CDK output "Region"/],
  [OutputKey.Region, "Ireland", /"Region" is "Ireland"; an AWS region code such as eu-west-1/],
  // The operator's EKS_CLUSTER_NAME: refused at synth rather than at the operator's start.
  [OutputKey.ClusterName, "genpool cluster", /"ClusterName" is "genpool cluster"; an EKS cluster name \(1-100 letters, digits, "-" or "_"/],
  [OutputKey.AlbSecurityGroupId, "alb-sg", /"AlbSecurityGroupId" is "alb-sg"; a security group ID \(sg- and 8 or 17 hex digits\)/],
];
for (const [key, value, message] of badValues) {
  test(`production rejects ${key}=${JSON.stringify(value)} with a clear message`, (t) => {
    const json = exampleOutputsJson();
    json.GenpoolCluster![key] = value;
    t.throws(() => exampleProductionSettings(json), { message });
  });
}

const badEnv: [what: string, env: NodeJS.ProcessEnv, message: RegExp][] = [
  ["an unknown environment", { GENPOOL_ENV: "staging" }, /GENPOOL_ENV is "staging"; "local" or "production" is allowed/],
  ["production without outputs", { ...EXAMPLE_PRODUCTION_ENV, GENPOOL_OUTPUTS: undefined }, /GENPOOL_ENV=production needs GENPOOL_OUTPUTS/],
  ["production without an image tag", { ...EXAMPLE_PRODUCTION_ENV, GENPOOL_IMAGE_TAG: "" }, /needs GENPOOL_IMAGE_TAG/],
  ["the mutable latest tag", { ...EXAMPLE_PRODUCTION_ENV, GENPOOL_IMAGE_TAG: "latest" }, /GENPOOL_IMAGE_TAG is "latest"; production needs an immutable image tag/],
  ["an http JWKS URL", { ...EXAMPLE_PRODUCTION_ENV, GENPOOL_JWT_JWKS_URL: "http://auth/jwks" }, /GENPOOL_JWT_JWKS_URL is "http:\/\/auth\/jwks"; an absolute https:\/\/ URL/],
  ["a monitoring namespace that is not a DNS label", { ...EXAMPLE_PRODUCTION_ENV, GENPOOL_MONITORING_NAMESPACE: "Prometheus_NS" }, /GENPOOL_MONITORING_NAMESPACE is "Prometheus_NS"; a namespace name/],
  ["an unreadable outputs file", { ...EXAMPLE_PRODUCTION_ENV, GENPOOL_OUTPUTS: "/nonexistent/cdk-outputs.json" }, /Cannot read CDK outputs file "\/nonexistent\/cdk-outputs\.json"/],
];
for (const [what, env, message] of badEnv) {
  test(`synth refuses ${what}`, (t) => {
    t.throws(() => settingsFromEnv(env), { message });
  });
}

test("an outputs file of the wrong shape is rejected with the expected shape", (t) => {
  const file = outputsFile("flat.json", { Region: "eu-west-1" });
  t.throws(() => settingsFromEnv({ ...EXAMPLE_PRODUCTION_ENV, GENPOOL_OUTPUTS: file }), { message: /must be \{ \[stackName\]: \{ \[outputKey\]: string \} \}/ });
});

test("a key two stacks disagree on is an error naming both", (t) => {
  const json = { ...exampleOutputsJson(), Other: { Region: "us-east-1" } };
  t.throws(() => exampleProductionSettings(json), { message: /"Region" has different values .*GenpoolCluster=eu-west-1, Other=us-east-1/ });
});

test("GENPOOL_ENV defaults to local", (t) => {
  t.is(settingsFromEnv({}).environment, "local");
});

test("production reads every value from the outputs file and the image tag", (t) => {
  const s = settingsFromEnv(EXAMPLE_PRODUCTION_ENV);
  const out = exampleOutputsJson().GenpoolCluster!;
  t.is(s.images.api, `${out.ApiRepositoryUri}:0.1.0`);
  t.is(s.database.host, out.DbEndpoint ?? "(missing)");
  t.is(s.redis.port, 6379);
  t.deepEqual(s.albSourceCidrs, ["10.0.0.0/24", "10.0.1.0/24"]);
  t.deepEqual(s.gpuNodegroups, { spot: out.GpuSpotNodegroupName, onDemand: out.GpuOnDemandNodegroupName });
});

test("npm run synth with GENPOOL_ENV=production and a missing key exits 1, names the key and writes nothing", (t) => {
  const json = exampleOutputsJson();
  delete json.GenpoolCluster!.CertificateArn;
  const outdir = join(dir, "never-written");
  const run = spawnSync(process.execPath, ["--import=tsx", join(import.meta.dirname, "..", "..", "scripts", "synth.ts")], {
    encoding: "utf8",
    env: { ...process.env, ...EXAMPLE_PRODUCTION_ENV, GENPOOL_OUTPUTS: outputsFile("cli-missing.json", json), GENPOOL_OUTDIR: outdir },
  });
  t.is(run.status, 1);
  t.regex(run.stderr, /synth failed: Missing CDK output "CertificateArn" in ".*cli-missing\.json" \(stacks: GenpoolCluster\)/);
  t.false(existsSync(outdir));
});

test("GENPOOL_MONITORING_NAMESPACE selects who may scrape the operator", (t) => {
  const s = settingsFromEnv({ ...EXAMPLE_PRODUCTION_ENV, GENPOOL_MONITORING_NAMESPACE: "monitoring" });
  t.deepEqual(s.monitoringNamespaceLabels, { "kubernetes.io/metadata.name": "monitoring" });
});
