/**
 * The sandbox environment contract: the variable names every test and local run reads to find
 * the sandbox's Kubernetes API server, Redis, PostgreSQL and moto (AWS APIs).
 *
 * `<state>/env` holds these as `KEY=value` lines; `npm test` puts them in the environment of the
 * test processes. This file is the only place the names are spelled for the sandbox.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

const port = z.coerce.number().int().min(1).max(65535);

/** Schema of the contract; parsing names the missing or invalid variable. */
export const SandboxEnvSchema = z.object({
  GENPOOL_SANDBOX: z.string().min(1),
  KUBECONFIG: z.string().min(1),
  SANDBOX_BIN: z.string().min(1),
  REDIS_HOST: z.string().min(1),
  REDIS_PORT: port,
  DB_HOST: z.string().min(1),
  DB_PORT: port,
  DB_NAME: z.string().min(1),
  DB_USER: z.string().min(1),
  DB_PASSWORD: z.string().min(1),
  AWS_ENDPOINT_URL: z.url(),
  AWS_REGION: z.string().min(1),
  AWS_ACCESS_KEY_ID: z.string().min(1),
  AWS_SECRET_ACCESS_KEY: z.string().min(1),
});

/** The parsed contract. */
export type SandboxEnv = z.infer<typeof SandboxEnvSchema>;

/** The contract's variable names, in the order they are written. */
export const sandboxEnvKeys = Object.keys(SandboxEnvSchema.shape) as (keyof SandboxEnv)[];

/** Parses the contract from an environment; the error names each missing or invalid variable. */
export function parseSandboxEnv(env: Record<string, string | undefined>): SandboxEnv {
  const result = SandboxEnvSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    return `${key}=${JSON.stringify(env[key] ?? null)}: ${issue.message}`;
  });
  throw new Error(`invalid sandbox environment: ${problems.join("; ")}`);
}

/** Renders the contract as shell `KEY=value` lines (values quoted only when the shell needs it; absent keys left out). */
export function formatEnvFile(env: Partial<SandboxEnv>): string {
  return sandboxEnvKeys
    .filter((key) => env[key] !== undefined)
    .map((key) => `${key}=${shellQuote(String(env[key]))}\n`)
    .join("");
}

/** Reads `KEY=value` lines written by formatEnvFile (comments and blank lines ignored). */
export function readEnvFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) out[match[1]] = shellUnquote(match[2]);
  }
  return out;
}

/** Environment for a process that uses the sandbox: the contract plus the pinned binaries on PATH. */
export function processEnv(env: SandboxEnv, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const contract = Object.fromEntries(sandboxEnvKeys.map((key) => [key, String(env[key])]));
  return { ...base, ...contract, PATH: `${env.SANDBOX_BIN}:${base.PATH ?? "/usr/bin:/bin"}` };
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+,=-]*$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

function shellUnquote(value: string): string {
  if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) {
    return value.slice(1, -1).replaceAll(`'\\''`, "'");
  }
  return value;
}
