import { OutputKey } from "../../cluster/contract.ts";
import { EKS_CLUSTER_NAME_PATTERN } from "../../operator/config.ts";
import { AWS_CLI_IMAGE, INVOKEAI_IMAGE } from "./local.ts";
import type { CdkOutputs } from "./outputs.ts";
import type { Settings } from "./settings.ts";

/** What production needs besides the CDK outputs. */
export interface ProductionInputs {
  readonly outputs: CdkOutputs;
  /** Tag of the api, worker and operator images in their ECR repositories (immutable tags). */
  readonly imageTag: string;
  /** Host name for the Ingress rule. @default every host */
  readonly host?: string;
  /** Identity provider whose JWTs the API accepts (JWKS, RS256/ES256). */
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly jwtJwksUrl: string;
  /** @default ["sdxl-base"] */
  readonly allowedModels?: readonly string[];
  /** Namespace whose pods may scrape the operator's metrics. @default "amazon-cloudwatch" (CloudWatch agent add-on) */
  readonly monitoringNamespace?: string;
}

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** EKS production settings built from `cdk deploy --outputs-file` and an image tag. */
export function productionSettings(inputs: ProductionInputs): Settings {
  const out = (key: OutputKey): string => inputs.outputs.get(key);
  const tag = validImageTag(inputs.imageTag);
  return {
    environment: "production",
    images: {
      api: `${out(OutputKey.ApiRepositoryUri)}:${tag}`,
      worker: `${out(OutputKey.WorkerRepositoryUri)}:${tag}`,
      operator: `${out(OutputKey.OperatorRepositoryUri)}:${tag}`,
      invokeai: INVOKEAI_IMAGE,
      awsCli: AWS_CLI_IMAGE,
      pullPolicy: "IfNotPresent",
    },
    aws: {
      region: validRegion(out(OutputKey.Region)),
      clusterName: validClusterName(out(OutputKey.ClusterName)),
      manageNodeGroups: true,
      imageBucket: out(OutputKey.ImageBucketName),
      modelsS3Uri: validS3Uri(out(OutputKey.ModelsS3Uri)),
    },
    database: { host: out(OutputKey.DbEndpoint), port: validPort(OutputKey.DbPort, out(OutputKey.DbPort)), name: out(OutputKey.DbName), ssl: true },
    redis: { host: out(OutputKey.RedisEndpoint), port: validPort(OutputKey.RedisPort, out(OutputKey.RedisPort)), tls: true, authRequired: true },
    auth: { issuer: inputs.jwtIssuer, audience: inputs.jwtAudience, jwksUrl: validHttpsUrl("GENPOOL_JWT_JWKS_URL", inputs.jwtJwksUrl) },
    allowedModels: inputs.allowedModels ?? ["sdxl-base"],
    ingress: {
      certificateArn: validCertificateArn(out(OutputKey.CertificateArn)),
      securityGroupId: validSecurityGroupId(out(OutputKey.AlbSecurityGroupId)),
      ...(inputs.host ? { host: inputs.host } : {}),
    },
    albSourceCidrs: validCidrs(out(OutputKey.AlbSourceCidrs)),
    gpuNodegroups: { spot: out(OutputKey.GpuSpotNodegroupName), onDemand: out(OutputKey.GpuOnDemandNodegroupName) },
    monitoringNamespaceLabels: { "kubernetes.io/metadata.name": validNamespace(inputs.monitoringNamespace ?? "amazon-cloudwatch") },
    sizing: {
      apiMinReplicas: 2,
      apiMaxReplicas: 10,
      apiCpuRequest: "250m",
      apiMemoryRequest: "256Mi",
      apiCpuLimit: "1",
      apiMemoryLimit: "512Mi",
      operatorCpuRequest: "100m",
      operatorCpuLimit: "500m",
      operatorMemoryLimit: "256Mi",
      workerCpuRequest: "100m",
      workerCpuLimit: "500m",
      workerMemoryLimit: "512Mi",
      invokeaiCpuRequest: "2",
      invokeaiMemoryRequest: "14Gi",
      invokeaiCpuLimit: "4",
      modelsDiskGi: 60,
      invokeaiMemoryLimit: "14Gi",
      // 14 GiB limit minus ~4 GiB for Python, torch and the working set (see INVOKEAI_MAX_CACHE_RAM_GB).
      invokeaiMaxCacheRamGb: 10,
      longestJobSeconds: 600,
    },
  };
}

