/** Deterministic names shared by api/, worker/ and operator/: S3 keys and Redis keys. */

/** S3 key of a user's image; the same on every retry of a job, so a PUT is idempotent. */
export function imageKey(userId: string, category: string, imageName: string): string {
  return `users/${userId}/images/${category}/${imageName}.png`;
}

/** Default BullMQ prefix (BullMQ's own default). */
export const DEFAULT_PREFIX = "bull";

/** Default queue of a generation pool. */
export const DEFAULT_QUEUE = "gpu-generation";

/**
 * Redis hash of busy workers: field = job id, value = pod name of the worker running it.
 * See docs/API.md "Worker registration".
 */
export function busyHashKey(queueName: string, prefix = DEFAULT_PREFIX): string {
  return `${prefix}:${queueName}:genpool:busy`;
}

/**
 * Redis key announcing when a worker pod will be killed (epoch milliseconds, as a string). The
 * operator writes it before it deletes a pod with a grace period shorter than the pod's own
 * (interruption rescue); the worker reads it on SIGTERM so it hands its job back in time.
 * It expires by itself a minute after that moment. See docs/NODEGROUPS.md "Interruption rescue".
 */
export function stopByKey(queueName: string, podName: string, prefix = DEFAULT_PREFIX): string {
  return `${prefix}:${queueName}:genpool:stop-by:${podName}`;
}
