import type { Settings } from "./settings.ts";

/**
 * The sandbox control plane: KWOK fake nodes never pull or run images, there is no ALB
 * and no AWS, so endpoints are the in-sandbox names and requests are small enough that
 * fake nodes admit every pod.
 */
export function localSettings(): Settings {
  return {
    environment: "local",
    images: {
      api: "genpool/api:local",
      worker: "genpool/worker:local",
      operator: "genpool/operator:local",
      invokeai: INVOKEAI_IMAGE,
      awsCli: AWS_CLI_IMAGE,
      pullPolicy: "Never",
    },
    aws: {
      region: "us-east-1",
      clusterName: "genpool-local",
      // No EKS locally: the operator sizes the worker Deployment only (no EKS_CLUSTER_NAME).
      manageNodeGroups: false,
      imageBucket: "genpool-local-images",
      modelsS3Uri: "s3://genpool-local-images/models/",
    },
    database: { host: "postgres.genpool-local.svc", port: 5432, name: "genpool", ssl: false },
    redis: { host: "redis.genpool-local.svc", port: 6379, tls: false, authRequired: false },
    auth: { issuer: "https://genpool.local/", audience: "genpool" },
    allowedModels: ["sdxl-base"],
    albSourceCidrs: ["10.0.0.0/16"],
    gpuNodegroups: { spot: "genpool-gpu-spot", onDemand: "genpool-gpu-ondemand" },
    monitoringNamespaceLabels: { "kubernetes.io/metadata.name": "monitoring" },
    sizing: {
      apiMinReplicas: 2,
      apiMaxReplicas: 4,
      apiCpuRequest: "50m",
      apiMemoryRequest: "64Mi",
      apiCpuLimit: "500m",
      apiMemoryLimit: "256Mi",
      operatorCpuRequest: "20m",
      operatorCpuLimit: "200m",
      operatorMemoryLimit: "128Mi",
      workerCpuRequest: "20m",
      workerCpuLimit: "200m",
      workerMemoryLimit: "128Mi",
      invokeaiCpuRequest: "100m",
      invokeaiMemoryRequest: "1Gi",
      invokeaiCpuLimit: "1",
      modelsDiskGi: 2,
      invokeaiMemoryLimit: "2Gi",
      invokeaiMaxCacheRamGb: 1,
      longestJobSeconds: 300,
    },
  };
}

/** InvokeAI release image, pinned by tag; re-run the worker contract tests before changing it. */
export const INVOKEAI_IMAGE = "ghcr.io/invoke-ai/invokeai:v6.13.8-cuda";

/** AWS CLI v2 image used by the model-sync init container, pinned by tag. */
export const AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.27.50";
