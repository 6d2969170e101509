"""Measures workloads.ilo on every ilo layer (via `ilo --bench`) and the
hand-written equivalents in the other languages that are installed, checks
every result against the `-- out:` line, and writes out/report.{md,json}.
Called by run.sh, which builds ilo and the C program first.
Usage: python3 report.py ILO C_BINARY MS"""
import json, os, platform, re, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
ILO_FILE = os.path.join(HERE, "workloads.ilo")
# The issue names the workloads; the ilo functions are named so no name
# collides with a builtin (`str`) and fib keeps its usual name.
LABELS = {"fib": "recurse", "strings": "string", "records": "record"}
# `ilo --bench` layers, in the order it prints them.
ILO_LAYERS = ["Tree interpreter", "Stack VM", "Register VM", "Register VM (reused)",
              "JIT (x86_64)", "Cranelift JIT", "LLVM JIT", "Python (transpiled)"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def workloads():
    """The (call, expected output) pairs of workloads.ilo's `-- run:`/`-- out:` lines."""
    runs, outs = [], []
    for line in open(ILO_FILE):
        if line.startswith("-- run:"):
            runs.append(line[7:].split())
        elif line.startswith("-- out:"):
            outs.append(line[7:].strip())
    assert len(runs) == len(outs), "every -- run: line needs an -- out: line"
    return list(zip(runs, outs))


def parse_bench(text):
    """`ilo --bench`'s text report -> {layer: (result, ns) or (None, why skipped)}.
    A layer is an unindented line; its `result:`/`per call:`/`skipped:` lines
    follow, indented. The summary after `speed-up` is ignored."""
    rows, layer = {}, None
    for line in text.splitlines():
        if line.startswith("speed-up"):
            break
        if line and not line.startswith(" ") and not line.startswith("bench "):
            layer = line.strip()
            rows[layer] = [None, None]
        elif layer and line.strip().startswith("result:"):
            rows[layer][0] = line.split(":", 1)[1].strip()
        elif layer and line.strip().startswith("per call:"):
            rows[layer][1] = float(line.split(":", 1)[1].split()[0])
        elif layer and line.strip().startswith("skipped:"):
            rows[layer] = [None, line.split(":", 1)[1].strip()]
    return rows


def version(cmd):
    """First line a tool prints about its version, for the report's footer."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return ((p.stdout or p.stderr).strip().splitlines() or ["?"])[0]
    except OSError:
        return "?"


def others(c_binary):
    """The other languages: (column, command prefix, version) for those installed."""
    wanted = [("CPython", "python3", ["--version"], "workloads.py"),
              ("PyPy", "pypy3", ["--version"], "workloads.py"),
              ("Lua 5.4", "lua5.4", ["-v"], "workloads.lua"),
              ("LuaJIT", "luajit", ["-v"], "workloads.lua"),
              ("Node", "node", ["--version"], "workloads.js")]
    found = []
    for col, exe, vflag, script in wanted:
        if shutil.which(exe):
            found.append((col, [exe, os.path.join(HERE, script)], version([exe] + vflag)))
        else:
            log(f"skip {col}: `{exe}` is not installed")
    if c_binary and os.path.exists(c_binary):
        found.append(("C (cc -O2)", [c_binary], version(["cc", "--version"])))
    else:
        log("skip C: `cc` is not installed")
    return found


def fail(msg):
    log(f"FAIL: {msg}")
    sys.exit(1)


def main():
    ilo, c_binary, ms = sys.argv[1], sys.argv[2], sys.argv[3]
    langs = others(c_binary)
    columns = ILO_LAYERS + [col for col, _, _ in langs]
    results = []
    for call, want in workloads():
        name = LABELS.get(call[0], call[0])
        row = {"workload": name, "call": " ".join(call), "result": want, "ns": {}, "skipped": {}}
        log(f"{name}: ilo --bench {' '.join(call)} (every layer, {ms} ms each)")
        p = subprocess.run([ilo, "--bench", "--bench-ms", ms, ILO_FILE] + call, capture_output=True, text=True)
        if p.returncode != 0:
            fail(f"ilo --bench {' '.join(call)} exited {p.returncode}: {p.stderr.strip()}")
        for layer, (got, ns) in parse_bench(p.stdout).items():
            if layer not in columns:
                fail(f"unknown ilo layer {layer!r}: update ILO_LAYERS in report.py")
            if got is None:
                row["skipped"][layer] = ns
                log(f"  {layer:<22} skipped: {ns}")
                continue
            if got != want:
                fail(f"{layer} gives {got} for {' '.join(call)}, expected {want}")
            row["ns"][layer] = ns
            log(f"  {layer:<22} {ns:>12,.1f} ns")
        for col, cmd, _ in langs:
            p = subprocess.run(cmd + call + [ms], capture_output=True, text=True)
            if p.returncode != 0:
                fail(f"{col} on {' '.join(call)} exited {p.returncode}: {p.stderr.strip()}")
            got, ns = p.stdout.split()
            if got != want:
                fail(f"{col} gives {got} for {' '.join(call)}, expected {want}")
            row["ns"][col] = float(ns)
            log(f"  {col:<22} {float(ns):>12,.1f} ns")
        results.append(row)

    os.makedirs(OUT, exist_ok=True)
    meta = {
        "ms_per_measurement": int(ms),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {platform.system()} {platform.release()}, {os.cpu_count()} CPUs",
        "ilo": version([ilo, "--version"]),
        "versions": {col: v for col, _, v in langs},
    }
    # Only columns with at least one measurement (e.g. no empty PyPy column).
    columns = [c for c in columns if any(c in r["ns"] for r in results)]
    with open(os.path.join(OUT, "report.json"), "w") as f:
        json.dump({"meta": meta, "columns": columns, "ilo_layers": ILO_LAYERS, "rows": results}, f, indent=2)
    with open(os.path.join(OUT, "report.md"), "w") as f:
        f.write(markdown(meta, columns, results))
    log(f"wrote {os.path.relpath(OUT)}/report.md and report.json")


def fmt_ns(ns):
    return f"{ns:,.0f}" if ns >= 100 else f"{ns:.1f}"


def markdown(meta, columns, rows):
    head = [("ilo " + c if c in ILO_LAYERS else c) for c in columns]
    out = ["# ilo cross-language benchmark", "",
           "Nanoseconds per call (lower is better); every language returns the same result.",
           "`ilo` columns are its layers (`ilo --bench`); the others are hand-written",
           "equivalents in `benches/report/workloads.{py,lua,js,c}`, each timed in-process. "
           "— means the layer does not run that workload (the reason is in report.json).", "",
           "| workload | call | result | " + " | ".join(head) + " |",
           "|---|---|---:|" + "---:|" * len(columns)]
    for r in rows:
        cells = [fmt_ns(r["ns"][c]) if c in r["ns"] else "—" for c in columns]
        out.append(f"| {r['workload']} | `{r['call']}` | {r['result']} | " + " | ".join(cells) + " |")
    out += ["", f"{meta['date']}; {meta['machine']}; {meta['ms_per_measurement']} ms per measurement; {meta['ilo']}."]
    out += [""] + [f"- {col}: {v}" for col, v in meta["versions"].items()]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
