-- Shared by every case: print one JSON line with the figures the runner reads.
-- Scripts that count successes keep a per-thread `successes` counter. Scripts that time
-- one kind of request themselves (the form POSTs) keep, per thread, `timed` (a list of
-- latencies in microseconds) and `unexpected` (responses that were not the expected answer);
-- `unexpected` then replaces wrk's own count of HTTP errors; `unanswered` is 1 while a POST
-- is on its way, so the runner knows how many were cut off when the run stopped.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local function percentile(sorted, p)
  if #sorted == 0 then
    return 0
  end
  local index = math.max(1, math.ceil(#sorted * p / 100))
  return sorted[index]
end

function done(summary, latency, requests)
  local successes, unexpected, unanswered, counted = 0, 0, 0, false
  local timed = {}
  for _, thread in ipairs(threads) do
    successes = successes + (thread:get("successes") or 0)
    unanswered = unanswered + (thread:get("unanswered") or 0)
    local failures = thread:get("unexpected")
    if failures then
      counted = true
      unexpected = unexpected + failures
    end
    for _, us in ipairs(thread:get("timed") or {}) do
      timed[#timed + 1] = us
    end
  end
  table.sort(timed)
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, ' ..
    '"errors": %d, "status_errors": %d, "successes": %d, ' ..
    '"timed_requests": %d, "timed_p50_ms": %.3f, "timed_p99_ms": %.3f, "unanswered": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    socket_errors + (counted and unexpected or errors.status),
    errors.status, successes,
    #timed, percentile(timed, 50) / 1000, percentile(timed, 99) / 1000, unanswered))
end
