// The pinned kubectl works against the sandbox with the admin kubeconfig, TLS verified.
import test from "ava";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { useGpuNode } from "../support/gpu-nodes.ts";
import { eventually, kubectl, sandboxEnv, uniqueName } from "../support/sandbox.ts";

test("[integration] kubectl reads /readyz and lists nodes with the sandbox kubeconfig", async (t) => {
  const ready = await kubectl(["get", "--raw", "/readyz"]);
  t.is(ready.code, 0, ready.stderr);
  t.is(ready.stdout.trim(), "ok");

  const name = uniqueName(t, "gpu");
  await useGpuNode(t, { name, nodegroup: uniqueName(t, "ng"), capacityType: "SPOT" });
  const listed = await eventually("kubectl to list the node", async () => {
    const result = await kubectl(["get", "nodes", "-l", "genpool.io/gpu=true", "-o", "name"]);
    return result.code === 0 && result.stdout.includes(`node/${name}`) ? result : undefined;
  });
  t.is(listed.stderr, "");
});

test("[integration] kubectl is the pinned client and the kubeconfig verifies TLS against the sandbox CA", async (t) => {
  const env = sandboxEnv();
  const version = await kubectl(["version", "-o", "json"]);
  t.is(version.code, 0, version.stderr);
  const parsed = JSON.parse(version.stdout) as { clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string } };
  t.is(parsed.clientVersion.gitVersion, parsed.serverVersion.gitVersion);
  t.regex(parsed.serverVersion.gitVersion, /^v1\.\d+\.\d+$/);
  // Tests that run `kubectl` or `kwok` by name get the pinned ones from PATH.
  const onPath = (process.env.PATH ?? "").split(":").find((dir) => existsSync(join(dir, "kubectl")));
  t.is(onPath, env.SANDBOX_BIN);

  const config = parse(readFileSync(env.KUBECONFIG, "utf8")) as { clusters: { cluster: Record<string, unknown> }[] };
  t.truthy(config.clusters[0]?.cluster["certificate-authority-data"]);
  t.falsy(config.clusters[0]?.cluster["insecure-skip-tls-verify"]);
  t.is(env.KUBECONFIG, join(env.GENPOOL_SANDBOX, "kubeconfig"));
});
