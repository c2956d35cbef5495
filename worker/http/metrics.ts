import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The worker's Prometheus metrics, in their own registry. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly jobs = new Counter({ name: "genpool_worker_jobs_total", help: "Jobs this worker finished, by outcome (completed, failed).", labelNames: ["outcome"], registers: [this.registry] });
  readonly jobDuration = new Histogram({
    name: "genpool_worker_job_duration_seconds",
    help: "Time from taking a job to finishing it (generation, upload and records).",
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320],
    registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: "genpool_worker_queue_wait_seconds",
    help: "Time a job waited in the queue before this worker took it.",
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "genpool_worker_" });
  }

  /** Records a finished job from BullMQ's timestamps (ms since the epoch). */
  finished(outcome: "completed" | "failed", job: { timestamp: number; processedOn?: number | undefined; finishedOn?: number | undefined }): void {
    this.jobs.inc({ outcome });
    if (job.processedOn === undefined) return;
    this.queueWait.observe(Math.max(0, job.processedOn - job.timestamp) / 1000);
    if (job.finishedOn !== undefined) this.jobDuration.observe(Math.max(0, job.finishedOn - job.processedOn) / 1000);
  }
}
