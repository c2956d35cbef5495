/**
 * The one table of GenerationPool defaults. The CRD schema (`default:` keywords, applied by the
 * API server) and `parseGenerationPool()` (applied by the operator at its edge) both read it, so
 * the two can never disagree.
 */
export const PoolDefaults = {
  /** BullMQ queue the api enqueues generations on. */
  queueName: "gpu-generation",
  /** BullMQ key prefix (BullMQ's own default). */
  queuePrefix: "bull",
  /** Scale to zero is allowed unless a higher floor is set. */
  replicasMin: 0,
  /** No idle worker is kept beyond what the backlog needs. */
  replicasWarmIdle: 0,
  /** Queued jobs one worker is expected to absorb (the design's figure: 50 jobs -> 10 workers). */
  targetBacklogPerWorker: 5,
  /** A job waiting longer than this makes scale-up urgent (no step limit, no stabilization). */
  queueWaitObjectiveSeconds: 60,
  /** Scale-up acts on the newest recommendation. */
  scaleUpStabilizationSeconds: 0,
  /** At most this many workers are added per step period... */
  scaleUpMaxStepWorkers: 10,
  /** ...or this percentage of the pool, whichever allows more (like the HPA's 100% / 4 pods). */
  scaleUpMaxStepPercent: 100,
  /** Length of one scale-up step. */
  scaleUpStepPeriodSeconds: 15,
  /** Past the wait objective, queued jobs count this many times over (and steps are unlimited). */
  scaleUpUrgentMultiplier: 2,
  /**
   * Scale-down follows the highest recommendation of the last minute. Shorter than the HPA's five
   * minutes because recommend() never goes below the busy workers, so a long window holds the
   * peak concurrency of the whole window on GPUs that cost dollars an hour; a minute still rides
   * out the dips between jobs (median 12 s). Replayed on the diurnal day: 300 s wastes $19.56 over
   * the oracle, 60 s $6.44 at a p95 wait of 47 s (docs/BENCHMARKS.md, "Policy replay").
   */
  scaleDownStabilizationSeconds: 60,
  /** At most this many workers are removed per step period. */
  scaleDownMaxStepWorkers: 10,
  /** Length of one scale-down step. */
  scaleDownStepPeriodSeconds: 60,
  /** The last worker stays until the queue has been empty this long. */
  scaleToZeroDelaySeconds: 600,
  /** Node groups: list order breaks ties between equal priorities. */
  nodeGroupPriority: 0,
  /** Node groups may shrink to no nodes. */
  nodeGroupMinNodes: 0,
  /** On-demand nodes kept regardless of spot availability. */
  onDemandBaseNodes: 0,
  /** Pods pending this long on spot make the planner grow on-demand groups instead. */
  spotFallbackDelaySeconds: 180,
  /**
   * A node must be empty this long before its group shrinks. One minute: the worker count has
   * already held for the scale-down window before a node empties, so a longer wait only bills an
   * idle GPU node (a g5 spot node is about $0.30/h; a relaunch costs ~2.5 min of boot, image pull
   * and model load, which pod-level damping makes rare). Replayed: 600 s keeps ~$13 of idle nodes
   * on the diurnal day; 60 s to 120 s are within $1 of each other.
   */
  nodeScaleDownDelaySeconds: 60,
  /** The operator acts. */
  paused: false,
} as const;

/** Upper bounds that keep CEL rule cost bounded and the status readable. */
export const PoolLimits = {
  maxNodeGroups: 10,
  maxSchedules: 20,
  maxInstanceTypes: 20,
  maxReplicas: 1000,
  maxNameLength: 63,
  maxTimeZoneLength: 64,
} as const;
