/** PostgreSQL pool (adapter: the only place the worker and the API create pg pools). */
import pg from "pg";
import type { DbConfig } from "../config/env.ts";

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * A pool on the configured database. `schema` (or DB_SCHEMA), when given, becomes the
 * search_path: tests use one schema per test so they can share one database.
 */
export function createPool(cfg: DbConfig, schema = cfg.DB_SCHEMA): pg.Pool {
  const pool = new pg.Pool({
    host: cfg.DB_HOST,
    port: cfg.DB_PORT,
    database: cfg.DB_NAME,
    user: cfg.DB_USER,
    password: cfg.DB_PASSWORD,
    ssl: cfg.DB_SSL ? { rejectUnauthorized: true } : undefined,
    max: cfg.DB_POOL_MAX,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    options: schema ? `-c search_path=${schema}` : undefined,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  return pool;
}

/** Runs `fn` in a transaction: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
