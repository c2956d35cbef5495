/** KWOK: fake kubelets for nodes annotated `kwok.x-k8s.io/node=fake`, with the stages in sandbox/kwok/. */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { answers200 } from "./http.ts";
import { startProcess, type StartedProcess } from "./processes.ts";
import { waitFor } from "./wait.ts";

const stagesDir = join(dirname(fileURLToPath(import.meta.url)), "kwok");

/** The configuration followed by the stages, in the order KWOK reads them. */
export const kwokConfigFiles = [
  "kwok.yaml",
  "node-initialize.yaml",
  "node-heartbeat-with-lease.yaml",
  "pod-ready.yaml",
  "pod-complete.yaml",
  "pod-delete.yaml",
];

/** What KWOK needs. */
export interface KwokSetup {
  state: string;
  bin: string;
  kubeconfig: string;
  /** Port of KWOK's own server (/healthz). */
  port: number;
}

/** Starts KWOK with the admin kubeconfig and waits for its /healthz. */
export async function startKwok(setup: KwokSetup): Promise<StartedProcess> {
  const config = join(setup.state, "kwok.yaml");
  writeFileSync(config, kwokConfigFiles.map((file) => readFileSync(join(stagesDir, file), "utf8")).join("\n---\n"));
  const kwok = startProcess(setup.state, {
    name: "kwok",
    command: join(setup.bin, "kwok"),
    args: [
      `--kubeconfig=${setup.kubeconfig}`, `--config=${config}`,
      "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
      `--server-address=127.0.0.1:${setup.port}`,
    ],
  });
  await waitFor(() => answers200(`http://127.0.0.1:${setup.port}/healthz`), { what: "kwok /healthz", abortIf: kwok.assertAlive });
  return kwok;
}
