import { pino, type Logger } from "pino";

/** JSON logs on stdout; messages are constant, everything variable goes in fields. */
export function createLogger(level: string = process.env["LOG_LEVEL"] ?? "info"): Logger {
  return pino({ level, base: { component: "genpool-operator" } });
}

export type { Logger };
