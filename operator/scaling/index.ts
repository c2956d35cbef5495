/** The pure scaling policy: decide() and the pieces it is made of. Node-group planning lives in ./nodes/. */
export * from "./types.ts";
export { decide, QUEUE_UNREACHABLE_RETRY_SECONDS } from "./decide.ts";
export { effectiveBounds } from "./bounds.ts";
export { activeSchedule, isScheduleActive, localTime, minutesOf, offsetMinutes, secondsUntilScheduleBoundary, type LocalTime } from "./schedule.ts";
export { emptyQueue, observation, past, NOON, type ObservationParts } from "./observation-builder.ts";
export { backlogWorkers, demandOf, isUrgent, queuedJobs } from "./demand.ts";
export { rateWorkers } from "./rate.ts";
export { isIdle, nextIdleSince, secondsUntilZeroAllowed } from "./idle.ts";
export { initialHistory, record, retentionSeconds } from "./history.ts";
export { recommend, type Recommendation } from "./recommend.ts";
export { stabilize, type Stabilized } from "./stabilization.ts";
export { limitStep, type Stepped } from "./step.ts";
