/**
 * The contract between the AWS side (cluster/) and the cluster side (charts-src/, operator/).
 *
 * `cdk deploy --outputs-file cdk-outputs.json` writes `{ [stackName]: { [OutputKey]: value } }`;
 * charts-src/ reads that one file in the production environment. The names below are the only
 * place these keys, namespaces, service accounts, labels and taints are spelled.
 */

/** Keys of the CloudFormation outputs that charts-src/ reads. */
export const OutputKey = {
  Region: "Region",
  ClusterName: "ClusterName",
  VpcId: "VpcId",
  ImageBucketName: "ImageBucketName",
  ModelsS3Uri: "ModelsS3Uri",
  DbEndpoint: "DbEndpoint",
  DbPort: "DbPort",
  DbName: "DbName",
  DbSecretArn: "DbSecretArn",
  RedisEndpoint: "RedisEndpoint",
  RedisPort: "RedisPort",
  RedisAuthSecretArn: "RedisAuthSecretArn",
  CertificateArn: "CertificateArn",
  AlbSourceCidrs: "AlbSourceCidrs",
  AlbSecurityGroupId: "AlbSecurityGroupId",
  GpuOnDemandNodegroupName: "GpuOnDemandNodegroupName",
  GpuSpotNodegroupName: "GpuSpotNodegroupName",
  OperatorRoleArn: "OperatorRoleArn",
  ApiRoleArn: "ApiRoleArn",
  WorkerRoleArn: "WorkerRoleArn",
  ApiRepositoryUri: "ApiRepositoryUri",
  WorkerRepositoryUri: "WorkerRepositoryUri",
  OperatorRepositoryUri: "OperatorRepositoryUri",
} as const;
export type OutputKey = (typeof OutputKey)[keyof typeof OutputKey];

/** Namespaces and ServiceAccounts; Pod Identity associations in cluster/ bind roles to these. */
export const Workload = {
  operator: { namespace: "genpool-system", serviceAccount: "genpool-operator" },
  api: { namespace: "genpool-app", serviceAccount: "genpool-api" },
  worker: { namespace: "genpool-gpu", serviceAccount: "genpool-worker" },
} as const;

/** Labels and taints that GPU node groups carry and that workers and the operator select on. */
export const GpuNode = {
  /** Label every Genpool GPU node carries (value "true"). */
  roleLabel: "genpool.io/gpu",
  /** Set by EKS managed node groups on their nodes. */
  nodegroupLabel: "eks.amazonaws.com/nodegroup",
  /** Set by EKS managed node groups: "ON_DEMAND" or "SPOT". */
  capacityTypeLabel: "eks.amazonaws.com/capacityType",
  /** Taint on GPU nodes so only GPU workloads land there. */
  taint: { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" },
  /** Extended resource a worker requests, one per worker. */
  resource: "nvidia.com/gpu",
} as const;
