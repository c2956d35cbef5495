/**
 * The kubelet's part for the sandbox, where KWOK only pretends to run containers: one real worker
 * process per Running pod of the worker Deployment, named after the pod (POD_NAME), and SIGTERM
 * to a pod's process once the pod is deleted (scale-in). So the operator's scaling drives real
 * workers, and the workers it counts as busy or idle are real.
 */
import { podsOf, running } from "../../support/gpu-workloads.ts";
import type { Stack, WorkerProcess } from "./stack.ts";

/** Mirrors Running pods to worker processes until stop(). */
export class PodBridge {
  private readonly live = new Map<string, WorkerProcess>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Most worker processes alive at once. */
  peak = 0;
  /** Exit codes of the processes stopped because their pod went away. */
  readonly terminated: { pod: string; code: number | string }[] = [];

  constructor(
    private readonly stack: Stack,
    private readonly namespace: string,
    private readonly deployment: string,
  ) {}

  start(): this {
    const tick = (): void => {
      void this.sync().catch(() => undefined).finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, 500);
      });
    };
    tick();
    return this;
  }

  /** Processes alive now. */
  get size(): number {
    return this.live.size;
  }

  private async sync(): Promise<void> {
    const pods = new Set(running(await podsOf(this.namespace, this.deployment)).map((p) => p.metadata?.name ?? ""));
    for (const pod of pods) if (!this.live.has(pod)) this.live.set(pod, this.stack.addWorker({}, pod));
    for (const [pod, w] of this.live) {
      if (pods.has(pod)) continue;
      this.live.delete(pod);
      w.child.kill("SIGTERM");
      void w.exited.then((code) => this.terminated.push({ pod, code }));
    }
    this.peak = Math.max(this.peak, this.live.size);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
