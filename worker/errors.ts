/**
 * How a job attempt ends when it does not succeed. The BullMQ glue (adapters/redis.ts) maps
 * these: PermanentError -> UnrecoverableError, HandBack -> back to the wait list at once,
 * anything else -> retried with backoff.
 */

/** A job that can never succeed (bad parameters, model not installed, graph rejected). */
export class PermanentError extends Error {
  override name = "PermanentError";
}

/** A failure worth retrying (InvokeAI restarted, queue full, timeout, 5xx). */
export class TransientError extends Error {
  override name = "TransientError";
}

/** The worker is shutting down and gave the job up; it goes back to the queue untouched. */
export class HandBack extends Error {
  override name = "HandBack";
  constructor() {
    super("worker shutting down: job handed back to the queue");
  }
}
