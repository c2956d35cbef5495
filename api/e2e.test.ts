import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import test from "ava";
import { PNG } from "pngjs";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { FakeInvokeAI } from "../test/fakes/invokeai/server.ts";
import { imageKey } from "../worker/job/keys.ts";
import { exited, objectKeys, spawnWorker } from "../worker/test-support.ts";
import { appDeps, createApp, createWorld, token } from "./test-support.ts";

const backends = [
  { name: "procedural", env: (): Record<string, string> => ({ BACKEND: "procedural" }), size: [320, 240] },
  { name: "invokeai (fake)", env: (fake: FakeInvokeAI): Record<string, string> => ({ BACKEND: "invokeai", INVOKEAI_URL: fake.url }), size: [128, 96] },
] as const;

for (const backend of backends) {
  test(`[integration] end to end with the ${backend.name} backend: POST → worker → S3 PNG → presigned URL returns the same bytes`, async (t) => {
    const world = await createWorld();
    const fake = await new FakeInvokeAI().start();
    const deps = appDeps(world);
    const handle = createApp(deps).callback();
    const server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const worker = spawnWorker(world, backend.env(fake));
    t.teardown(async () => {
      worker.kill("SIGKILL");
      server.close();
      await fake.stop();
      await deps.close();
      await world.cleanup();
    });
    const auth = { authorization: `Bearer ${await token("user-42")}` };

    const post = await fetch(`${base}/api/v1/generations`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "a lighthouse at dusk", model: "sdxl-base", width: 320, height: 240, steps: 10, category: "landscapes" }),
    });
    t.is(post.status, 202);
    const { statusUrl } = (await post.json()) as { statusUrl: string };

    let status: { status: string; imageName: string | null; imageUrl: string | null; error: string | null } = { status: "queued", imageName: null, imageUrl: null, error: null };
    const deadline = Date.now() + 30_000;
    while (status.status !== "completed" && status.status !== "failed" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await (await fetch(`${base}${statusUrl}`, { headers: auth })).json()) as typeof status;
    }
    t.is(status.status, "completed", `${JSON.stringify(status)}\n${worker.output()}`);

    const key = imageKey("user-42", "landscapes", status.imageName!);
    t.deepEqual(await objectKeys(world), [key]);
    const obj = await world.s3.send(new GetObjectCommand({ Bucket: world.env.S3_BUCKET, Key: key }));
    t.is(obj.ContentType, "image/png");
    t.is(obj.Metadata?.["user-id"], "user-42");
    const stored = Buffer.from(await obj.Body!.transformToByteArray());
    const png = PNG.sync.read(stored);
    t.deepEqual([png.width, png.height], [...backend.size]);

    const { url } = (await (await fetch(`${base}${status.imageUrl!}`, { headers: auth })).json()) as { url: string };
    t.true(url.startsWith(world.env.AWS_ENDPOINT_URL!), "the URL points at S3, not at the API");
    const download = await fetch(url);
    t.is(download.status, 200);
    t.true(Buffer.from(await download.arrayBuffer()).equals(stored), "presigned GET returns the stored bytes");

    const list = (await (await fetch(`${base}/api/v1/images`, { headers: auth })).json()) as { images: { name: string; width: number }[] };
    t.deepEqual(list.images.map((i) => i.name), [status.imageName]);
    worker.kill("SIGTERM");
    t.is(await exited(worker), 0);
  });
}
