/**
 * A small typed subset of the structural OpenAPI v3 schema that CRDs accept, and builders for it.
 * Each CEL rule carries `check`, the same rule written in TypeScript, so the operator enforces
 * exactly what the API server enforces; `toOpenApi()` drops it when the CRD is emitted.
 */

/** An x-kubernetes-validations entry plus its TypeScript twin. */
export interface CelRule {
  rule: string;
  message: string;
  /** Relative to the node the rule sits on, e.g. ".min"; omitted for rules on the node itself. */
  fieldPath?: string;
  reason: "FieldValueInvalid";
  /** Same meaning as `rule`, evaluated on the defaulted value. */
  check: (self: unknown) => boolean;
}

/** One node of a structural schema. */
export interface SchemaNode {
  type: "object" | "array" | "string" | "integer" | "number" | "boolean";
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  enum?: readonly string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  format?: "date-time";
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-validations"?: CelRule[];
}

type Extra = Partial<Omit<SchemaNode, "type" | "properties" | "items">>;

/** A CEL rule whose TypeScript twin sees `self` as T. */
export function cel<T>(rule: string, message: string, check: (self: T) => boolean, fieldPath?: string): CelRule {
  const base = { rule, message, reason: "FieldValueInvalid" as const, check: check as (self: unknown) => boolean };
  return fieldPath === undefined ? base : { ...base, fieldPath };
}

/** An integer, `minimum` inclusive. */
export function int(description: string, minimum: number, extra: Extra = {}): SchemaNode {
  return { type: "integer", description, minimum, ...extra };
}

/** A string. */
export function str(description: string, extra: Extra = {}): SchemaNode {
  return { type: "string", description, ...extra };
}

/** An object with the given properties. */
export function obj(description: string, properties: Record<string, SchemaNode>, extra: Extra = {}): SchemaNode {
  return { type: "object", description, properties, ...extra };
}

/** A list; `maxItems` is required because CEL cost estimates need it. */
export function list(description: string, items: SchemaNode, maxItems: number, extra: Extra = {}): SchemaNode {
  return { type: "array", description, items, maxItems, ...extra };
}

/** The schema as the API server wants it: plain JSON, TypeScript twins removed. */
export function toOpenApi(node: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "properties") {
      const props = value as Record<string, SchemaNode>;
      out[key] = Object.fromEntries(Object.entries(props).map(([name, child]) => [name, toOpenApi(child)]));
    } else if (key === "items") {
      out[key] = toOpenApi(value as SchemaNode);
    } else if (key === "x-kubernetes-validations") {
      out[key] = (value as CelRule[]).map(({ check: _check, ...rule }) => rule);
    } else {
      out[key] = structuredClone(value);
    }
  }
  return out;
}
