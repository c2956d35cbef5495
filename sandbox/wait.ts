/** Polling until a component is ready, with an error that says what was awaited and why it failed. */
import { setTimeout as sleep } from "node:timers/promises";

/** Options for waitFor. */
export interface WaitOptions {
  /** What is awaited, for the error message. */
  what: string;
  /** @default 60000 */
  timeoutMs?: number;
  /** @default 100 */
  intervalMs?: number;
  /** Called before each attempt; throw to stop waiting (e.g. the process exited). */
  abortIf?: () => void;
}

/** Calls `probe` until it returns a value other than undefined, or throws after the timeout with the last error. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let lastError: unknown;
  for (;;) {
    options.abortIf?.();
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`timed out after ${options.timeoutMs ?? 60_000} ms waiting for ${options.what}${cause}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}
