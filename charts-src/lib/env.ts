import { createHash } from "node:crypto";
import type { k8s } from "cdk8s-plus-27";
import type { Settings } from "../config/settings.ts";

/**
 * Secrets the charts reference by name and never create: their values come from AWS Secrets
 * Manager (docs/CHARTS.md shows the commands), so no secret value is ever in a manifest.
 */
export const SecretRef = {
  db: { name: "genpool-db", username: "username", password: "password" },
  redis: { name: "genpool-redis", authToken: "auth-token" },
  jwt: { name: "genpool-api-jwt", hs256Secret: "hs256-secret" },
} as const;

/** BullMQ queue the API fills, the workers drain and the default pool watches. */
export const QUEUE_NAME = "gpu-generation";
/** BullMQ key prefix; the api, the workers and the operator must agree on it. */
export const QUEUE_PREFIX = "bull";

/** Non-secret PostgreSQL, Redis and S3 settings shared by the API and the workers. */
export function dataPlaneConfig(s: Settings): Record<string, string> {
  return {
    DB_HOST: s.database.host,
    DB_PORT: String(s.database.port),
    DB_NAME: s.database.name,
    DB_SSL: String(s.database.ssl),
    REDIS_HOST: s.redis.host,
    REDIS_PORT: String(s.redis.port),
    REDIS_TLS: String(s.redis.tls),
    QUEUE_NAME,
    QUEUE_PREFIX,
    S3_BUCKET: s.aws.imageBucket,
    AWS_REGION: s.aws.region,
  };
}

/** A variable read from a Secret key. */
export function fromSecret(name: string, secret: string, key: string, optional = false): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key, optional } } };
}

/** DB_USER and DB_PASSWORD from the `genpool-db` Secret. */
export function dbCredentials(): k8s.EnvVar[] {
  return [
    fromSecret("DB_USER", SecretRef.db.name, SecretRef.db.username),
    fromSecret("DB_PASSWORD", SecretRef.db.name, SecretRef.db.password),
  ];
}

/** REDIS_PASSWORD from the `genpool-redis` Secret; optional where Redis has no AUTH (local). */
export function redisCredentials(s: Settings): k8s.EnvVar[] {
  return [fromSecret("REDIS_PASSWORD", SecretRef.redis.name, SecretRef.redis.authToken, !s.redis.authRequired)];
}

/** Plain variables, sorted so synth output does not depend on object key order. */
export function envList(vars: Record<string, string>): k8s.EnvVar[] {
  return Object.keys(vars)
    .sort()
    .map((name) => ({ name, value: vars[name]! }));
}

/** Pod-template annotation that changes when a ConfigMap's data changes, so pods roll. */
export function configChecksum(data: Record<string, string>): Record<string, string> {
  const sorted = Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]]));
  return { "genpool.io/config-sha256": createHash("sha256").update(JSON.stringify(sorted)).digest("hex") };
}
