/**
 * The images' runtime stages, run as the images would run them, short of the base image itself
 * (there is no Docker engine here): `npm run build` as the build stages do, then only the files
 * each runtime stage COPYs, in a folder of its own with no node_modules anywhere above it, the
 * stage's ENV and WORKDIR, and its CMD. Each process must pass the image's health check against
 * the sandbox, and stop on the stage's STOPSIGNAL (SIGTERM) with exit code 0.
 */
import test, { type ExecutionContext } from "ava";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { AUDIENCE, createWorld, ISSUER, MODELS, SECRET, type World } from "../../api/test-support.ts";
import { freePort } from "../operator/support/redis-server.ts";
import { operatorEnv } from "../operator/support/operator.ts";
import { eventually, sandboxEnv, useNamespace } from "../support/sandbox.ts";
import { parseDockerfile, type Stage } from "./dockerfile.ts";

const repo = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const images = ["api", "worker", "operator"] as const;
type Image = (typeof images)[number];

const stagesOf = (image: Image): Stage[] => parseDockerfile(readFileSync(join(repo, image, "Dockerfile"), "utf8"));

test("Dockerfiles: a build stage and a runtime stage on the same pinned Node base; the runtime stage installs nothing and runs as the node user (uid 1000)", (t) => {
  for (const image of images) {
    const stages = stagesOf(image);
    t.is(stages.length, 2, image);
    const [build, runtime] = stages as [Stage, Stage];
    t.is(build.name, "build", image);
    t.regex(runtime.from, /^node:\d+\.\d+-bookworm-slim$/, `${image}: a pinned minor version, never latest`);
    t.is(build.from, runtime.from, image);
    t.true(build.runs.some((r) => r.startsWith("npm ci ")), `${image}: the build installs from the lockfile`);
    t.deepEqual(runtime.runs, [], `${image}: nothing installed at run time`);
    t.true(runtime.copies.every((c) => c.from === "build"), `${image}: the runtime stage takes only the build's output`);
    t.is(runtime.user, "node", image);
    t.is(runtime.cmd?.[0], "node", image);
  }
});

let built: Promise<void> | undefined;
/** `npm run build` once per test process, as the images' build stages run it. */
const buildOnce = (): Promise<void> => (built ??= promisify(execFile)("npm", ["run", "build"], { cwd: repo }).then(() => undefined));

/** The runtime stage's files in a fresh folder: each `COPY --from=build /src/<path> <dest>` from the repository. */
function assemble(t: { teardown(fn: () => void): void }, image: Image): { stage: Stage; root: string; cwd: string } {
  const [build, stage] = stagesOf(image) as [Stage, Stage];
  const root = mkdtempSync(join(tmpdir(), `genpool-image-${image}-`));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const cwd = join(root, stage.workdir);
  mkdirSync(cwd, { recursive: true });
  for (const copy of stage.copies) {
    for (const source of copy.sources) {
      const inRepo = relative(build.workdir, source);
      if (inRepo.startsWith("..")) throw new Error(`${image}: COPY source ${source} is outside the build stage's WORKDIR ${build.workdir}`);
      cpSync(join(repo, inRepo), copy.dest.startsWith("/") ? join(root, copy.dest) : join(cwd, copy.dest), { recursive: true });
    }
  }
  return { stage, root, cwd };
}

/** Runs the stage's CMD (its `node` is this Node) in `cwd` with the stage's ENV and `env`. */
function run(stage: Stage, cwd: string, env: Record<string, string>): ChildProcess & { output: () => string } {
  const [, ...args] = stage.cmd!;
  let output = "";
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? "", ...stage.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

/** SIGTERM (the images' STOPSIGNAL) and the exit code. */
async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  child.kill("SIGTERM");
  return exited;
}

const get = (url: string): Promise<number> => fetch(url).then((r) => r.status, () => 0);

