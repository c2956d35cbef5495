// up/down of a sandbox of its own (Redis and PostgreSQL only, in a temporary root): everything
// started is recorded, answers, and is gone after down, state folder included.
import test from "ava";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readEnvFile } from "./env.ts";
import { readProcessRecords } from "./processes.ts";
import { ping } from "./redis.ts";
import { currentSandbox, down, up } from "./sandbox.ts";

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
};

test("[integration] up starts, records and describes the components; down stops them and removes the state", async (t) => {
  const root = mkdtempSync(join(tmpdir(), "genpool-sandbox-test-"));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const sandbox = await up({ with: ["redis", "postgres"], root, setCurrent: true });
  t.teardown(() => (existsSync(sandbox.dir) ? down(sandbox.dir) : undefined));

  t.is(currentSandbox(root), realpathSync(sandbox.dir));
  const env = readEnvFile(sandbox.envFile);
  t.deepEqual(Object.keys(env), ["GENPOOL_SANDBOX", "REDIS_HOST", "REDIS_PORT", "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD"]);
  t.true(await ping(Number(env.REDIS_PORT)));
  const records = readProcessRecords(sandbox.dir);
  t.deepEqual(records.map((r) => r.name).sort(), ["postgres", "redis"]);
  t.true(records.every((r) => alive(r.pid)));
  const pgFolder = realpathSync(join(sandbox.dir, "postgres"));

  await down(sandbox.dir);
  t.true(records.every((r) => !alive(r.pid)), "every recorded process has exited");
  t.false(existsSync(sandbox.dir));
  t.false(existsSync(pgFolder));
  t.is(currentSandbox(root), undefined, "current no longer points at a removed sandbox");
});

test("[integration] down refuses a folder that is not a sandbox", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "genpool-not-a-sandbox-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await t.throwsAsync(down(dir), { message: /is not a sandbox state folder/ });
  t.true(existsSync(dir));
});
