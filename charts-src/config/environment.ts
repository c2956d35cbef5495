import { z } from "zod";
import { localSettings } from "./local.ts";
import { CdkOutputs } from "./outputs.ts";
import { productionSettings } from "./production.ts";
import type { Settings } from "./settings.ts";

const optional = z.string().min(1).optional();

/** The environment variables `npm run synth` and `cdk8s synth` read. */
const SynthEnv = z.object({
  GENPOOL_ENV: z
    .enum(["local", "production"], { error: (i) => `GENPOOL_ENV is ${JSON.stringify(i.input)}; "local" or "production" is allowed` })
    .default("local"),
  GENPOOL_OUTPUTS: optional,
  GENPOOL_IMAGE_TAG: optional,
  GENPOOL_HOST: optional,
  GENPOOL_JWT_ISSUER: optional,
  GENPOOL_JWT_AUDIENCE: optional,
  GENPOOL_JWT_JWKS_URL: optional,
  GENPOOL_ALLOWED_MODELS: optional,
  GENPOOL_MONITORING_NAMESPACE: optional,
});
type SynthEnv = z.infer<typeof SynthEnv>;

/** What each production-only variable is for, in the error when it is missing. */
const REQUIRED_IN_PRODUCTION = {
  GENPOOL_OUTPUTS: "the JSON written by cdk deploy --outputs-file, e.g. cdk-outputs.json",
  GENPOOL_IMAGE_TAG: "the tag of the api, worker and operator images",
  GENPOOL_JWT_ISSUER: "the iss claim of user tokens",
  GENPOOL_JWT_AUDIENCE: "the aud claim of user tokens",
  GENPOOL_JWT_JWKS_URL: "the identity provider's JWKS URL",
} as const;

/** Settings for the environment named by GENPOOL_ENV (default `local`). */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Settings {
  const parsed = SynthEnv.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) throw new Error(z.prettifyError(parsed.error));
  const e = parsed.data;
  if (e.GENPOOL_ENV === "local") return localSettings();
  const missing = Object.entries(REQUIRED_IN_PRODUCTION).filter(([name]) => !e[name as keyof SynthEnv]);
  if (missing.length > 0) {
    throw new Error(`GENPOOL_ENV=production needs ${missing.map(([name, what]) => `${name} (${what})`).join(", ")}`);
  }
  return productionSettings({
    outputs: CdkOutputs.fromFile(e.GENPOOL_OUTPUTS!),
    imageTag: e.GENPOOL_IMAGE_TAG!,
    jwtIssuer: e.GENPOOL_JWT_ISSUER!,
    jwtAudience: e.GENPOOL_JWT_AUDIENCE!,
    jwtJwksUrl: e.GENPOOL_JWT_JWKS_URL!,
    ...(e.GENPOOL_HOST ? { host: e.GENPOOL_HOST } : {}),
    ...(e.GENPOOL_MONITORING_NAMESPACE ? { monitoringNamespace: e.GENPOOL_MONITORING_NAMESPACE } : {}),
    ...(e.GENPOOL_ALLOWED_MODELS ? { allowedModels: e.GENPOOL_ALLOWED_MODELS.split(",").map((m) => m.trim()) } : {}),
  });
}
