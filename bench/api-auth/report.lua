-- report.lua -- wrk done() hook shared by the api-auth benchmark scripts.
--
-- Prints one machine-readable line after the run (all latencies in microseconds):
--   wrk_result rps=... requests=... duration_s=... p50_us=... p90_us=... p99_us=...
--              max_us=... mean_us=... non2xx=... socket_errors=... connect=... read=...
--              write=... timeout=... bytes=... [non200=...]
-- non2xx is wrk's own counter of responses with a status >= 400 (what wrk's text report calls
-- "Non-2xx or 3xx responses").  non200 appears only when BENCH_STRICT=1: then a response()
-- hook counts every status other than 200 exactly (1xx/3xx included), at some client cost,
-- which is why the measured runs leave it off and the warm-up run uses it.
--
-- Usable on its own for a plain GET:  wrk --latency -s report.lua http://127.0.0.1:8080/

local strict = os.getenv("BENCH_STRICT") == "1"
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

if strict then
   non200 = 0
   function response(status, headers, body)
      if status ~= 200 then
         non200 = non200 + 1
      end
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   local seconds = summary.duration / 1e6
   local line = string.format(
      "wrk_result rps=%.2f requests=%d duration_s=%.3f p50_us=%d p90_us=%d p99_us=%d max_us=%d"
         .. " mean_us=%.1f non2xx=%d socket_errors=%d connect=%d read=%d write=%d timeout=%d bytes=%d",
      seconds > 0 and summary.requests / seconds or 0, summary.requests, seconds,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      latency.mean, e.status, e.connect + e.read + e.write + e.timeout,
      e.connect, e.read, e.write, e.timeout, summary.bytes)
   if strict then
      local n = 0
      for _, t in ipairs(threads) do
         n = n + (tonumber(t:get("non200")) or 0)
      end
      line = line .. string.format(" non200=%d", n)
   end
   io.write(line .. "\n")
end
