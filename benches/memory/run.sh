#!/usr/bin/env bash
# The memory issue's figures in one run: per-call times of the string,
# record and foreach workloads on every layer (`ilo --bench`) next to
# Lua 5.4, then peak RSS and wall time of the append and text loops.
#
#   bash benches/memory/run.sh [ILO_BINARY] [OTHER_ILO_BINARY]
#
# A second binary (e.g. a build of an older commit) is measured the same
# way, for before/after tables. Needs lua5.4 for the Lua column.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bins=("${1:-$here/../../target/release/ilo}")
[ $# -ge 2 ] && bins+=("$2")
work=$here/workloads.ilo

per_call() { # binary function arg -> "layer: ns" lines
  "$1" --bench --bench-ms 500 "$work" "$2" "$3" |
    awk '/^[A-Z]/ && !/speed-up/ {layer=$0} /per call:/ {print "  " layer ": " $3 " ns"}'
}
peak() { # binary engine source [arg] -> "seconds s, KB KB"
  timeout 60 /usr/bin/time -f "%e s, %M KB" "$@" 2>&1 >/dev/null | tail -1
}

for bin in "${bins[@]}"; do
  echo "== $bin"
  for w in "str1 100" "rec 100" "fe 100"; do
    echo "$w:"; per_call "$bin" $w
  done
  append='f n:n>n;r=[];@i 0..n{r=+=r i};len r'
  text='f n:n>n;i=0;wh <i n{t=+"abc" (str i);i=+i 1};i'
  strs='f n:n>n;@i 0..n{t=str i};n'
  for e in --run-tree --run-stack --run-vm --run-jit; do
    echo "append 1e6 $e: $(peak "$bin" $e "$append" 1000000)"
  done
  for e in --run-tree --run-stack --run-vm --run-jit; do
    echo "text 1e7 $e: $(peak "$bin" $e "$text" 10000000)"
    echo "str 1e7 $e: $(peak "$bin" $e "$strs" 10000000)"
  done
  for e in --run-tree --run-stack --run-vm --run-jit; do
    echo "double 60x $e: $(peak "$bin" $e 'f>n;s="ab";@i 0..60{s=+s s};len s')"
  done
done
if command -v lua5.4 >/dev/null; then
  echo "== lua5.4"; lua5.4 "$here/workloads.lua"
fi
