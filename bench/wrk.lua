-- wrk script of the benchmark: each connection's thread takes its own share of the work list (one request a
-- line: "METHOD<TAB>path<TAB>body"), never the same line twice; headers come in the environment (BENCH_HEADERS,
-- "Name: value" lines). Counts the answers by status, and prints the latency percentiles in milliseconds.
local threads, counter = {}, 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads, file = tonumber(args[1]), args[2]
  work, n, ok, bad, exhausted = {}, 0, 0, 0, 0
  local line_no = 0
  for line in io.lines(file) do
    if line_no % nthreads == id then
      local method, path, body = line:match("^(%S+)\t(%S+)\t?(.*)$")
      table.insert(work, { method = method, path = path, body = body })
    end
    line_no = line_no + 1
  end
  headers = {}
  for header in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
    local name, value = header:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  prefix = os.getenv("BENCH_KEY_PREFIX") or "k"
end

function request()
  n = n + 1
  local item = work[n]
  if item == nil then
    exhausted = exhausted + 1
    item = work[((n - 1) % #work) + 1]
  end
  headers["Idempotency-Key"] = prefix .. "-" .. id .. "-" .. n
  if item.method == "GET" then
    return wrk.format("GET", item.path, headers)
  end
  return wrk.format("POST", item.path, headers, item.body)
end

function response(status, hdrs, body)
  if status == 200 then ok = ok + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_bad, total_exhausted = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_bad = total_bad + thread:get("bad")
    total_exhausted = total_exhausted + thread:get("exhausted")
  end
  io.write(string.format("RESULT requests=%d ok=%d bad=%d exhausted=%d seconds=%.3f p50=%.3f p95=%.3f errors=%d\n",
    summary.requests, total_ok, total_bad, total_exhausted, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout))
end
