/** The GenerationPool resource: types, defaults, schema, CRD and the edge parser. */
export * from "./types.ts";
export { PoolDefaults, PoolLimits } from "./defaults.ts";
export { specSchema } from "./spec-schema.ts";
export { statusSchema } from "./status-schema.ts";
export { toOpenApi, type CelRule, type SchemaNode } from "./schema-node.ts";
export { generationPoolCrd } from "./crd.ts";
export { applySchema, type Issue } from "./validate.ts";
export { parseGenerationPool, parseGenerationPoolSpec, InvalidGenerationPoolError, isKnownTimeZone, describeIssue } from "./parse.ts";
