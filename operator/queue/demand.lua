-- Reads one BullMQ queue's demand atomically (a script runs as one unit in Redis).
-- KEYS: 1 wait, 2 paused, 3 prioritized, 4 active, 5 delayed, 6 meta, 7 busy-worker hash (docs/API.md "Worker registration")
-- ARGV: 1 job key prefix ("bull:<queue>:"), 2 highest delayed score counted as demand
-- Returns: { paused, waiting, prioritized, active, delayedSoon, delayedTotal, oldestTimestamp, then (jobId, processedBy) pairs per active job }
local rcall = redis.call
local paused = rcall("HEXISTS", KEYS[6], "paused")
-- Paused queues keep their waiting jobs in the paused list (pause renames wait -> paused).
local waiting = rcall("LLEN", KEYS[1]) + rcall("LLEN", KEYS[2])
local prioritized = rcall("ZCARD", KEYS[3])
local active = rcall("LLEN", KEYS[4])
local delayedSoon = rcall("ZCOUNT", KEYS[5], 0, ARGV[2])
local delayedTotal = rcall("ZCARD", KEYS[5])

-- Workers take from the right end of the wait list (RPOPLPUSH), so that end holds the oldest job;
-- the prioritized zset's first member is the next prioritized job.
local candidates = {}
local tailWait = rcall("LINDEX", KEYS[1], -1)
if not tailWait then tailWait = rcall("LINDEX", KEYS[2], -1) end
if tailWait then candidates[#candidates + 1] = tailWait end
local headPrio = rcall("ZRANGE", KEYS[3], 0, 0)
if headPrio[1] then candidates[#candidates + 1] = headPrio[1] end
local oldest = -1
for _, id in ipairs(candidates) do
  local ts = tonumber(rcall("HGET", ARGV[1] .. id, "timestamp"))
  if ts and (oldest < 0 or ts < oldest) then oldest = ts end
end

local result = { paused, waiting, prioritized, active, delayedSoon, delayedTotal, oldest }
-- Who runs each active job: the worker's own registration (job id -> pod name) first; else "pb"
-- (processedBy), the BullMQ Worker name, which Genpool workers set to their pod name and which
-- BullMQ writes in the same step that makes the job active. Stale registrations of jobs that are
-- no longer active are never read.
local ids = rcall("LRANGE", KEYS[4], 0, 999)
for _, id in ipairs(ids) do
  local by = rcall("HGET", KEYS[7], id)
  if not by then by = rcall("HGET", ARGV[1] .. id, "pb") end
  result[#result + 1] = id
  result[#result + 1] = by or ""
end
return result
