-- login.lua -- wrk script: human logins, POST /v1/Sessions with an e-mail and a passphrase (form
-- body, no Authorization header), each request from its own client address.
--
-- Environment (all required):
--   BENCH_EMAIL       the user's e-mail
--   BENCH_PASSPHRASE  that user's passphrase (URL-encoded here: it may contain spaces)
-- Example (the server must run with --trusted-proxies 127.0.0.1 for the addresses to count):
--   BENCH_EMAIL=owner@localhost BENCH_PASSPHRASE='six words ...' \
--     wrk --latency --timeout 30s -t2 -c64 -d10s -s bench/login/login.lua http://127.0.0.1:8088
--
-- Every request carries its own X-Forwarded-For (10.<thread>.<n / 256>.<n % 256>, n counting
-- per thread), so the server's per-address throttle sees many clients, as it would in real life.
-- A response() hook counts the statuses: 201 (logged in), 429 (hashing pool full or address
-- throttled), 401 and anything else.
--
-- After the run it prints one line (latencies in microseconds; rps counts every response):
--   wrk_result rps=... requests=... duration_s=... p50_us=... p90_us=... p99_us=... max_us=...
--              mean_us=... non2xx=... socket_errors=... connect=... read=... write=...
--              timeout=... bytes=... s201=... s429=... s401=... other=...
-- non2xx is wrk's own counter of statuses >= 400; `other` counts statuses that are neither 201
-- nor 429 (401 included).

local function need(name)
   local v = os.getenv(name)
   if v == nil or v == "" then
      error("login.lua: environment variable " .. name .. " is not set")
   end
   return v
end

local function urlencode(s)
   return (s:gsub("[^%w%-%._~]", function(c)
      return string.format("%%%02X", c:byte())
   end))
end

local body = "Email=" .. urlencode(need("BENCH_EMAIL")) .. "&Passphrase="
   .. urlencode(need("BENCH_PASSPHRASE"))
local headers = {
   ["Content-Type"] = "application/x-www-form-urlencoded",
   ["Accept"] = "application/json",
}

-- ---- per thread (each wrk thread has its own copy of these globals) ----

tid = 0
n = 0
s201 = 0
s429 = 0
s401 = 0
other = 0

function request()
   n = n + 1
   headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid % 256,
      math.floor(n / 256) % 256, n % 256)
   return wrk.format("POST", "/v1/Sessions", headers, body)
end

function response(status, hdrs, resp_body)
   if status == 201 then
      s201 = s201 + 1
   elseif status == 429 then
      s429 = s429 + 1
   elseif status == 401 then
      s401 = s401 + 1
      other = other + 1
   else
      other = other + 1
   end
end

-- ---- main state ----

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

function done(summary, latency, requests)
   local e = summary.errors
   local seconds = summary.duration / 1e6
   local c = { s201 = 0, s429 = 0, s401 = 0, other = 0 }
   for _, t in ipairs(threads) do
      for k in pairs(c) do
         c[k] = c[k] + (tonumber(t:get(k)) or 0)
      end
   end
   io.write(string.format(
      "wrk_result rps=%.2f requests=%d duration_s=%.3f p50_us=%d p90_us=%d p99_us=%d max_us=%d"
         .. " mean_us=%.1f non2xx=%d socket_errors=%d connect=%d read=%d write=%d timeout=%d"
         .. " bytes=%d s201=%d s429=%d s401=%d other=%d\n",
      seconds > 0 and summary.requests / seconds or 0, summary.requests, seconds,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      latency.mean, e.status, e.connect + e.read + e.write + e.timeout,
      e.connect, e.read, e.write, e.timeout, summary.bytes,
      c.s201, c.s429, c.s401, c.other))
end
