/** moto server (AWS APIs: S3, EKS, EC2, Auto Scaling) on a free loopback port, from the pinned virtualenv. */
import { join } from "node:path";
import { get } from "./http.ts";
import { startProcess, type StartedProcess } from "./processes.ts";
import { waitFor } from "./wait.ts";

/** What moto needs. */
export interface MotoSetup {
  state: string;
  venv: string;
  port: number;
}

/** Starts `moto_server` and waits until it answers HTTP. */
export async function startMoto(setup: MotoSetup): Promise<StartedProcess> {
  const moto = startProcess(setup.state, {
    name: "moto",
    command: join(setup.venv, "bin", "python"),
    args: ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(setup.port)],
    marker: "moto.server",
    // Unbuffered so the log shows requests as they happen.
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  await waitFor(async () => ((await get(`http://127.0.0.1:${setup.port}/moto-api/data.json`)).status === 200 ? true : undefined), {
    what: "moto server",
    abortIf: moto.assertAlive,
  });
  return moto;
}
