import test, { type ExecutionContext } from "ava";
import { Queue } from "bullmq";
import { connectBlockingRedis, connectRedis } from "./connection.ts";
import { QueueWakeups, type QueueId } from "./wakeups.ts";
import { RedisServer } from "../../test/operator/support/redis-server.ts";
import { eventually } from "../../test/support/sandbox.ts";

// A private redis-server: one test restarts it.
let server: RedisServer;
test.before(async () => {
  server = await RedisServer.start();
});
test.after.always(async () => {
  await server.stop();
});

let counter = 0;
const queueId = (): QueueId => ({ prefix: "bull", name: `wake-${process.pid}-${++counter}` });

/** Wake-ups over the private server; `woken` counts wake calls per queue name. */
function wakeups(t: ExecutionContext, blockMs = 2_000): { w: QueueWakeups; woken: Map<string, number>; errors: Error[] } {
  const target = { host: server.host, port: server.port };
  const reader = connectBlockingRedis(target, blockMs);
  const control = connectRedis(target);
  const woken = new Map<string, number>();
  const errors: Error[] = [];
  const w = new QueueWakeups({ reader, control, blockMs, retryMs: 100, wake: (q) => woken.set(q.name, (woken.get(q.name) ?? 0) + 1), onError: (e) => errors.push(e) });
  t.teardown(async () => {
    await w.closeAll();
    control.disconnect();
  });
  return { w, woken, errors };
}

function queue(t: ExecutionContext, id: QueueId): Queue {
  const q = new Queue(id.name, { prefix: id.prefix, connection: { host: server.host, port: server.port } });
  t.teardown(() => q.close());
  return q;
}

const wokenAtLeast = (woken: Map<string, number>, name: string, n = 1) => eventually(`${name} woken`, () => Promise.resolve((woken.get(name) ?? 0) >= n ? true : undefined));

// Serial: it counts the reader connections on the server.
test.serial("[integration] a job added to one of several queues wakes that queue only, through one connection", async (t) => {
  const { w, woken } = wakeups(t);
  const [a, b, c] = [queueId(), queueId(), queueId()];
  await w.sync([a, b, c]);
  t.is(w.size, 3);
  await queue(t, b).add("gen", {});
  await wokenAtLeast(woken, b.name);
  t.false(woken.has(a.name));
  t.false(woken.has(c.name));
  // Every watched queue shares the reader: one connection carries its name.
  const admin = connectRedis({ host: server.host, port: server.port });
  t.teardown(() => admin.disconnect());
  const clients = await admin.call("CLIENT", "LIST") as string;
  t.is(clients.split("\n").filter((l) => l.includes("name=genpool-operator-wakeups")).length, 1);
});

test("[integration] a queue added while a read is blocked is read without waiting for the read to end", async (t) => {
  // The read waits up to a minute, longer than eventually() polls: only the interrupt can wake b in time.
  const { w, woken } = wakeups(t, 60_000);
  const [a, b] = [queueId(), queueId()];
  await w.sync([a]);
  await queue(t, a).add("gen", {});
  await wokenAtLeast(woken, a.name); // the loop runs and now blocks on a alone
  await w.sync([a, b]);
  await queue(t, b).add("gen", {});
  await wokenAtLeast(woken, b.name);
  t.is(w.size, 2);
});

test("[integration] events from before sync() are not replayed, and a dropped queue no longer wakes", async (t) => {
  const { w, woken } = wakeups(t);
  const [old, later, dropped] = [queueId(), queueId(), queueId()];
  await queue(t, old).addBulk([{ name: "gen", data: {} }, { name: "gen", data: {} }]);
  await w.sync([old, dropped]);
  await w.sync([old]);
  await queue(t, dropped).add("gen", {});
  await w.sync([old, later]);
  await queue(t, later).add("gen", {});
  // Events are read in stream order per call; once `later` is seen, earlier ones would have been too.
  await wokenAtLeast(woken, later.name);
  t.false(woken.has(old.name));
  t.false(woken.has(dropped.name));
});

// Serial: it stops the server the other tests share, so it runs before them.
test.serial("[integration] after Redis restarts, reading resumes and the next job wakes its queue", async (t) => {
  const { w, woken, errors } = wakeups(t);
  const id = queueId();
  await w.sync([id]);
  const q = queue(t, id);
  await q.add("gen", {});
  await wokenAtLeast(woken, id.name);
  await server.stop();
  await eventually("read error reported", () => Promise.resolve(errors.length > 0 ? true : undefined));
  await server.start();
  // The producer reconnects too; add until its connection is back.
  await eventually("job added after restart", () => q.add("gen", {}).then(() => true, () => undefined));
  await wokenAtLeast(woken, id.name, 2);
  t.true(errors.some((e) => /ECONNREFUSED|Connection is closed|max retries|timeout/i.test(e.message)), errors.map((e) => e.message).join("; "));
});
