/**
 * A steady stream of authenticated POST /api/v1/generations at a fixed rate, as independent
 * requests (a slow answer during a fault does not hold the next one back). It records every
 * answer: the accepted generations (202) by id, and the count of each other outcome.
 */

/** A generation the API accepted. */
export interface Accepted {
  id: string;
  user: string;
  /** When the 202 arrived (ms since epoch). */
  at: number;
}

/** What the stream saw. */
export interface StreamResult {
  sent: number;
  accepted: Accepted[];
  /** Answers by HTTP status ("202", "503", ...) or "network" for a request that got no answer. */
  outcomes: Record<string, number>;
  /** A few bodies of non-202 answers, for the report. */
  samples: string[];
  seconds: number;
}

/** Options of a stream. */
export interface StreamOptions {
  api: string;
  tokens: { user: string; token: string }[];
  /** Requests started per second. */
  perSecond: number;
  /** Abort a request that has no answer after this long. @default 15000 */
  requestTimeoutMs?: number;
}

/** The request body of the n-th generation: small images keep the fake fast. */
export function generationBody(n: number): Record<string, unknown> {
  return { prompt: `reliability stream ${n}`, model: "sdxl-base", width: 64 + 8 * (n % 8), height: 64, steps: 4, category: "reliability", seed: n };
}

/** Runs until stop(); start() returns at once. */
export class Stream {
  private timer: NodeJS.Timeout | null = null;
  private readonly inflight = new Set<Promise<void>>();
  private readonly result: StreamResult = { sent: 0, accepted: [], outcomes: {}, samples: [], seconds: 0 };
  private started = 0;

  constructor(private readonly opts: StreamOptions) {}

  start(): this {
    this.started = Date.now();
    const every = 1000 / this.opts.perSecond;
    const tick = (): void => {
      // Catch up on missed ticks (timers drift under load) so the rate holds on a busy machine.
      const due = Math.floor((Date.now() - this.started) / every) + 1;
      while (this.result.sent < due) this.fire(this.result.sent);
      this.timer = setTimeout(tick, every);
    };
    tick();
    return this;
  }

  /** Accepted so far (live view). */
  get accepted(): readonly Accepted[] {
    return this.result.accepted;
  }

  /** Stops sending, waits for the answers still due, returns the record. */
  async stop(): Promise<StreamResult> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.result.seconds = (Date.now() - this.started) / 1000;
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    return this.result;
  }

  private fire(n: number): void {
    this.result.sent++;
    const who = this.opts.tokens[n % this.opts.tokens.length]!;
    const p = this.post(n, who).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async post(n: number, who: { user: string; token: string }): Promise<void> {
    let outcome = "network";
    try {
      const res = await fetch(`${this.opts.api}/api/v1/generations`, {
        method: "POST",
        headers: { authorization: `Bearer ${who.token}`, "content-type": "application/json" },
        body: JSON.stringify(generationBody(n)),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 15_000),
      });
      outcome = String(res.status);
      const text = await res.text();
      if (res.status === 202) this.result.accepted.push({ id: (JSON.parse(text) as { id: string }).id, user: who.user, at: Date.now() });
      else if (this.result.samples.length < 5) this.result.samples.push(`${res.status} ${text.slice(0, 200)}`);
    } catch (err) {
      if (this.result.samples.length < 5) this.result.samples.push(`network: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.result.outcomes[outcome] = (this.result.outcomes[outcome] ?? 0) + 1;
  }
}
