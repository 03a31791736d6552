-- wrk script of bench/http_paths.py: method, body and headers from the environment; one RESULT line.
local body, headers = os.getenv("BENCH_BODY") or "", os.getenv("BENCH_HEADERS") or ""
if body ~= "" then
  wrk.method = "POST"
  wrk.body = body
end
wrk.headers["Content-Type"] = "application/json"
for name, value in string.gmatch(headers, "([^\n:]+): ([^\n]+)") do
  wrk.headers[name] = value
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.0f %d\n", summary.requests, summary.duration,
    latency:percentile(99), e.connect + e.read + e.write + e.timeout + e.status))
end
