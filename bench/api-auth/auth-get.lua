-- auth-get.lua -- wrk script: authenticated GET of the account resource, the hot path of the
-- Gatehouse API (HTTP Basic auth with an API key, route, permission check, account lookup,
-- JSON response).
--
-- Environment (all required):
--   BENCH_ACCOUNT_SID  the account to fetch (AC...)
--   BENCH_KEY_SID      API key SID (SK...) used as the Basic-auth user name
--   BENCH_KEY_SECRET   that key's secret, used as the password
-- Example:
--   BENCH_ACCOUNT_SID=AC... BENCH_KEY_SID=SK... BENCH_KEY_SECRET=... \
--     wrk --latency -t2 -c64 -d10s -s bench/api-auth/auth-get.lua http://127.0.0.1:8088
--
-- The request is static (no request() hook), so wrk builds it once and sends it as fast as it
-- can.  The done() report comes from report.lua next to this file.

local function need(name)
   local v = os.getenv(name)
   if v == nil or v == "" then
      error("auth-get.lua: environment variable " .. name .. " is not set")
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

local account = need("BENCH_ACCOUNT_SID")

wrk.method = "GET"
wrk.path = "/2010-04-01/Accounts/" .. account .. ".json"
wrk.headers["Authorization"] = "Basic " .. base64(need("BENCH_KEY_SID") .. ":" .. need("BENCH_KEY_SECRET"))
wrk.headers["Accept"] = "application/json"

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
