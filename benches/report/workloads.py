"""The workloads of workloads.ilo in hand-written Python, for run.sh.
Usage: python3 workloads.py NAME ARG... MS  -> prints "result ns_per_call".
The call is timed in-process, in batches, until MS milliseconds have passed,
so process start-up is not counted (as in ilo --bench)."""
import sys, time


def tot(p, q, r):
    s = p * q
    t = s * r
    return s + t


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


def strings(n):
    s = ""
    for i in range(n):
        s = s + "item-"; s = s + str(i); s = s + ", "
    return len(s)


class Pt:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x; self.y = y


def records(n):
    s = 0
    for i in range(n):
        p = Pt(i, i * 2); s = s + (p.x + p.y)
    return s


def foreach(n):
    xs = []
    for i in range(n):
        xs.append(i)
    s = 0
    for x in xs:
        s = s + x
    return s


def dbl(x): return x * 2
def inc(x): return x + 1


def pipe(n):
    s = 0
    for i in range(n):
        v = inc(dbl(inc(dbl(i)))); s = s + v
    return s


f = globals()[sys.argv[1]]
args = [int(a) for a in sys.argv[2:-1]]
ms = float(sys.argv[-1])
r = f(*args)
iters = 0
t0 = time.perf_counter()
while time.perf_counter() - t0 < ms / 1000:
    for _ in range(10):
        f(*args)
    iters += 10
print(r, round((time.perf_counter() - t0) * 1e9 / iters))
