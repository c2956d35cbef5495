/** PostgreSQL pipelining for the API's pool (pg's `pipeline` client option). */
import type { Pool } from "../../worker/adapters/pg.ts";

/**
 * Makes every client the pool creates from now on pipeline its queries: a query is written at
 * once, without waiting for the answer to the one before (`insertAndEnqueue` sends BEGIN and
 * INSERT together). Call it before the first connect; clients already open keep their mode.
 */
export function pipelined(pool: Pool): Pool {
  (pool.options as { pipeline?: boolean }).pipeline = true;
  return pool;
}
