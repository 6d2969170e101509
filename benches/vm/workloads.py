"""The workloads of workloads.ilo in Python, for run.sh.
Usage: python3 workloads.py NAME ARG MS  -> prints "result ns_per_call"."""
import sys, time

def numeric(n):
    s = 0; i = 1
    while i <= n:
        s = s + i; i = i + 1
    return s

def fib(n):
    if n <= 1:
        return n
    a = fib(n - 1); b = fib(n - 2)
    return a + b

def cls(x):
    if x >= 900: return 30
    if x >= 700: return 25
    if x >= 500: return 20
    if x >= 300: return 15
    if x >= 100: return 10
    return 5

def guards(n):
    s = 0
    for i in range(n):
        c = cls(i); s = s + c
    return s

def dbl(x): return x * 2
def inc(x): return x + 1

def pipe(n):
    s = 0
    for i in range(n):
        v = inc(dbl(inc(dbl(i)))); s = s + v
    return s

f = globals()[sys.argv[1]]; arg = int(sys.argv[2]); ms = float(sys.argv[3]) if len(sys.argv) > 3 else 300
r = f(arg); iters = 0; t0 = time.perf_counter()
while time.perf_counter() - t0 < ms / 1000:
    for _ in range(10): f(arg)
    iters += 10
print(r, round((time.perf_counter() - t0) * 1e9 / iters))
