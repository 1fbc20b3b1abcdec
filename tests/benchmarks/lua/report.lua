-- Shared by every case: print one JSON line with the figures the runner reads.
-- Scripts that count successes keep a per-thread `successes` counter.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local successes = 0
  for _, thread in ipairs(threads) do
    successes = successes + (thread:get("successes") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, ' ..
    '"errors": %d, "status_errors": %d, "successes": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.connect + errors.read + errors.write + errors.timeout + errors.status,
    errors.status, successes))
end
