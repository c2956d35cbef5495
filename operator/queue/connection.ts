import { Redis, type RedisOptions } from "ioredis";

/** Where the BullMQ Redis lives. */
export interface RedisTarget {
  host: string;
  port: number;
  password?: string | undefined;
  tls?: boolean;
}

/** ioredis options for the operator: fail fast on reads so an outage becomes a condition, not a hang. */
export function redisOptions(target: RedisTarget): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    password: target.password,
    ...(target.tls === true ? { tls: {} } : {}),
    // A read during an outage must fail within one reconcile, not queue up behind reconnects.
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    // With the offline queue on, a command issued during an outage still fails after this.
    commandTimeout: 2_000,
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
    lazyConnect: false,
  };
}

/**
 * A connection for the demand reader. Connection errors also surface as failed reads (which set
 * QueueReachable=False), so the listener only reports them; without one ioredis prints to stderr.
 */
export function connectRedis(target: RedisTarget, onError: (err: Error) => void = () => undefined): Redis {
  const redis = new Redis(redisOptions(target));
  redis.on("error", onError);
  return redis;
}

export type { Redis };

/**
 * A connection for blocking reads (the wake-up XREAD): like connectRedis(), but a command may wait
 * `blockMs` on the server, so the client-side timeout is that plus a margin. The timeout still
 * matters: it ends a read on a connection that died without a FIN.
 */
export function connectBlockingRedis(target: RedisTarget, blockMs: number, onError: (err: Error) => void = () => undefined): Redis {
  const redis = new Redis({ ...redisOptions(target), commandTimeout: blockMs + 5_000, connectionName: "genpool-operator-wakeups" });
  redis.on("error", onError);
  return redis;
}
