/**
 * One fault under load, the shape every fault test shares: build the stack, start the stream,
 * wait until generations complete, inject the fault, keep the stream going a while after it,
 * stop, wait for every accepted generation to settle, audit, assert exactly-once, record figures.
 */
import type { ExecutionContext } from "ava";
import { eventually } from "../../../worker/test-support.ts";
import { audit, settle, type Audit } from "./audit.ts";
import { assertExactlyOnce, record } from "./report.ts";
import { startStack, type Stack, type StackOptions } from "./stack.ts";
import { Stream, type StreamResult } from "./stream.ts";

/** A fault test. */
export interface FaultScenario {
  /** Row title in the figures table. */
  fault: string;
  stack?: StackOptions;
  /** POSTs per second. @default 2 */
  perSecond?: number;
  /** Seconds the stream keeps going after the fault was injected. @default 4 */
  afterSeconds?: number;
  /** How long every accepted generation has to settle after the stream stops. @default 120000 */
  settleMs?: number;
  /** Injects the fault (the stream is running); returns a description of what was done. */
  inject: (stack: Stack, stream: Stream) => Promise<string>;
  /** The jobs the fault made Redis lose, once injected (see Stores.lostByRedis). */
  lostByRedis?: () => ReadonlySet<string>;
}

/** What a fault test gets back for its own assertions. */
export interface FaultRun {
  stack: Stack;
  stream: StreamResult;
  audit: Audit;
  detail: string;
}

const completedCount = async (stack: Stack): Promise<number> =>
  Number((await stack.world.db.query<{ n: string }>("SELECT count(*) AS n FROM generations WHERE status = 'completed'")).rows[0]!.n);

/** Runs the scenario; the exactly-once assertions are made here, fault-specific ones by the caller. */
export async function runFault(t: ExecutionContext, s: FaultScenario): Promise<FaultRun> {
  t.timeout(480_000);
  const stack = await startStack(s.stack);
  t.teardown(() => stack.close());
  await eventually(async () => (await stack.queue.getWorkers()).length >= stack.workers.length, 180_000, "every worker to connect").catch((err: Error) => {
    throw new Error(`${err.message}\n${stack.workerLogs()}`);
  });
  const stream = new Stream({ api: stack.api, tokens: stack.tokens, perSecond: s.perSecond ?? 2 }).start();
  try {
    await eventually(async () => (await completedCount(stack)) >= 2, 120_000, "the first generations to complete");
  } catch (err) {
    await stream.stop();
    throw new Error(`${(err as Error).message}\n${stack.workerLogs()}`);
  }
  const detail = await s.inject(stack, stream);
  await new Promise((r) => setTimeout(r, (s.afterSeconds ?? 4) * 1000));
  const result = await stream.stop();
  const stores = { db: stack.world.db, s3: stack.world.s3, bucket: stack.world.env.S3_BUCKET, queue: stack.queue, lostByRedis: s.lostByRedis?.() };
  const settled = await settle(stores, result.accepted, s.settleMs ?? 120_000);
  const a = await audit(stores, result.accepted);
  record(t, { fault: s.fault, stream: result, audit: a, detail });
  const context = settled ? "" : `(not settled after ${(s.settleMs ?? 120_000) / 1000} s)\n${stack.workerLogs()}`;
  if (!assertExactlyOnce(t, a, context)) t.log(stack.workerLogs());
  t.true(a.accepted > 0, "the stream got generations accepted");
  return { stack, stream: result, audit: a, detail };
}
