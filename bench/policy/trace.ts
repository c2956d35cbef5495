/**
 * A trace is what the replay feeds the pool: jobs with an arrival time and a service time (GPU
 * seconds for one image), the period it covers, and optionally how often spot nodes are reclaimed.
 */
import { readFileSync } from "node:fs";

/** One generation job. */
export interface Job {
  id: number;
  arrivalS: number;
  serviceS: number;
}

/** A spell during which spot nodes are reclaimed at a different rate. */
export interface InterruptionWindow {
  startS: number;
  endS: number;
  perNodeHour: number;
}

/** The jobs of one replay. */
export interface Trace {
  name: string;
  description: string;
  /** The period the pool must be up for (the on-demand base is paid for all of it). */
  durationS: number;
  jobs: Job[];
  /** Spot interruption spells that override the run's base rate. */
  interruptionWindows: InterruptionWindow[];
  /** A sudden burst whose ramp-up the report measures. */
  burst?: { startS: number; ratePerS: number };
}

const HEADER = "arrival_s,service_s";

function field(text: string, line: number, column: string, min: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min) {
    const allowed = min === 0 ? "a number >= 0" : "a number > 0";
    throw new Error(`trace line ${line}: ${column} is ${JSON.stringify(text)}; allowed: ${allowed}`);
  }
  return value;
}

/** Parses a CSV trace with header `arrival_s,service_s`; rows may come in any order. */
export function parseTraceCsv(text: string, name: string): Trace {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").trim();
  if (header !== HEADER) {
    throw new Error(`trace header is ${JSON.stringify(header)}; allowed: ${JSON.stringify(HEADER)}`);
  }
  const rows: { arrivalS: number; serviceS: number }[] = [];
  lines.slice(1).forEach((raw, i) => {
    if (raw.trim() === "") return;
    const cells = raw.split(",");
    if (cells.length !== 2) throw new Error(`trace line ${i + 2}: has ${cells.length} columns; allowed: 2 (${HEADER})`);
    rows.push({ arrivalS: field(cells[0]!, i + 2, "arrival_s", 0), serviceS: field(cells[1]!, i + 2, "service_s", Number.MIN_VALUE) });
  });
  if (rows.length === 0) throw new Error("trace has no jobs; allowed: at least one row after the header");
  return fromRows(name, `CSV trace ${name}`, rows);
}

/** A trace from a CSV file. */
export function readTraceCsv(path: string): Trace {
  return parseTraceCsv(readFileSync(path, "utf8"), path);
}

/** Sorts rows by arrival, numbers them and sets the period to the end of the last job. */
export function fromRows(name: string, description: string, rows: { arrivalS: number; serviceS: number }[], durationS?: number): Trace {
  const jobs = [...rows].sort((a, b) => a.arrivalS - b.arrivalS).map((r, id) => ({ id, ...r }));
  const end = Math.max(...jobs.map((j) => j.arrivalS + j.serviceS));
  return { name, description, durationS: durationS ?? Math.ceil(end), jobs, interruptionWindows: [] };
}
