import { join } from "node:path";

/**
 * The variables dist/production/ is synthesized with: the example outputs file next to this one
 * and placeholder identity-provider settings. Real deployments pass their own (docs/CHARTS.md).
 */
export const EXAMPLE_PRODUCTION_ENV: NodeJS.ProcessEnv = {
  GENPOOL_ENV: "production",
  GENPOOL_OUTPUTS: join(import.meta.dirname, "cdk-outputs.example.json"),
  GENPOOL_IMAGE_TAG: "0.1.0",
  GENPOOL_HOST: "genpool.example.com",
  GENPOOL_JWT_ISSUER: "https://auth.example.com/",
  GENPOOL_JWT_AUDIENCE: "genpool",
  GENPOOL_JWT_JWKS_URL: "https://auth.example.com/.well-known/jwks.json",
};
