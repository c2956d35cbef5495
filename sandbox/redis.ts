/** Redis for the sandbox: Debian's redis-server on a free loopback port, configured as BullMQ requires. */
import { mkdirSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { startProcess, type StartedProcess } from "./processes.ts";
import { waitFor } from "./wait.ts";

/** What Redis needs. */
export interface RedisSetup {
  state: string;
  port: number;
  /** Append-only file persistence (off by default: tests do not restart Redis). */
  appendonly: boolean;
}

/** Starts redis-server and waits until it answers PING. */
export async function startRedis(setup: RedisSetup): Promise<StartedProcess> {
  const dir = join(setup.state, "redis");
  mkdirSync(dir, { recursive: true });
  const redis = startProcess(setup.state, {
    name: "redis",
    command: "redis-server",
    args: [
      "--bind", "127.0.0.1", "--port", String(setup.port), "--dir", dir,
      // BullMQ loses jobs if Redis evicts keys under memory pressure.
      "--maxmemory-policy", "noeviction",
      "--appendonly", setup.appendonly ? "yes" : "no",
      "--save", "", "--protected-mode", "no", "--daemonize", "no",
    ],
  });
  await waitFor(() => ping(setup.port), { what: "redis PING", abortIf: redis.assertAlive });
  return redis;
}

/** Sends PING over RESP; resolves true on +PONG. */
export function ping(port: number): Promise<true | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(2000, () => socket.destroy(new Error("redis PING timed out")));
    socket.once("error", reject);
    socket.once("data", (data) => {
      socket.end();
      resolve(data.toString().startsWith("+PONG") ? true : undefined);
    });
    socket.write("PING\r\n");
  });
}
