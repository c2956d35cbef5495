import { readFileSync } from "node:fs";
import { productionSettings } from "../config/production.ts";
import { CdkOutputs } from "../config/outputs.ts";
import type { Settings } from "../config/settings.ts";
import { EXAMPLE_PRODUCTION_ENV as E } from "../examples/production-env.ts";

/** The committed example outputs, parsed (tests change copies of it). */
export function exampleOutputsJson(): Record<string, Record<string, string>> {
  return JSON.parse(readFileSync(E.GENPOOL_OUTPUTS!, "utf8")) as Record<string, Record<string, string>>;
}

/** Production settings exactly as dist/production is built, optionally from changed outputs. */
export function exampleProductionSettings(json: unknown = exampleOutputsJson()): Settings {
  return productionSettings({
    outputs: CdkOutputs.fromJson(json, "cdk-outputs.example.json"),
    imageTag: E.GENPOOL_IMAGE_TAG!,
    host: E.GENPOOL_HOST!,
    jwtIssuer: E.GENPOOL_JWT_ISSUER!,
    jwtAudience: E.GENPOOL_JWT_AUDIENCE!,
    jwtJwksUrl: E.GENPOOL_JWT_JWKS_URL!,
  });
}
