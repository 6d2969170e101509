#!/usr/bin/env bash
# The register-VM workloads (workloads.ilo) on every ilo layer and, where
# installed, Lua 5.4, LuaJIT and CPython (workloads.lua, workloads.py), in
# one run: a Markdown table of nanoseconds per call. Every language must
# return the same result. Usage: benches/vm/run.sh [MS per measurement]
set -euo pipefail
cd "$(dirname "$0")/../.."
ms="${1:-500}"
cargo build --release -q -p ilo-cli
ilo=target/release/ilo
layers=("Tree interpreter" "Stack VM" "Register VM" "Register VM (reused)" "JIT (x86_64)" "Cranelift JIT" "Python (transpiled)")
others=()
for l in lua5.4 luajit python3; do command -v "$l" >/dev/null && others+=("$l"); done
printf '| workload |'; for l in "${layers[@]}" "${others[@]}"; do printf ' %s |' "$l"; done; echo
printf '|---|'; for _ in "${layers[@]}" "${others[@]}"; do printf -- '---|'; done; echo
for w in "numeric 1000" "fib 20" "guards 1000" "pipe 1000"; do
  bench=$("$ilo" --bench --bench-ms "$ms" benches/vm/workloads.ilo $w)
  want=$("$ilo" --run-vm benches/vm/workloads.ilo $w)
  printf '| %s |' "$w"
  for l in "${layers[@]}"; do
    ns=$(awk -v l="$l" '$0 == l {f=1; next} f && /per call/ {print $3; exit} f && /skipped/ {print "—"; exit}' <<<"$bench")
    printf ' %s |' "${ns:-—}"
  done
  for l in "${others[@]}"; do
    case "$l" in python3) out=$(python3 benches/vm/workloads.py $w "$ms");; *) out=$("$l" benches/vm/workloads.lua $w "$ms");; esac
    got=${out% *}
    if [ "$got" != "$want" ]; then echo "$l gives $got for $w, ilo $want" >&2; exit 1; fi
    printf ' %s |' "${out#* }"
  done
  echo
done
