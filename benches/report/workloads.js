// The workloads of workloads.ilo in hand-written JavaScript, for run.sh.
// Usage: node workloads.js NAME ARG... MS  -> prints "result ns_per_call".
// The call is timed in-process until MS milliseconds have passed; results
// feed a sink so the JIT cannot drop the calls as dead code.
"use strict";
function tot(p, q, r) { const s = p * q; const t = s * r; return s + t; }
function numeric(n) { let s = 0; let i = 1; while (i <= n) { s = s + i; i = i + 1; } return s; }
function fib(n) { if (n <= 1) return n; const a = fib(n - 1); const b = fib(n - 2); return a + b; }
function cls(x) {
  if (x >= 900) return 30; if (x >= 700) return 25; if (x >= 500) return 20;
  if (x >= 300) return 15; if (x >= 100) return 10; return 5;
}
function guards(n) { let s = 0; for (let i = 0; i < n; i++) { const c = cls(i); s = s + c; } return s; }
function strings(n) {
  let s = "";
  for (let i = 0; i < n; i++) { s = s + "item-"; s = s + String(i); s = s + ", "; }
  return s.length;
}
function records(n) {
  let s = 0;
  for (let i = 0; i < n; i++) { const p = { x: i, y: i * 2 }; s = s + (p.x + p.y); }
  return s;
}
function foreach(n) {
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(i);
  let s = 0;
  for (const x of xs) s = s + x;
  return s;
}
function dbl(x) { return x * 2; }
function inc(x) { return x + 1; }
function pipe(n) { let s = 0; for (let i = 0; i < n; i++) { const v = inc(dbl(inc(dbl(i)))); s = s + v; } return s; }

const fns = { tot, numeric, fib, guards, strings, records, foreach, pipe };
const argv = process.argv.slice(2);
const f = fns[argv[0]];
const ms = Number(argv[argv.length - 1]);
const [a, b, c] = argv.slice(1, -1).map(Number);
const r = f(a, b, c);
let iters = 0, sink = 0;
const t0 = process.hrtime.bigint();
const budget = BigInt(Math.round(ms * 1e6));
while (process.hrtime.bigint() - t0 < budget) {
  for (let k = 0; k < 10; k++) sink += f(a, b, c);
  iters += 10;
}
const ns = Number(process.hrtime.bigint() - t0) / iters;
if (sink === -1) console.log("unreachable");
console.log(String(r), Math.round(ns));
