-- wrk script of bench/portal.py. With FAIRDUE_BENCH_TARGETS (lines "cookie<TAB>path") every
-- request takes the next line's session cookie and path; without it, plain GETs of the URL.
-- FAIRDUE_BENCH_HEADER names the header the first field goes in (default Cookie; the API
-- benchmark sends Authorization).
-- Counts answers other than 200 (a lost session would be a fast 302) and prints one line:
-- FAIRDUE rps=… p50=… p99=… (microseconds) requests=… bad=…

local threads = {}
local targets = {}
local index = 0
local header = os.getenv("FAIRDUE_BENCH_HEADER") or "Cookie"
bad = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("FAIRDUE_BENCH_TARGETS")
  if path then
    for line in io.lines(path) do
      local cookie, target = line:match("^([^\t]+)\t(.+)$")
      if cookie then
        table.insert(targets, { cookie = cookie, path = target })
      end
    end
  end
  -- Threads start at different customers.
  index = math.random(0, math.max(#targets - 1, 0))
end

function request()
  if #targets == 0 then
    return wrk.format("GET")
  end
  index = index % #targets + 1
  local target = targets[index]
  return wrk.format("GET", target.path, { [header] = target.cookie })
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, thread in ipairs(threads) do
    total_bad = total_bad + (thread:get("bad") or 0)
  end
  io.write(string.format(
    "FAIRDUE rps=%.2f p50=%.0f p99=%.0f requests=%d bad=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50),
    latency:percentile(99),
    summary.requests,
    total_bad + summary.errors.status
  ))
end
