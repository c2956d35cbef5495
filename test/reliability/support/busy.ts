/** Which job a worker pod runs right now, read from the busy hash the worker keeps. */
import { busyHashKey } from "../../../worker/job/keys.ts";
import type { Stack } from "./stack.ts";

/** The job id the pod has marked busy, or null. */
export async function jobOf(stack: Stack, pod: string): Promise<string | null> {
  const busy = await stack.world.redis.hgetall(busyHashKey(stack.world.env.QUEUE_NAME));
  return Object.entries(busy).find(([, p]) => p === pod)?.[0] ?? null;
}

/** Status and attempts of one generation row. */
export async function generationRow(stack: Stack, id: string): Promise<{ status: string; attempts: number; error: string | null } | undefined> {
  const res = await stack.world.db.query<{ status: string; attempts: number; error: string | null }>("SELECT status, attempts, error FROM generations WHERE id = $1", [id]);
  return res.rows[0];
}

/** The pod's job once it is really mid-job: marked busy and its InvokeAI item in progress. */
export async function midJob(stack: Stack, pod: string): Promise<string | null> {
  const id = await jobOf(stack, pod);
  return id && stack.fake.listItems().some((i) => i.destination === id && i.status === "in_progress") ? id : null;
}
