/** Everything the charts need to know about one environment, already validated. */
export interface Settings {
  /** Which environment these settings describe; also the dist/ folder name. */
  readonly environment: "local" | "production";
  readonly images: Images;
  readonly aws: AwsSettings;
  readonly database: DatabaseSettings;
  readonly redis: RedisSettings;
  /** Ingress through the AWS Load Balancer Controller; absent when there is no ALB (local). */
  readonly ingress?: IngressSettings;
  /** CIDRs the load balancer connects from; the only sources the API accepts on its port. */
  readonly albSourceCidrs: readonly string[];
  readonly gpuNodegroups: { readonly spot: string; readonly onDemand: string };
  /** Labels of the namespace the metrics scraper runs in (NetworkPolicy namespaceSelector). */
  readonly monitoringNamespaceLabels: Readonly<Record<string, string>>;
  readonly sizing: Sizing;
  readonly auth: AuthSettings;
  /** Model names the API accepts (InvokeAI model names found under the models prefix). */
  readonly allowedModels: readonly string[];
}

/**
 * How the API verifies user JWTs. With `jwksUrl` it fetches the identity provider's keys;
 * without it the HS256 secret comes from the `genpool-api-jwt` Secret (key `hs256-secret`).
 */
export interface AuthSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl?: string;
}

/** Container images, pinned by tag. */
export interface Images {
  readonly api: string;
  readonly worker: string;
  readonly operator: string;
  readonly invokeai: string;
  readonly awsCli: string;
  /** `Never` locally (nothing pulls on fake nodes), `IfNotPresent` with immutable tags in production. */
  readonly pullPolicy: "Never" | "IfNotPresent";
}

/** AWS location and the S3 bucket shared by the API and the workers. */
export interface AwsSettings {
  readonly region: string;
  readonly clusterName: string;
  /**
   * The operator resizes the pools' GPU node groups through EKS (its `EKS_CLUSTER_NAME` is
   * `clusterName`, `AWS_REGION` is `region`). False: it sizes worker Deployments only and makes
   * no AWS call (local: there is no EKS).
   */
  readonly manageNodeGroups: boolean;
  readonly imageBucket: string;
  /** `s3://bucket/models/`; workers sync it into the InvokeAI models directory at start. */
  readonly modelsS3Uri: string;
}

/** PostgreSQL endpoint; credentials come from the `genpool-db` Secret, never from here. */
export interface DatabaseSettings {
  readonly host: string;
  readonly port: number;
  readonly name: string;
  /** Require TLS to PostgreSQL (RDS). */
  readonly ssl: boolean;
}

/** Redis endpoint; the auth token comes from the `genpool-redis` Secret. */
export interface RedisSettings {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** Whether the `genpool-redis` Secret (key `auth-token`) must exist; ElastiCache with AUTH needs it. */
  readonly authRequired: boolean;
}

/** Public entry point: ALB Ingress. */
export interface IngressSettings {
  readonly certificateArn: string;
  /** Security group cluster/ made for the ALB (AlbSecurityGroupId): client CIDRs in, API port out. */
  readonly securityGroupId: string;
  /** Host name the Ingress rule matches; undefined matches every host. */
  readonly host?: string;
}

/** Sizes that differ between a laptop-sized control plane and production. */
export interface Sizing {
  readonly apiMinReplicas: number;
  readonly apiMaxReplicas: number;
  readonly apiCpuRequest: string;
  readonly apiMemoryRequest: string;
  readonly apiMemoryLimit: string;
  readonly apiCpuLimit: string;
  readonly operatorCpuRequest: string;
  readonly operatorMemoryLimit: string;
  readonly operatorCpuLimit: string;
  readonly workerCpuRequest: string;
  readonly workerMemoryLimit: string;
  readonly workerCpuLimit: string;
  readonly invokeaiCpuRequest: string;
  readonly invokeaiMemoryRequest: string;
  readonly invokeaiMemoryLimit: string;
  readonly invokeaiCpuLimit: string;
  /** Disk for the models synced from S3 (emptyDir size limit and ephemeral-storage request), GiB. */
  readonly modelsDiskGi: number;
  /** Upper bound of InvokeAI's model RAM cache; must stay below the memory limit. */
  readonly invokeaiMaxCacheRamGb: number;
  /** Longest generation a worker may finish after SIGTERM, in seconds. */
  readonly longestJobSeconds: number;
}
