/**
 * Applies a structural schema the way the API server does: defaults first (an absent field with a
 * `default` gets it, then its own children are defaulted), unknown fields pruned, then types,
 * bounds, enums, patterns and finally the CEL rules through their TypeScript twins.
 */
import type { CelRule, SchemaNode } from "./schema-node.ts";

/** One problem, in the API server's words: field, value, what is allowed. */
export interface Issue {
  field: string;
  value: unknown;
  message: string;
}

type Checker = (node: SchemaNode, value: unknown, path: string, issues: Issue[]) => unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkObject(node: SchemaNode, value: unknown, path: string, issues: Issue[]): unknown {
  if (!isRecord(value)) return void issues.push({ field: path, value, message: "must be of type object" });
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const result = applySchema(child, value[name], `${path}.${name}`, issues);
    if (result !== undefined) out[name] = result;
    else if (value[name] === undefined && node.required?.includes(name)) issues.push({ field: `${path}.${name}`, value: undefined, message: "Required value" });
  }
  return out;
}

function checkArray(node: SchemaNode, value: unknown, path: string, issues: Issue[]): unknown {
  if (!Array.isArray(value)) return void issues.push({ field: path, value, message: "must be of type array" });
  if (node.maxItems !== undefined && value.length > node.maxItems) issues.push({ field: path, value: value.length, message: `must have at most ${node.maxItems} items` });
  if (node.minItems !== undefined && value.length < node.minItems) issues.push({ field: path, value: value.length, message: `must have at least ${node.minItems} items` });
  const items = node.items;
  const out: unknown[] = items === undefined ? [...(value as unknown[])] : value.map((item, i) => applySchema(items, item, `${path}[${i}]`, issues));
  if (node["x-kubernetes-list-type"] === "set" && new Set(out).size !== out.length) issues.push({ field: path, value, message: "Duplicate value: items must be unique" });
  return out;
}

const stringRules: ((node: SchemaNode, value: string) => string | undefined)[] = [
  (n, v) => (n.enum === undefined || n.enum.includes(v) ? undefined : `Unsupported value: supported values: ${n.enum.map((e) => `"${e}"`).join(", ")}`),
  (n, v) => (n.pattern === undefined || new RegExp(n.pattern, "u").test(v) ? undefined : `should match '${n.pattern}'`),
  (n, v) => (n.maxLength === undefined || v.length <= n.maxLength ? undefined : `may not be longer than ${n.maxLength}`),
  (n, v) => (n.minLength === undefined || v.length >= n.minLength ? undefined : `should be at least ${n.minLength} chars long`),
  (n, v) => (n.format !== "date-time" || !Number.isNaN(Date.parse(v)) ? undefined : "must be an RFC 3339 date-time"),
];

function checkString(node: SchemaNode, value: unknown, path: string, issues: Issue[]): unknown {
  if (typeof value !== "string") return void issues.push({ field: path, value, message: "must be of type string" });
  for (const rule of stringRules) {
    const message = rule(node, value);
    if (message !== undefined) issues.push({ field: path, value, message });
  }
  return value;
}

function checkNumber(node: SchemaNode, value: unknown, path: string, issues: Issue[]): unknown {
  const integer = node.type === "integer";
  if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    return void issues.push({ field: path, value, message: integer ? "must be of type integer" : "must be of type number" });
  }
  if (node.minimum !== undefined && value < node.minimum) issues.push({ field: path, value, message: `should be greater than or equal to ${node.minimum}` });
  if (node.maximum !== undefined && value > node.maximum) issues.push({ field: path, value, message: `should be less than or equal to ${node.maximum}` });
  return value;
}

function checkBoolean(_node: SchemaNode, value: unknown, path: string, issues: Issue[]): unknown {
  if (typeof value !== "boolean") return void issues.push({ field: path, value, message: "must be of type boolean" });
  return value;
}

const checkers: Record<SchemaNode["type"], Checker> = {
  object: checkObject,
  array: checkArray,
  string: checkString,
  integer: checkNumber,
  number: checkNumber,
  boolean: checkBoolean,
};

function valueAt(self: unknown, fieldPath: string | undefined): unknown {
  if (fieldPath === undefined) return self;
  return fieldPath.split(".").filter(Boolean).reduce<unknown>((v, key) => (isRecord(v) ? v[key] : undefined), self);
}

function runRules(rules: CelRule[], self: unknown, path: string, issues: Issue[]): void {
  for (const rule of rules) {
    if (!rule.check(self)) issues.push({ field: path + (rule.fieldPath ?? ""), value: valueAt(self, rule.fieldPath), message: rule.message });
  }
}

/** Defaults, prunes and validates `value` against `node`; problems are appended to `issues`. */
export function applySchema(node: SchemaNode, value: unknown, path: string, issues: Issue[]): unknown {
  const input = value === undefined ? structuredClone(node.default) : value;
  if (input === undefined) return undefined;
  const before = issues.length;
  const out = checkers[node.type](node, input, path, issues);
  // Like the API server, CEL rules run only on values whose own schema checks passed.
  if (issues.length === before && node["x-kubernetes-validations"]) runRules(node["x-kubernetes-validations"], out, path, issues);
  return out;
}
