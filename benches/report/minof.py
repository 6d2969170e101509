"""Compares ilo binaries (say, before and after a change) with C and LuaJIT
on the workloads the JIT issues name, on a machine whose timings wander:
every measurement is repeated ROUNDS times, alternating between the
programs, and the minimum of each is kept (the least-disturbed run).
Prints a markdown table of ns per call. Results are checked as in report.py.
Usage: python3 minof.py ROUNDS MS C_BINARY ILO [ILO ...]
  e.g. cc -O2 -o /tmp/wc benches/report/workloads.c
       python3 benches/report/minof.py 5 150 /tmp/wc /tmp/ilo-before target/release/ilo"""
import subprocess, sys

from report import ILO_FILE, fail, log, others as languages, parse_bench, workloads

# The workloads issue 9 and 11 set goals for, and the layers compared.
CALLS = ["tot", "numeric", "fib", "guards", "pipe"]
LAYERS = ["Register VM (reused)", "JIT (x86_64)", "Cranelift JIT", "LLVM JIT"]


def measure(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def main():
    rounds, ms, c_binary, ilos = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
    others = [(col, cmd) for col, cmd, _ in languages(c_binary) if col in ("C (cc -O2)", "LuaJIT")]
    columns = [name for name, _ in others]
    columns += [f"{layer} [{i}]" for layer in LAYERS for i in range(len(ilos))]
    best = {}
    for call, want in workloads():
        if call[0] not in CALLS:
            continue
        log(f"{call[0]}: {rounds} rounds")
        for _ in range(rounds):
            for name, cmd in others:
                got, ns = measure(cmd + call + [ms]).split()
                if got != want:
                    fail(f"{name} gives {got} for {' '.join(call)}, expected {want}")
                key = (call[0], name)
                best[key] = min(best.get(key, float("inf")), float(ns))
            for i, ilo in enumerate(ilos):
                out = measure([ilo, "--bench", "--bench-ms", ms, ILO_FILE] + call)
                for layer, (got, ns) in parse_bench(out).items():
                    if layer not in LAYERS or got is None:
                        continue
                    if got != want:
                        fail(f"{ilo} {layer} gives {got} for {' '.join(call)}, expected {want}")
                    key = (call[0], f"{layer} [{i}]")
                    best[key] = min(best.get(key, float("inf")), ns)
    columns = [c for c in columns if any(k[1] == c for k in best)]
    print("| workload | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for call in CALLS:
        cells = [best.get((call, c)) for c in columns]
        print(f"| {call} | " + " | ".join("" if v is None else f"{v:,.0f}" if v >= 100 else f"{v:.1f}" for v in cells) + " |")
    for i, ilo in enumerate(ilos):
        print(f"\n[{i}] = {ilo}")


if __name__ == "__main__":
    main()
