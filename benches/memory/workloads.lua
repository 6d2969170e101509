-- The memory issue's workloads in Lua 5.4, timed per call like `ilo --bench`.
local function str1(n)
  local s = ""
  local i = 0
  while i < n do s = s .. "item-"; local v = tostring(i); s = s .. v; s = s .. ", "; i = i + 1 end
  return #s
end
local function rec(n)
  local s = 0
  local i = 0
  while i < n do local y = i * 2; local p = {x = i, y = y}; s = s + (p.x + p.y); i = i + 1 end
  return s
end
local function fe(n)
  local xs = {}
  for i = 0, n - 1 do xs[#xs + 1] = i end
  local s = 0
  for _, x in ipairs(xs) do s = s + x end
  return s
end
local function bench(name, f, arg, want)
  local got = f(arg)
  assert(got == want, name .. ": got " .. tostring(got))
  local iters, t0 = 0, os.clock()
  while os.clock() - t0 < 1.0 do
    for _ = 1, 100 do f(arg) end
    iters = iters + 100
  end
  print(string.format("%-8s %10.0f ns per call", name, (os.clock() - t0) / iters * 1e9))
end
bench("string", str1, 100, 890)
bench("record", rec, 100, 14850)
bench("foreach", fe, 100, 4950)
