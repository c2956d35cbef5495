import { z } from "zod";
import { Workload } from "../cluster/contract.ts";

const port = (field: string): z.ZodDefault<z.ZodCoercedNumber<unknown>> | z.ZodCoercedNumber<unknown> =>
  z.coerce
    .number({ message: `${field} must be a TCP port number` })
    .int(`${field} must be an integer`)
    .min(0, `${field} must be between 0 and 65535`)
    .max(65535, `${field} must be between 0 and 65535`);

const flag = z
  .enum(["true", "false", "1", "0", ""], { message: "must be one of true, false, 1, 0" })
  .transform((v) => v === "true" || v === "1");

/** An EKS cluster name: 1-100 letters, digits, '-' or '_', starting with a letter or digit. */
export const EKS_CLUSTER_NAME_PATTERN = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

const namespaceList = z
  .string()
  .transform((v) => v.split(",").map((s) => s.trim()).filter((s) => s !== ""))
  .refine((names) => names.every((n) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n)), "must be DNS-1123 labels (lowercase letters, digits, '-') separated by commas");

const schema = z.object({
  REDIS_HOST: z.string({ error: "REDIS_HOST is required (the BullMQ Redis host)" }).min(1),
  REDIS_PORT: port("REDIS_PORT").default(6379),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_TLS: flag.default(false),
  /** Comma-separated namespaces whose GenerationPools this operator manages; empty means all. */
  WATCH_NAMESPACES: namespaceList.default([]),
  LEADER_ELECTION_NAMESPACE: z.string().min(1).default(Workload.operator.namespace),
  LEADER_ELECTION_LEASE_NAME: z.string().min(1).default("genpool-operator"),
  LEASE_DURATION_SECONDS: z.coerce.number().int().min(2).max(300).default(15),
  LEASE_RENEW_SECONDS: z.coerce.number().positive().max(60).default(2),
  POD_NAME: z.string({ error: "POD_NAME is required (the leader election identity; use the downward API)" }).min(1),
  METRICS_PORT: port("METRICS_PORT").default(8080),
  RESYNC_SECONDS: z.coerce.number().positive("RESYNC_SECONDS must be > 0").max(3600).default(30),
  /** Demand includes delayed jobs that become due within this many seconds. */
  DELAYED_LEAD_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  /**
   * EKS cluster whose managed node groups the pools' spec.nodeGroups name. Unset: the operator
   * sizes worker Deployments only and never talks to AWS. AWS_REGION / AWS_ENDPOINT_URL and
   * credentials come from the AWS SDK's standard chain.
   */
  EKS_CLUSTER_NAME: z
    .string()
    .regex(EKS_CLUSTER_NAME_PATTERN, "EKS_CLUSTER_NAME must be an EKS cluster name (1-100 letters, digits, '-' or '_', starting with a letter or digit)")
    .optional(),
  KUBECONFIG: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
});

/** The operator's validated configuration. */
export type Config = z.infer<typeof schema>;

/** Parses the environment once at start; throws one error that lists every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "");
    const value = name in cleaned ? JSON.stringify(cleaned[name]) : "(unset)";
    return `  ${name}=${value}: ${issue.message}`;
  });
  throw new Error(`Invalid operator configuration:\n${lines.join("\n")}`);
}
