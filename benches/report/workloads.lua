-- The workloads of workloads.ilo in hand-written Lua (5.4 and LuaJIT), for run.sh.
-- Usage: lua5.4 workloads.lua NAME ARG... MS  -> prints "result ns_per_call".
-- The call is timed in-process until MS milliseconds of CPU time have passed.
local function tot(p, q, r) local s = p * q; local t = s * r; return s + t end
local function numeric(n) local s = 0; local i = 1; while i <= n do s = s + i; i = i + 1 end; return s end
local function fib(n) if n <= 1 then return n end; local a = fib(n - 1); local b = fib(n - 2); return a + b end
local function cls(x)
  if x >= 900 then return 30 end; if x >= 700 then return 25 end; if x >= 500 then return 20 end
  if x >= 300 then return 15 end; if x >= 100 then return 10 end; return 5
end
local function guards(n) local s = 0; for i = 0, n - 1 do local c = cls(i); s = s + c end; return s end
local function strings(n)
  local s = ""
  for i = 0, n - 1 do s = s .. "item-"; s = s .. i; s = s .. ", " end
  return #s
end
local function records(n)
  local s = 0
  for i = 0, n - 1 do local p = { x = i, y = i * 2 }; s = s + (p.x + p.y) end
  return s
end
local function foreach(n)
  local xs = {}
  for i = 0, n - 1 do xs[#xs + 1] = i end
  local s = 0
  for _, x in ipairs(xs) do s = s + x end
  return s
end
local function dbl(x) return x * 2 end
local function inc(x) return x + 1 end
local function pipe(n) local s = 0; for i = 0, n - 1 do local v = inc(dbl(inc(dbl(i)))); s = s + v end; return s end

local fns = { tot = tot, numeric = numeric, fib = fib, guards = guards, strings = strings,
              records = records, foreach = foreach, pipe = pipe }
local f, ms = fns[arg[1]], tonumber(arg[#arg])
-- Up to three arguments, passed as locals (extra nils are ignored): no
-- table unpacking inside the timed loop.
local a, b, c = tonumber(arg[2]), tonumber(arg[3]), tonumber(arg[4])
if #arg == 3 then b = nil elseif #arg == 4 then c = nil end
local r, iters, t0 = f(a, b, c), 0, os.clock()
repeat for _ = 1, 10 do f(a, b, c) end; iters = iters + 10 until os.clock() - t0 > ms / 1000
print(string.format("%.14g %.0f", r, (os.clock() - t0) * 1e9 / iters))
