/** OpenAPI 3.1 description of the API; the request body schema is derived from the shared zod schema. */
import { z } from "zod";
import { generationRequestSchema } from "../worker/job/schema.ts";

const error = { $ref: "#/components/schemas/Error" };
const json = (schema: object): object => ({ content: { "application/json": { schema } } });
const errors = (...codes: number[]): Record<string, object> =>
  Object.fromEntries(codes.map((c) => [String(c), { description: DESCRIPTIONS[c] ?? "Error", ...json(error) }]));
const DESCRIPTIONS: Record<number, string> = {
  400: "Invalid input; `details` lists each field, its value and what is allowed",
  401: "Missing, expired or invalid bearer token",
  404: "Not found, or not owned by the caller",
  409: "Idempotency-Key reused with a different body",
  413: "Request body too large",
  415: "Content-Type is not application/json",
  429: "Rate limit exceeded; see Retry-After",
  503: "A dependency (Redis, PostgreSQL, S3) is unavailable; retry later",
};

const generation = {
  type: "object",
  required: ["id", "status", "progress", "category", "params", "createdAt", "updatedAt"],
  properties: {
    id: { type: "string", format: "uuid" },
    status: { type: "string", enum: ["queued", "running", "completed", "failed"] },
    progress: { type: "integer", minimum: 0, maximum: 100 },
    category: { type: "string" },
    params: { type: "object" },
    imageName: { type: ["string", "null"], description: "Set when completed" },
    imageUrl: { type: ["string", "null"], description: "Path of the presigned-URL endpoint when completed" },
    error: { type: ["string", "null"], description: "Readable reason when failed" },
    createdAt: { type: "string", format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
    completedAt: { type: ["string", "null"], format: "date-time" },
  },
};

const image = {
  type: "object",
  properties: {
    name: { type: "string" },
    category: { type: "string" },
    generationId: { type: ["string", "null"], format: "uuid" },
    contentType: { type: "string" },
    sizeBytes: { type: "integer" },
    width: { type: "integer" },
    height: { type: "integer" },
    parameters: { type: "object" },
    createdAt: { type: "string", format: "date-time" },
    url: { type: "string", description: "Path of the presigned-URL endpoint" },
  },
};

/** Characters String.prototype.trim() removes; a field the API trims must hold one character outside them. */
const NOT_BLANK = "[^\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]";

/** The zod schema trims `field` before its length check; JSON Schema cannot trim, so require a non-blank character. */
function notBlank(schema: object, field: string): void {
  const property = (schema as { properties?: Record<string, { allOf?: object[] }> }).properties?.[field];
  if (!property) throw new Error(`openapi: the request schema has no property ${field}`);
  property.allOf = [...(property.allOf ?? []), { pattern: NOT_BLANK }];
}

/** The OpenAPI document for an API that allows `models`. */
export function openApiDocument(models: readonly [string, ...string[]]): Record<string, unknown> {
  const requestSchema = z.toJSONSchema(generationRequestSchema(models), { io: "input", target: "draft-2020-12" });
  delete (requestSchema as { $schema?: string }).$schema;
  notBlank(requestSchema, "prompt");
  const secured = { security: [{ bearer: [] }] };
  const nameParam = { name: "name", in: "path", required: true, schema: { type: "string" } };
  return {
    openapi: "3.1.0",
    info: { title: "Genpool API", version: "1.0.0", description: "Queue image generations and fetch your images." },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        GenerationRequest: requestSchema,
        Generation: generation,
        Image: image,
        Error: {
          type: "object",
          required: ["error", "message"],
          properties: {
            error: { type: "string" },
            message: { type: "string" },
            details: { type: "array", items: { type: "object", properties: { field: { type: "string" }, message: { type: "string" } } } },
          },
        },
      },
    },
    paths: {
      "/health": { get: { summary: "Liveness", responses: { "200": { description: "Process is up" } } } },
      "/api/v1/health": {
        get: { summary: "Readiness: Redis and PostgreSQL reachable", responses: { "200": { description: "Ready" }, "503": { description: "A dependency is unreachable" } } },
      },
      "/api/v1/openapi.json": { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } } },
      "/api/v1/generations": {
        post: {
          ...secured,
          summary: "Queue a generation",
          parameters: [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", pattern: "^[\\x21-\\x7e]{1,200}$" }, description: "1 to 200 visible ASCII characters; a retried request with the same key and body returns the same generation" }],
          requestBody: { required: true, ...json({ $ref: "#/components/schemas/GenerationRequest" }) },
          responses: {
            "202": {
              description: "Queued; poll statusUrl",
              headers: { Location: { schema: { type: "string" } } },
              ...json({ type: "object", properties: { id: { type: "string", format: "uuid" }, status: { type: "string" }, statusUrl: { type: "string" } } }),
            },
            ...errors(400, 401, 409, 413, 415, 429, 503),
          },
        },
      },
      "/api/v1/generations/{id}": {
        get: {
          ...secured,
          summary: "Status of one of your generations",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
          responses: { "200": { description: "The generation", ...json({ $ref: "#/components/schemas/Generation" }) }, ...errors(401, 404, 503) },
        },
      },
      "/api/v1/images": {
        get: {
          ...secured,
          summary: "Your images, newest first",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } },
            { name: "cursor", in: "query", schema: { type: "string", pattern: "^[A-Za-z0-9_-]*$" }, description: "nextCursor of the previous page (opaque; any other value is a 400)" },
          ],
          responses: {
            "200": { description: "One page", ...json({ type: "object", properties: { images: { type: "array", items: { $ref: "#/components/schemas/Image" } }, nextCursor: { type: ["string", "null"] } } }) },
            ...errors(400, 401, 503),
          },
        },
      },
      "/api/v1/images/{name}/url": {
        get: {
          ...secured,
          summary: "Presigned S3 GET URL for one of your images",
          parameters: [nameParam],
          responses: { "200": { description: "URL valid for one hour", ...json({ type: "object", properties: { url: { type: "string" }, expiresAt: { type: "string", format: "date-time" } } }) }, ...errors(401, 404, 503) },
        },
      },
      "/api/v1/images/{name}": {
        delete: { ...secured, summary: "Delete one of your images (object and row)", parameters: [nameParam], responses: { "204": { description: "Deleted" }, ...errors(401, 404, 503) } },
      },
    },
  };
}
