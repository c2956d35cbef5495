/**
 * parseGenerationPool(): the operator's edge. Applies the same defaults and rules as the CRD (the
 * API server has normally done so already; this also covers objects written before a CRD upgrade)
 * and checks what CEL cannot: that each schedule's time zone is known to the runtime.
 */
import { specSchema } from "./spec-schema.ts";
import { applySchema, type Issue } from "./validate.ts";
import { GenerationPoolApi, type GenerationPool, type GenerationPoolSpec, type GenerationPoolStatus } from "./types.ts";

/** "field: Invalid value: value: what is allowed", or "field: Required value". */
export function describeIssue(issue: Issue): string {
  return issue.value === undefined ? `${issue.field}: ${issue.message}` : `${issue.field}: Invalid value: ${JSON.stringify(issue.value)}: ${issue.message}`;
}

/** A GenerationPool that breaks the schema; `issues` names every field, value and what is allowed. */
export class InvalidGenerationPoolError extends Error {
  override readonly name = "InvalidGenerationPoolError";
  constructor(readonly issues: Issue[]) {
    super(issues.map(describeIssue).join("; "));
  }
}

/** True when the runtime's Intl knows the IANA time zone. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

function timeZoneIssues(spec: GenerationPoolSpec): Issue[] {
  return spec.schedules.flatMap((s, i) =>
    isKnownTimeZone(s.timeZone) ? [] : [{ field: `spec.schedules[${i}].timeZone`, value: s.timeZone, message: "must be an IANA time zone, e.g. Europe/Paris" }],
  );
}

/** The fully defaulted spec, or InvalidGenerationPoolError listing every problem. */
export function parseGenerationPoolSpec(spec: unknown, path = "spec"): GenerationPoolSpec {
  const issues: Issue[] = [];
  const out = applySchema(specSchema, spec, path, issues);
  if (out === undefined) issues.push({ field: path, value: undefined, message: "Required value" });
  if (issues.length > 0) throw new InvalidGenerationPoolError(issues);
  const parsed = out as GenerationPoolSpec;
  const zones = timeZoneIssues(parsed);
  if (zones.length > 0) throw new InvalidGenerationPoolError(zones);
  return parsed;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function metadataOf(obj: Record<string, unknown>): GenerationPool["metadata"] {
  const meta = record(obj.metadata);
  const issues: Issue[] = [];
  if (typeof meta.name !== "string" || meta.name === "") issues.push({ field: "metadata.name", value: meta.name, message: "Required value" });
  if (typeof meta.namespace !== "string" || meta.namespace === "") issues.push({ field: "metadata.namespace", value: meta.namespace, message: "Required value" });
  if (issues.length > 0) throw new InvalidGenerationPoolError(issues);
  const out: GenerationPool["metadata"] = { name: meta.name as string, namespace: meta.namespace as string };
  if (typeof meta.generation === "number") out.generation = meta.generation;
  if (typeof meta.uid === "string") out.uid = meta.uid;
  if (typeof meta.resourceVersion === "string") out.resourceVersion = meta.resourceVersion;
  return out;
}

/** A GenerationPool object (as read from the API server) with its spec fully defaulted. Status is passed through. */
export function parseGenerationPool(obj: unknown): GenerationPool {
  const o = record(obj);
  if (o.apiVersion !== GenerationPoolApi.apiVersion || o.kind !== GenerationPoolApi.kind) {
    throw new InvalidGenerationPoolError([{ field: "apiVersion/kind", value: `${String(o.apiVersion)}/${String(o.kind)}`, message: `must be ${GenerationPoolApi.apiVersion}/${GenerationPoolApi.kind}` }]);
  }
  const pool: GenerationPool = { apiVersion: GenerationPoolApi.apiVersion, kind: GenerationPoolApi.kind, metadata: metadataOf(o), spec: parseGenerationPoolSpec(o.spec) };
  if (o.status !== undefined) pool.status = o.status as GenerationPoolStatus;
  return pool;
}
