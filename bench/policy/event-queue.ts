/**
 * The simulated clock's agenda: a binary heap ordered by time, then by insertion order, so events
 * at the same instant run in the order they were scheduled and a run is deterministic.
 */

interface Entry<E> {
  t: number;
  seq: number;
  event: E;
}

/** A min-heap of timed events. */
export class EventQueue<E> {
  private readonly heap: Entry<E>[] = [];
  private seq = 0;

  /** Schedules `event` at time `t` (seconds). */
  push(t: number, event: E): void {
    this.heap.push({ t, seq: this.seq++, event });
    this.up(this.heap.length - 1);
  }

  /** Removes and returns the earliest event, or undefined when none is left. */
  pop(): { t: number; event: E } | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return { t: top.t, event: top.event };
  }

  get size(): number {
    return this.heap.length;
  }

  private before(i: number, j: number): boolean {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const tmp = this.heap[i]!;
    this.heap[i] = this.heap[j]!;
    this.heap[j] = tmp;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.heap.length && this.before(l, m)) m = l;
      if (r < this.heap.length && this.before(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
