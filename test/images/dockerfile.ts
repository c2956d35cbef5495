/**
 * TEST GLUE: a reader for the few Dockerfile instructions our images use (FROM, WORKDIR, ENV,
 * COPY, RUN, USER, EXPOSE, STOPSIGNAL, HEALTHCHECK, CMD), enough to check a runtime stage and run
 * what it holds. Lines ending in `\` continue; `#` lines are comments.
 */

/** One build stage. */
export interface Stage {
  /** The base image, e.g. node:20.20-bookworm-slim. */
  from: string;
  /** The `AS` name, if any. */
  name: string | undefined;
  workdir: string;
  env: Record<string, string>;
  copies: Array<{ from: string | undefined; sources: string[]; dest: string }>;
  runs: string[];
  user: string | undefined;
  stopSignal: string | undefined;
  /** The exec form of CMD. */
  cmd: string[] | undefined;
  /** The exec form of HEALTHCHECK's CMD. */
  healthcheck: string[] | undefined;
}

/** The stages of a Dockerfile, in order; an instruction this reader does not know is an error. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of logicalLines(text)) {
    const [instruction = "", rest = ""] = splitOnce(line);
    const keyword = instruction.toUpperCase();
    if (keyword === "FROM") {
      const [from = "", as, name] = rest.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === "AS" ? name : undefined, workdir: "/", env: {}, copies: [], runs: [], user: undefined, stopSignal: undefined, cmd: undefined, healthcheck: undefined });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) throw new Error(`${keyword} before any FROM`);
    apply(stage, keyword, rest);
  }
  return stages;
}

function apply(stage: Stage, keyword: string, rest: string): void {
  switch (keyword) {
    case "WORKDIR": stage.workdir = rest.startsWith("/") ? rest : `${stage.workdir.replace(/\/$/, "")}/${rest}`; return;
    case "ENV": for (const pair of rest.split(/\s+/)) { const [k = "", ...v] = pair.split("="); stage.env[k] = v.join("="); } return;
    case "COPY": stage.copies.push(copyOf(rest)); return;
    case "RUN": stage.runs.push(rest); return;
    case "USER": stage.user = rest; return;
    case "STOPSIGNAL": stage.stopSignal = rest; return;
    case "CMD": stage.cmd = execForm(rest, "CMD"); return;
    case "HEALTHCHECK": stage.healthcheck = execForm(rest.slice(rest.indexOf("CMD ") + 4), "HEALTHCHECK CMD"); return;
    case "EXPOSE": return;
    default: throw new Error(`unknown instruction ${keyword}`);
  }
}

function copyOf(rest: string): Stage["copies"][number] {
  const words = rest.split(/\s+/);
  const from = words[0]?.startsWith("--from=") === true ? words.shift()!.slice("--from=".length) : undefined;
  if (words.length < 2) throw new Error(`COPY needs a source and a destination: ${rest}`);
  return { from, sources: words.slice(0, -1), dest: words.at(-1)! };
}

function execForm(text: string, what: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string")) throw new Error(`${what} must be in exec form: ${text}`);
  return parsed;
}

function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push(pending + line);
    pending = "";
  }
  if (pending !== "") lines.push(pending.trim());
  return lines;
}

function splitOnce(line: string): [string, string] {
  const i = line.search(/\s/);
  return i < 0 ? [line, ""] : [line.slice(0, i), line.slice(i).trim()];
}
