/* The workloads of workloads.ilo in hand-written C (numbers are double, as
 * in ilo), for run.sh. Build: cc -O2 workloads.c -o workloads
 * Usage: ./workloads NAME ARG... MS  -> prints "result ns_per_call".
 * Each workload is called through a volatile function pointer with volatile
 * arguments, so the compiler can neither inline it into the timing loop nor
 * hoist the call out of it as a pure function of constant arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef double (*workload)(double, double, double);

static double tot(double p, double q, double r) { double s = p * q; double t = s * r; return s + t; }

static double numeric(double n, double b, double c) {
  (void)b; (void)c;
  double s = 0, i = 1;
  while (i <= n) { s = s + i; i = i + 1; }
  return s;
}

static double fib1(double n) { if (n <= 1) return n; double a = fib1(n - 1); double b = fib1(n - 2); return a + b; }
static double fib(double n, double b, double c) { (void)b; (void)c; return fib1(n); }

static double cls(double x) {
  if (x >= 900) return 30;
  if (x >= 700) return 25;
  if (x >= 500) return 20;
  if (x >= 300) return 15;
  if (x >= 100) return 10;
  return 5;
}
static double guards(double n, double b, double c) {
  (void)b; (void)c;
  double s = 0;
  for (double i = 0; i < n; i++) { double k = cls(i); s = s + k; }
  return s;
}

/* A growing heap string, as the other languages build one: append "item-",
 * the number (printed like ilo's `str`: whole numbers without ".0"), ", ". */
static double strings(double n, double b, double c) {
  (void)b; (void)c;
  size_t len = 0, cap = 16;
  char *s = malloc(cap);
  char num[32];
  for (double i = 0; i < n; i++) {
    int k = i == (long)i ? snprintf(num, sizeof num, "%ld", (long)i) : snprintf(num, sizeof num, "%.17g", i);
    const char *parts[3] = {"item-", num, ", "};
    size_t lens[3] = {5, (size_t)k, 2};
    for (int j = 0; j < 3; j++) {
      if (len + lens[j] + 1 > cap) { while (len + lens[j] + 1 > cap) cap *= 2; s = realloc(s, cap); }
      memcpy(s + len, parts[j], lens[j]);
      len += lens[j];
    }
  }
  free(s);
  return (double)len;
}

struct pt { double x, y; };
static double records(double n, double b, double c) {
  (void)b; (void)c;
  double s = 0;
  for (double i = 0; i < n; i++) { struct pt p = {i, i * 2}; s = s + (p.x + p.y); }
  return s;
}

/* A heap list grown by doubling, then summed. */
static double foreach(double n, double b, double c) {
  (void)b; (void)c;
  size_t len = 0, cap = 4;
  double *xs = malloc(cap * sizeof *xs);
  for (double i = 0; i < n; i++) {
    if (len == cap) { cap *= 2; xs = realloc(xs, cap * sizeof *xs); }
    xs[len++] = i;
  }
  double s = 0;
  for (size_t k = 0; k < len; k++) s = s + xs[k];
  free(xs);
  return s;
}

static double dbl(double x) { return x * 2; }
static double inc(double x) { return x + 1; }
static double pipe(double n, double b, double c) {
  (void)b; (void)c;
  double s = 0;
  for (double i = 0; i < n; i++) { double v = inc(dbl(inc(dbl(i)))); s = s + v; }
  return s;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv) {
  static const struct { const char *name; workload f; } fns[] = {
    {"tot", tot}, {"numeric", numeric}, {"fib", fib}, {"guards", guards},
    {"strings", strings}, {"records", records}, {"foreach", foreach}, {"pipe", pipe},
  };
  if (argc < 3) { fprintf(stderr, "usage: %s NAME ARG... MS\n", argv[0]); return 2; }
  workload volatile f = NULL;
  for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++)
    if (strcmp(fns[k].name, argv[1]) == 0) f = fns[k].f;
  if (!f) { fprintf(stderr, "no workload %s\n", argv[1]); return 2; }
  volatile double a[3] = {0, 0, 0};
  for (int k = 2; k < argc - 1 && k < 5; k++) a[k - 2] = atof(argv[k]);
  double ms = atof(argv[argc - 1]);
  double r = f(a[0], a[1], a[2]);
  volatile double sink = 0;
  long iters = 0;
  double t0 = now_ns(), t;
  do {
    for (int k = 0; k < 10; k++) sink = f(a[0], a[1], a[2]);
    iters += 10;
    t = now_ns();
  } while (t - t0 < ms * 1e6);
  (void)sink;
  printf("%.17g %.0f\n", r, (t - t0) / iters);
  return 0;
}
