#!/usr/bin/env bash
# The cross-language report (issue 10): tot and seven workloads on every ilo
# layer and, where installed, CPython, PyPy, Lua 5.4, LuaJIT, Node and C
# (cc -O2). Every result is checked; writes benches/report/out/report.md,
# report.json and report.svg (a log-scale chart). Needs only bash, cargo and
# python3. Usage: bash benches/report/run.sh [MS per measurement, default 250]
set -euo pipefail
cd "$(dirname "$0")/../.."
ms="${1:-250}"
# With LLVM 19 installed, ilo is built with its LLVM backend (the `LLVM JIT`
# column); without it, that column says how to get it.
features=()
if [ -x /usr/lib/llvm-19/bin/llvm-config ]; then
  features=(--features llvm)
fi
echo "building target/release/ilo ${features[*]}" >&2
cargo build --release -q -p ilo-cli "${features[@]}"
mkdir -p benches/report/out
cbin=""
if command -v cc >/dev/null; then
  cbin=benches/report/out/workloads-c
  cc -O2 -o "$cbin" benches/report/workloads.c
fi
python3 benches/report/report.py "${CARGO_TARGET_DIR:-target}/release/ilo" "$cbin" "$ms"
python3 benches/report/chart.py benches/report/out/report.json benches/report/out/report.svg
