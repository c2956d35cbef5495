import type { HistoryEntry } from "../scaling/types.ts";
import type { NodePlanMemory } from "../scaling/nodes/types.ts";

/** What decide() hands back for the next call, kept per pool in memory. */
export interface PoolMemory {
  history: HistoryEntry[];
  idleSince: number | null;
  /** ms epoch of the last worker count change this process made. */
  lastScaleTime: number | undefined;
  /** What planNodes() hands back for the next call (timers of the node groups). */
  nodes: NodePlanMemory;
  /** ms epoch since when scale-downs have been held for busy pods that are not ready, if they are. */
  scaleDownHeldSince?: number | undefined;
}

/**
 * Per-pool memory. After a restart it starts empty (decide() then behaves as for a new pool with
 * the current size as its history), which is why a restart must not cause a scale action by itself.
 */
export class PoolMemories {
  private readonly byKey = new Map<string, PoolMemory>();

  get(key: string, fresh: () => PoolMemory): PoolMemory {
    let m = this.byKey.get(key);
    if (m === undefined) {
      m = fresh();
      this.byKey.set(key, m);
    }
    return m;
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }

  clear(): void {
    this.byKey.clear();
  }
}
