-- The workloads of workloads.ilo in Lua 5.4 / LuaJIT, for run.sh.
-- Usage: lua5.4 workloads.lua NAME ARG MS  -> prints "result ns_per_call"
local function numeric(n) local s = 0; local i = 1; while i <= n do s = s + i; i = i + 1 end; return s end
local function fib(n) if n <= 1 then return n end; local a = fib(n - 1); local b = fib(n - 2); return a + b end
local function cls(x)
  if x >= 900 then return 30 end; if x >= 700 then return 25 end; if x >= 500 then return 20 end
  if x >= 300 then return 15 end; if x >= 100 then return 10 end; return 5
end
local function guards(n) local s = 0; for i = 0, n - 1 do local c = cls(i); s = s + c end; return s end
local function dbl(x) return x * 2 end
local function inc(x) return x + 1 end
local function pipe(n) local s = 0; for i = 0, n - 1 do local v = inc(dbl(inc(dbl(i)))); s = s + v end; return s end
local fns = { numeric = numeric, fib = fib, guards = guards, pipe = pipe }
local f, arg1, ms = fns[arg[1]], tonumber(arg[2]), tonumber(arg[3] or "300")
local r, iters, t0 = f(arg1), 0, os.clock()
repeat for _ = 1, 10 do f(arg1) end; iters = iters + 10 until os.clock() - t0 > ms / 1000
print(string.format("%d %.0f", r, (os.clock() - t0) * 1e9 / iters))
