-- verify.lua -- wrk script: POST /v1/AccessTokens/Verify (form body Token=<jwt>, HTTP Basic auth
-- with an API key), rotating through a file of tokens, one per line.
--
-- Environment:
--   BENCH_TOKENS_FILE  the tokens, one per line (required)
--   BENCH_KEY_SID      API key SID (SK...) used as the Basic-auth user name (required)
--   BENCH_KEY_SECRET   that key's secret, used as the password (required)
--   BENCH_STRICT=1     also check every response: a response() hook counts statuses other than
--                      200 (non200) and 200s whose body lacks "active":true (inactive).  It
--                      costs client CPU, so run.sh uses it only in the warm-up.
-- Example:
--   BENCH_TOKENS_FILE=tokens.txt BENCH_KEY_SID=SK... BENCH_KEY_SECRET=... \
--     wrk --latency -t2 -c64 -d10s -s bench/jwt/verify.lua http://127.0.0.1:8088
--
-- Every request is built once per thread in init(); request() hands them out in turn, each
-- thread starting at its own offset.  After the run, done() prints one line (latencies in
-- microseconds), like bench/api-auth's report.lua:
--   wrk_result rps=... requests=... duration_s=... p50_us=... p90_us=... p99_us=... max_us=...
--              mean_us=... non2xx=... socket_errors=... connect=... read=... write=...
--              timeout=... bytes=... tokens=... [non200=... inactive=...]

local function need(name)
   local v = os.getenv(name)
   if v == nil or v == "" then
      error("verify.lua: environment variable " .. name .. " is not set")
   end
   return v
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(s)
   local out = {}
   for i = 1, #s, 3 do
      local a, b, c = s:byte(i, i + 2)
      local n = a * 65536 + (b or 0) * 256 + (c or 0)
      local d1 = math.floor(n / 262144) % 64
      local d2 = math.floor(n / 4096) % 64
      local d3 = math.floor(n / 64) % 64
      local d4 = n % 64
      out[#out + 1] = alphabet:sub(d1 + 1, d1 + 1) .. alphabet:sub(d2 + 1, d2 + 1)
         .. (b and alphabet:sub(d3 + 1, d3 + 1) or "=")
         .. (c and alphabet:sub(d4 + 1, d4 + 1) or "=")
   end
   return table.concat(out)
end

-- A JWT is base64url and dots only: nothing in it needs escaping in a form body.
local function read_tokens(path)
   local f = assert(io.open(path, "r"))
   local list = {}
   for line in f:lines() do
      line = line:gsub("\r$", "")
      if line ~= "" then
         if line:find("[^%w%-_%.]") then
            error("verify.lua: a token holds a character other than base64url and '.'")
         end
         list[#list + 1] = line
      end
   end
   f:close()
   if #list == 0 then
      error("verify.lua: no token in " .. path)
   end
   return list
end

local tokens_file = need("BENCH_TOKENS_FILE")
local authorization = "Basic " .. base64(need("BENCH_KEY_SID") .. ":" .. need("BENCH_KEY_SECRET"))
local strict = os.getenv("BENCH_STRICT") == "1"

-- ---- the main state: setup() and done() ----

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("id", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

-- ---- each thread's state ----

local requests = {}
local next_index = 1

function init(args)
   local list = read_tokens(tokens_file)
   local headers = {
      ["Authorization"] = authorization,
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Accept"] = "application/json",
   }
   for i, t in ipairs(list) do
      requests[i] = wrk.format("POST", "/v1/AccessTokens/Verify", headers, "Token=" .. t)
   end
   next_index = ((id or 0) * 37) % #requests + 1
   token_count = #requests
end

function request()
   local r = requests[next_index]
   next_index = next_index % #requests + 1
   return r
end

if strict then
   non200 = 0
   inactive = 0
   function response(status, headers, body)
      if status ~= 200 then
         non200 = non200 + 1
      elseif body == nil or not body:find('"active":true', 1, true) then
         inactive = inactive + 1
      end
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   local seconds = summary.duration / 1e6
   local line = string.format("wrk_result rps=%.2f requests=%d duration_s=%.3f p50_us=%d p90_us=%d"
         .. " p99_us=%d max_us=%d mean_us=%.1f non2xx=%d socket_errors=%d connect=%d read=%d"
         .. " write=%d timeout=%d bytes=%d",
      seconds > 0 and summary.requests / seconds or 0, summary.requests, seconds,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      latency.mean, e.status, e.connect + e.read + e.write + e.timeout,
      e.connect, e.read, e.write, e.timeout, summary.bytes)
   local n = 0
   for _, t in ipairs(threads) do
      n = math.max(n, tonumber(t:get("token_count")) or 0)
   end
   line = line .. string.format(" tokens=%d", n)
   if strict then
      local bad, off = 0, 0
      for _, t in ipairs(threads) do
         bad = bad + (tonumber(t:get("non200")) or 0)
         off = off + (tonumber(t:get("inactive")) or 0)
      end
      line = line .. string.format(" non200=%d inactive=%d", bad, off)
   end
   io.write(line .. "\n")
end
