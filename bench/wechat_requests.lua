-- wrk script: replay pre-signed WeChat callbacks (one distinct MsgId each) from a file of
-- "path<TAB>body" lines (bodies are single-line XML); WRK_DELAY_MS paces each connection (for the half-load run).
local requests, n = {}, 0
local pos, delay_ms = 0, tonumber(os.getenv("WRK_DELAY_MS") or "0")
local thread_count, thread_no = 0, 0

function setup(thread)
  thread:set("thread_no", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  local path = os.getenv("WRK_REQUESTS")
  for line in io.lines(path) do
    local p, body = line:match("^(.-)\t(.*)$")
    n = n + 1
    requests[n] = wrk.format("POST", p, {["Content-Type"] = "text/xml"}, body)
  end
  local threads = tonumber(os.getenv("WRK_THREADS") or "1")
  pos = math.floor(n / threads) * thread_no
end

function request()
  pos = pos % n + 1
  return requests[pos]
end

function delay()
  return delay_ms
end

function done(summary, latency, requests)
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %.3f, "errors": %d, "non2xx": %d, "p50_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