/** The operator refuses to start with a malformed EKS_CLUSTER_NAME; refuse it at synth instead. */
function validClusterName(value: string): string {
  if (!EKS_CLUSTER_NAME_PATTERN.test(value)) {
    throw new Error(`CDK output "${OutputKey.ClusterName}" is "${value}"; an EKS cluster name (1-100 letters, digits, "-" or "_", starting with a letter or digit) is allowed`);
  }
  return value;
}

function validRegion(value: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(value)) {
    throw new Error(`CDK output "${OutputKey.Region}" is "${value}"; an AWS region code such as eu-west-1 is allowed`);
  }
  return value;
}

function validImageTag(tag: string): string {
  if (!IMAGE_TAG.test(tag) || tag === "latest") {
    throw new Error(`GENPOOL_IMAGE_TAG is "${tag}"; production needs an immutable image tag (letters, digits, "_", ".", "-", at most 128, not "latest")`);
  }
  return tag;
}

/** cluster/ writes "none" when it was deployed without a certificate; production serves HTTPS only. */
function validCertificateArn(value: string): string {
  if (!/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(value)) {
    throw new Error(`CDK output "${OutputKey.CertificateArn}" is "${value}"; production needs an ACM certificate ARN (arn:aws:acm:region:account:certificate/id) for the HTTPS listener`);
  }
  return value;
}

function validSecurityGroupId(value: string): string {
  if (!/^sg-([0-9a-f]{8}|[0-9a-f]{17})$/.test(value)) {
    throw new Error(`CDK output "${OutputKey.AlbSecurityGroupId}" is "${value}"; a security group ID (sg- and 8 or 17 hex digits) is allowed`);
  }
  return value;
}

function validHttpsUrl(name: string, value: string): string {
  if (!URL.canParse(value) || new URL(value).protocol !== "https:") {
    throw new Error(`${name} is "${value}"; an absolute https:// URL is allowed`);
  }
  return value;
}

function validNamespace(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)) {
    throw new Error(`GENPOOL_MONITORING_NAMESPACE is "${value}"; a namespace name (DNS label) is allowed`);
  }
  return value;
}

function validPort(key: OutputKey, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`CDK output "${key}" is "${value}"; a TCP port 1-65535 is allowed`);
  }
  return port;
}

function validS3Uri(value: string): string {
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(value)) {
    throw new Error(`CDK output "${OutputKey.ModelsS3Uri}" is "${value}"; an s3://bucket/prefix/ URI is allowed`);
  }
  return value.endsWith("/") ? value : `${value}/`;
}

/** `AlbSourceCidrs` is one CloudFormation string: CIDRs separated by commas. */
export function validCidrs(value: string): string[] {
  const cidrs = value.split(",").map((c) => c.trim()).filter((c) => c !== "");
  const bad = cidrs.filter((c) => !isIpv4Cidr(c));
  if (cidrs.length === 0 || bad.length > 0) {
    throw new Error(`CDK output "${OutputKey.AlbSourceCidrs}" is "${value}"; a comma-separated list of IPv4 CIDRs (e.g. 10.0.0.0/24,10.0.1.0/24) is allowed`);
  }
  return cidrs;
}

function isIpv4Cidr(value: string): boolean {
  const m = CIDR.exec(value);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  return octets.every((o) => o <= 255) && Number(m[5]) <= 32;
}
