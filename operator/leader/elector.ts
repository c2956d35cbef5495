import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { LeaseConflictError, type LeaseRecord, type LeaseWrite } from "../kube/lease.ts";

/** The Lease the elector reads and writes (operator/kube/lease.ts). */
export interface LeaseStore {
  read(): Promise<LeaseRecord | undefined>;
  write(previous: LeaseRecord | undefined, w: LeaseWrite): Promise<LeaseRecord>;
}

/** Timing of the election. */
export interface ElectionTiming {
  /** A standby takes over this long after it last saw the Lease change. @default 15 s */
  leaseDurationMs: number;
  /** How often the leader renews and a standby retries. @default 2 s */
  retryMs: number;
  /** The leader stops acting when it could not renew for this long (< leaseDurationMs). @default 10 s */
  renewDeadlineMs: number;
}

/** Called when leadership starts or ends. */
export interface LeadershipHandlers {
  onStartedLeading(): void;
  onStoppedLeading(): void;
  /** A round reached the API server again after rounds that could not. */
  onApiServerBack?(): void;
}

/**
 * Leader election on a coordination.k8s.io Lease, like client-go's: every write is a replace at the
 * resourceVersion that was read, so two candidates can never both win a round. Expiry is judged by
 * this process's own clock from when it last saw the Lease change, never by comparing clocks.
 */
export class LeaderElector {
  private observed: LeaseRecord | undefined;
  private observedAt = 0;
  private lastRenew = 0;
  private contact = 0;
  /** The last round could not reach the API server. */
  private unreachable = false;
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The round in progress, which release() lets finish so it cannot re-take the Lease afterwards. */
  private inflight: Promise<unknown> = Promise.resolve();

  private readonly store: LeaseStore;
  private readonly identity: string;
  private readonly clock: Clock;
  private readonly timing: ElectionTiming;
  private readonly handlers: LeadershipHandlers;
  private readonly log: Logger;

  constructor(deps: { store: LeaseStore; identity: string; clock: Clock; timing: ElectionTiming; handlers: LeadershipHandlers; log: Logger }) {
    ({ store: this.store, identity: this.identity, clock: this.clock, timing: this.timing, handlers: this.handlers, log: this.log } = deps);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** ms epoch of the last round that reached the API server (0 before the first). */
  get lastContact(): number {
    return this.contact;
  }

  /** Runs rounds every retryMs until stopped. */
  start(): void {
    this.stopped = false;
    void this.loop();
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    this.inflight = this.round();
    await this.inflight;
    if (!this.stopped) this.timer = setTimeout(() => void this.loop(), this.timing.retryMs);
  }

  /** One acquire-or-renew attempt; returns whether this process leads afterwards. */
  async round(): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.attempt(now);
    if (result === "won") this.lastRenew = now;
    // After a failed write the leader keeps acting only until its renew deadline, which ends before
    // any standby may take over (a standby waits a full lease duration from the last change it saw).
    const leading = result === "won" || (result === "failed" && this.leading && this.clock.now() - this.lastRenew < this.timing.renewDeadlineMs);
    this.setLeading(leading && !this.stopped);
    return this.leading;
  }

  /** One attempt, noting whether it reached the API server (a conflict did). */
  private async attempt(now: number): Promise<"won" | "held-by-other" | "failed"> {
    let result: "won" | "held-by-other" | "failed";
    let reached = true;
    try {
      result = (await this.tryAcquireOrRenew(now)) ? "won" : "held-by-other";
    } catch (err) {
      reached = err instanceof LeaseConflictError;
      if (!reached) this.log.warn({ err: String(err) }, "Leader election round failed");
      result = "failed";
    }
    if (reached) this.contact = now;
    if (reached && this.unreachable) this.handlers.onApiServerBack?.();
    this.unreachable = !reached;
    return result;
  }

  private async tryAcquireOrRenew(now: number): Promise<boolean> {
    const current = await this.store.read();
    this.noteObserved(current, now);
    if (this.heldByOtherAndValid(current, now)) return false;
    const acquired = current?.holder !== this.identity;
    const written = await this.store.write(current, {
      holder: this.identity,
      leaseDurationSeconds: Math.round(this.timing.leaseDurationMs / 1000),
      transitions: (current?.transitions ?? 0) + (acquired && current !== undefined ? 1 : 0),
      now,
      acquired,
    });
    this.noteObserved(written, now);
    return true;
  }

  /** Expiry runs from when this process last saw the Lease change, on its own clock. */
  private noteObserved(record: LeaseRecord | undefined, now: number): void {
    if (record?.resourceVersion === this.observed?.resourceVersion) return;
    this.observed = record;
    this.observedAt = now;
  }

  private heldByOtherAndValid(current: LeaseRecord | undefined, now: number): boolean {
    if (current === undefined || current.holder === "" || current.holder === this.identity) return false;
    return now < this.observedAt + current.leaseDurationSeconds * 1000;
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.log.info({ identity: this.identity, leading }, "Leadership changed");
    if (leading) this.handlers.onStartedLeading();
    else this.handlers.onStoppedLeading();
  }

  /** Stops the rounds and, when leading, hands the Lease back so a standby takes over at once. */
  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inflight;
    if (!this.leading) return;
    this.setLeading(false);
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.store.read();
      if (current?.holder !== this.identity) return;
      try {
        await this.store.write(current, { holder: "", leaseDurationSeconds: 1, transitions: current.transitions, now: this.clock.now(), acquired: false });
        return;
      } catch (err) {
        if (!(err instanceof LeaseConflictError)) throw err;
      }
    }
  }
}
