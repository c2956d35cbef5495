import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The operator's Prometheus metrics, in their own registry. */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly queueWaiting = new Gauge({ name: "genpool_queue_waiting_jobs", help: "Jobs waiting (plain and prioritized) per pool.", labelNames: ["namespace", "pool"], registers: [this.registry] });
  readonly queueActive = new Gauge({ name: "genpool_queue_active_jobs", help: "Jobs being processed per pool.", labelNames: ["namespace", "pool"], registers: [this.registry] });
  readonly queueOldest = new Gauge({ name: "genpool_queue_oldest_waiting_seconds", help: "Age of the oldest waiting job per pool.", labelNames: ["namespace", "pool"], registers: [this.registry] });
  readonly workersDesired = new Gauge({ name: "genpool_workers_desired", help: "Workers the operator asks for.", labelNames: ["namespace", "pool"], registers: [this.registry] });
  readonly workersReady = new Gauge({ name: "genpool_workers_ready", help: "Ready worker pods.", labelNames: ["namespace", "pool"], registers: [this.registry] });
  readonly workersBusy = new Gauge({ name: "genpool_workers_busy", help: "Worker pods running a job.", labelNames: ["namespace", "pool"], registers: [this.registry] });
  readonly queueReachable = new Gauge({ name: "genpool_queue_reachable", help: "1 when the pool's queue could be read at the last reconcile.", labelNames: ["namespace", "pool"], registers: [this.registry] });
  readonly scaleActions = new Counter({ name: "genpool_scale_actions_total", help: "Worker Deployment scale patches.", labelNames: ["namespace", "pool", "direction"], registers: [this.registry] });
  readonly reconcileDuration = new Histogram({
    name: "genpool_reconcile_duration_seconds",
    help: "Time to reconcile one pool.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({ name: "genpool_reconcile_errors_total", help: "Reconciles that failed and were retried.", labelNames: ["namespace", "pool"], registers: [this.registry] });
  readonly leader = new Gauge({ name: "genpool_leader", help: "1 when this replica holds the leader Lease.", registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "genpool_operator_" });
  }

  /** Drops a deleted pool's series. */
  forget(namespace: string, pool: string): void {
    for (const g of [this.queueWaiting, this.queueActive, this.queueOldest, this.workersDesired, this.workersReady, this.workersBusy, this.queueReachable]) {
      g.remove({ namespace, pool });
    }
  }
}
