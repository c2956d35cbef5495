/**
 * Environment parsing shared by api/ and worker/: the fragments for PostgreSQL, Redis and S3 and
 * one parse function that reports every bad variable at once, naming the value and what is allowed.
 */
import { z } from "zod";

/** Thrown when the environment is invalid; the message lists every problem, one per line. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));

type FromString<T> = z.ZodPipe<z.ZodOptional<z.ZodString>, z.ZodTransform<T, string | undefined>>;

/** A required non-empty string. */
export const str = (name: string): z.ZodString =>
  z.string({ error: (i) => `${name} is required (a non-empty string), got ${show(i.input)}` }).min(1, {
    error: () => `${name} is required (a non-empty string), got ""`,
  });

/** An integer from a string, within bounds, with a default. */
export const int = (name: string, min: number, max: number, fallback: number): FromString<number> =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `${name} must be an integer from ${min} to ${max}, got ${show(v)}` });
        return z.NEVER;
      }
      return n;
    });

/** A boolean from "true"/"false"/"1"/"0", with a default. */
export const bool = (name: string, fallback: boolean): FromString<boolean> =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      if (["true", "1", "yes"].includes(v.toLowerCase())) return true;
      if (["false", "0", "no"].includes(v.toLowerCase())) return false;
      ctx.addIssue({ code: "custom", message: `${name} must be true or false, got ${show(v)}` });
      return z.NEVER;
    });

/** An optional URL. */
export const url = (name: string): FromString<string | undefined> =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return undefined;
      if (!URL.canParse(v)) {
        ctx.addIssue({ code: "custom", message: `${name} must be an absolute URL, got ${show(v)}` });
        return z.NEVER;
      }
      return v;
    });

export const dbEnv = {
  DB_HOST: str("DB_HOST"),
  DB_PORT: int("DB_PORT", 1, 65535, 5432),
  DB_NAME: str("DB_NAME"),
  DB_USER: str("DB_USER"),
  DB_PASSWORD: str("DB_PASSWORD"),
  DB_SSL: bool("DB_SSL", false),
  DB_POOL_MAX: int("DB_POOL_MAX", 1, 100, 10),
  /** Schema for the tables (search_path); PostgreSQL's default when unset. */
  DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: (i) => `DB_SCHEMA must be a lowercase SQL identifier, got ${show(i.input)}` }).optional(),
};

export const redisEnv = {
  REDIS_HOST: str("REDIS_HOST"),
  REDIS_PORT: int("REDIS_PORT", 1, 65535, 6379),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_TLS: bool("REDIS_TLS", false),
  QUEUE_NAME: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { error: (i) => `QUEUE_NAME must be 1 to 100 letters, digits, '.', '_' or '-', got ${show(i.input)}` }).default("gpu-generation"),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9._-]{1,50}$/, { error: (i) => `QUEUE_PREFIX must be 1 to 50 letters, digits, '.', '_' or '-', got ${show(i.input)}` }).default("bull"),
};

export const s3Env = {
  S3_BUCKET: str("S3_BUCKET"),
  AWS_REGION: str("AWS_REGION"),
  AWS_ENDPOINT_URL: url("AWS_ENDPOINT_URL"),
};

/** Parses `env` with `shape`; throws one ConfigError listing every problem. */
export function parseEnv<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
}

/** Subset of a parsed config that the PostgreSQL pool needs. */
export type DbConfig = { DB_HOST: string; DB_PORT: number; DB_NAME: string; DB_USER: string; DB_PASSWORD: string; DB_SSL: boolean; DB_POOL_MAX: number; DB_SCHEMA?: string | undefined };
/** Subset of a parsed config that Redis connections need. */
export type RedisConfig = { REDIS_HOST: string; REDIS_PORT: number; REDIS_PASSWORD?: string | undefined; REDIS_TLS: boolean; QUEUE_NAME: string; QUEUE_PREFIX: string };
/** Subset of a parsed config that the S3 client needs. */
export type S3Config = { S3_BUCKET: string; AWS_REGION: string; AWS_ENDPOINT_URL?: string | undefined };
