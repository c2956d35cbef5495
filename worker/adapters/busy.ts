/**
 * Busy-worker registry for the operator: Redis hash `{prefix}:{queue}:genpool:busy`,
 * field = job id, value = pod name (docs/API.md "Worker registration").
 */
import type { Redis } from "ioredis";
import { busyHashKey } from "../job/keys.ts";

/** Removes only our own entry (another pod may have taken the job over). */
const CLEAR = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`;

/** Removes entries of this pod (left by a killed container) and entries whose job is not active. */
const PURGE = `
local busy = redis.call('HGETALL', KEYS[1])
local active = {}
for _, id in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do active[id] = true end
local removed = 0
for i = 1, #busy, 2 do
  if busy[i + 1] == ARGV[1] or not active[busy[i]] then
    redis.call('HDEL', KEYS[1], busy[i])
    removed = removed + 1
  end
end
return removed`;

/** This pod's entries in the busy hash. */
export class BusyRegistry {
  private readonly key: string;
  private readonly activeKey: string;

  constructor(
    private readonly redis: Redis,
    where: { queueName: string; prefix: string },
    private readonly podName: string,
  ) {
    this.key = busyHashKey(where.queueName, where.prefix);
    this.activeKey = `${where.prefix}:${where.queueName}:active`;
  }

  /** Records that this pod runs `jobId`. */
  async mark(jobId: string): Promise<void> {
    await this.redis.hset(this.key, jobId, this.podName);
  }

  /** Removes the record of `jobId` if it is still this pod's. */
  async clear(jobId: string): Promise<void> {
    await this.redis.eval(CLEAR, 1, this.key, jobId, this.podName);
  }

  /** Drops stale entries; returns how many. Run at start, before taking jobs. */
  async purgeStale(): Promise<number> {
    return Number(await this.redis.eval(PURGE, 2, this.key, this.activeKey, this.podName));
  }
}
