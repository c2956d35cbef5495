// The sandbox env file round-trips through the shell format and a bad environment is reported by name.
import test from "ava";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatEnvFile, parseSandboxEnv, processEnv, readEnvFile, type SandboxEnv } from "./env.ts";

const complete: SandboxEnv = {
  GENPOOL_SANDBOX: "/repo/.sandbox/20260101-000000-1",
  KUBECONFIG: "/repo/.sandbox/20260101-000000-1/kubeconfig",
  SANDBOX_BIN: "/root/.cache/genpool/bin-0123",
  REDIS_HOST: "127.0.0.1",
  REDIS_PORT: 40001,
  DB_HOST: "127.0.0.1",
  DB_PORT: 40002,
  DB_NAME: "genpool",
  DB_USER: "genpool",
  // A value the shell must quote survives the round trip.
  DB_PASSWORD: "it's a $ecret",
  AWS_ENDPOINT_URL: "http://127.0.0.1:40003",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "testing",
  AWS_SECRET_ACCESS_KEY: "testing",
};

test("the env file round-trips every contract value", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "genpool-env-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "env");
  writeFileSync(file, formatEnvFile(complete));
  t.deepEqual(parseSandboxEnv(readEnvFile(file)), complete);
});

test("the env file leaves out components that were not started", (t) => {
  const text = formatEnvFile({ GENPOOL_SANDBOX: "/s", REDIS_HOST: "127.0.0.1", REDIS_PORT: 1 });
  t.is(text, "GENPOOL_SANDBOX=/s\nREDIS_HOST=127.0.0.1\nREDIS_PORT=1\n");
});

const invalid: { why: string; change: Record<string, string | undefined>; message: RegExp }[] = [
  { why: "a missing variable is named", change: { DB_PASSWORD: undefined }, message: /DB_PASSWORD=null/ },
  { why: "a port must be a number", change: { REDIS_PORT: "six" }, message: /REDIS_PORT="six"/ },
  { why: "a port must fit in 16 bits", change: { DB_PORT: "70000" }, message: /DB_PORT="70000"/ },
  { why: "the endpoint must be a URL", change: { AWS_ENDPOINT_URL: "127.0.0.1:5000" }, message: /AWS_ENDPOINT_URL="127\.0\.0\.1:5000"/ },
];
for (const row of invalid) {
  test(`parseSandboxEnv: ${row.why}`, (t) => {
    const env = { ...Object.fromEntries(Object.entries(complete).map(([k, v]) => [k, String(v)])), ...row.change };
    t.throws(() => parseSandboxEnv(env), { message: row.message });
  });
}

test("processEnv puts the pinned binaries first on PATH", (t) => {
  const env = processEnv(complete, { PATH: "/usr/bin", HOME: "/root" });
  t.is(env.PATH, `${complete.SANDBOX_BIN}:/usr/bin`);
  t.is(env.REDIS_PORT, "40001");
  t.is(env.HOME, "/root");
});