/** The services' settings every image reads, on a World of its own. */
function serviceEnv(world: World): Record<string, string> {
  const e = world.env;
  return {
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "test", AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "test",
    AWS_REGION: e.AWS_REGION, AWS_ENDPOINT_URL: e.AWS_ENDPOINT_URL ?? "", S3_BUCKET: e.S3_BUCKET,
    DB_HOST: e.DB_HOST, DB_PORT: String(e.DB_PORT), DB_NAME: e.DB_NAME, DB_USER: e.DB_USER, DB_PASSWORD: e.DB_PASSWORD, DB_SCHEMA: world.schema,
    REDIS_HOST: e.REDIS_HOST, REDIS_PORT: String(e.REDIS_PORT), QUEUE_NAME: e.QUEUE_NAME,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/**
 * Assembles `image`, runs its CMD with `env`, and waits until `healthy(stage)` holds; the process
 * exiting first fails at once. It is killed when the test ends, if still running.
 */
async function startImage(t: ExecutionContext, image: Image, env: Record<string, string>, healthy: (stage: Stage) => Promise<boolean>): Promise<{ stage: Stage; child: ReturnType<typeof run> }> {
  await buildOnce();
  const { stage, cwd } = assemble(t, image);
  const child = run(stage, cwd, env);
  t.teardown(() => void child.kill("SIGKILL"));
  await eventually(`the ${image} image to be healthy`, async () => {
    if (child.exitCode !== null) throw new Error(`the ${image} image's process exited with ${child.exitCode}: ${child.output()}`);
    return (await healthy(stage)) ? true : undefined;
  }, 60_000);
  return { stage, child };
}

/** A World of the test's own, cleaned up when it ends. */
async function useWorld(t: ExecutionContext): Promise<World> {
  const world = await createWorld();
  t.teardown(() => world.cleanup());
  return world;
}

test.serial("[integration] api image: its runtime files alone serve the API, and the image's HEALTHCHECK passes", async (t) => {
  t.timeout(180_000);
  const world = await useWorld(t);
  const port = String(await freePort());
  // The image's own HEALTHCHECK command, with the PORT the stage's ENV sets.
  const healthcheck = (stage: Stage): Promise<boolean> => new Promise((done) => {
    execFile(process.execPath, stage.healthcheck!.slice(1), { env: { ...stage.env, PORT: port } }, (err) => done(err === null));
  });
  const { child } = await startImage(t, "api", { ...serviceEnv(world), PORT: port, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_HS256_SECRET: SECRET, ALLOWED_MODELS: MODELS.join(",") }, healthcheck);
  t.is(await get(`http://127.0.0.1:${port}/api/v1/health`), 200, "readiness: Redis and PostgreSQL reached from the bundle");
  t.is(await stop(child), 0, child.output());
});

test.serial("[integration] worker image: its runtime files alone run a worker that becomes ready", async (t) => {
  t.timeout(180_000);
  const world = await useWorld(t);
  const port = await freePort();
  const env = { ...serviceEnv(world), BACKEND: "procedural", POD_NAME: "image-worker", HEALTH_PORT: String(port) };
  const { child } = await startImage(t, "worker", env, async () => (await get(`http://127.0.0.1:${port}/readyz`)) === 200);
  t.is(await stop(child), 0, child.output());
});

test.serial("[integration] operator image: its runtime files alone run an operator that reaches the API server", async (t) => {
  t.timeout(180_000);
  const namespace = await useNamespace(t);
  const port = await freePort();
  const services = sandboxEnv();
  const env = { ...operatorEnv({ namespace, redisHost: services.REDIS_HOST, redisPort: services.REDIS_PORT, podName: "image-operator" }), METRICS_PORT: String(port) };
  // /readyz answers 200 once the operator has reached the API server.
  const { child } = await startImage(t, "operator", env, async () => (await get(`http://127.0.0.1:${port}/readyz`)) === 200);
  t.is(await get(`http://127.0.0.1:${port}/healthz`), 200);
  t.is(await stop(child), 0, child.output());
});
