/**
 * Turns an audit into test assertions (bad results fail the test, naming the generations) and
 * into one figures row: logged, and appended as JSON to $RELIABILITY_OUT when it is set, for
 * docs/RELIABILITY.md.
 */
import { appendFileSync } from "node:fs";
import type { ExecutionContext } from "ava";
import { reasons, type Audit, type Finding } from "./audit.ts";
import type { StreamResult } from "./stream.ts";

const list = (findings: Finding[], max = 20): string =>
  findings.slice(0, max).map((f) => `  ${f.id}: ${f.why}`).join("\n") + (findings.length > max ? `\n  … and ${findings.length - max} more` : "");

/** Fails the test for every lost or duplicated generation, naming each; returns true when clean. */
export function assertExactlyOnce(t: ExecutionContext, a: Audit, context = ""): boolean {
  const okLost = t.is(a.lost.length, 0, `lost generations (accepted with 202, never completed nor failed with a reason):\n${list(a.lost)}\n${context}`);
  const okDup = t.is(a.duplicated.length, 0, `duplicated S3 objects or image rows:\n${list(a.duplicated)}\n${context}`);
  const lostAccepted = a.lost.filter((l) => !l.why.startsWith("unacknowledged")).length;
  const okSum = t.is(a.completed + a.failed.length + lostAccepted, a.accepted, "every accepted generation has exactly one verdict");
  return okLost && okDup && okSum;
}

/** One row of the figures table. */
export interface FaultRow {
  fault: string;
  stream: StreamResult;
  audit: Audit;
  /** What was injected, when, and how long it lasted. */
  detail: string;
}

/** Logs the row and appends it to $RELIABILITY_OUT (JSON lines) when set. */
export function record(t: ExecutionContext, row: FaultRow): void {
  const refused = Object.entries(row.stream.outcomes).filter(([k]) => k !== "202").map(([k, n]) => `${n}× ${k}`).join(", ") || "none";
  const line = {
    fault: row.fault,
    detail: row.detail,
    sent: row.stream.sent,
    seconds: Number(row.stream.seconds.toFixed(1)),
    accepted: row.audit.accepted,
    refused,
    completed: row.audit.completed,
    failed: row.audit.failed.length,
    failedReasons: reasons(row.audit.failed),
    lost: row.audit.lost.length,
    duplicated: row.audit.duplicated.length,
    reattempted: row.audit.reattempted,
    unacknowledgedRows: row.audit.unacknowledgedRows,
    orphanJobs: row.audit.orphanJobs.length,
    date: new Date().toISOString(),
  };
  t.log(JSON.stringify(line));
  if (process.env.RELIABILITY_OUT) appendFileSync(process.env.RELIABILITY_OUT, `${JSON.stringify(line)}\n`);
}
