/*
 * aarch64 test harness for ilo's JIT output.
 *
 * Built with: aarch64-linux-gnu-gcc -O2 -static -o harness harness.c
 * Run under:  qemu-aarch64 harness CODE_FILE [ARG...]
 *        or:  qemu-aarch64 harness CODE_FILE --batch NARGS < ARG_LINES
 *
 * Reads raw AArch64 machine code from CODE_FILE, maps it into a fresh
 * page-aligned region (written while RW, then flipped to R+X: never W and X
 * at the same time), clears the instruction cache and calls it as
 * `double f(double, ...)` with 0..=8 double arguments parsed by strtod.
 * Under AAPCS64 these arrive in d0-d7 and the result comes back in d0.
 *
 * Output: the result's IEEE-754 bit pattern as 16 lowercase hex digits and a
 * newline on stdout; exit status 0.  Bad usage or I/O failure: a message on
 * stderr, exit status 2.  If the code crashes, the process dies of that signal
 * (core dumps are disabled).  A watchdog alarm kills a run that does not
 * return within ILO_HARNESS_TIMEOUT seconds (default 30; 0 disables it), so
 * the process then dies of SIGALRM.
 *
 * Batch mode (`--batch NARGS`) maps the code once and calls it once per line
 * of stdin, each line holding NARGS arguments as 16-hex-digit IEEE-754 bit
 * patterns separated by spaces (so a NaN's sign and payload reach the code
 * exactly); it prints one result line per input line, as above. The
 * watchdog covers the whole batch.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define MAX_ARGS 8
#define DEFAULT_TIMEOUT_SECS 30

typedef double (*fn0)(void);
typedef double (*fn1)(double);
typedef double (*fn2)(double, double);
typedef double (*fn3)(double, double, double);
typedef double (*fn4)(double, double, double, double);
typedef double (*fn5)(double, double, double, double, double);
typedef double (*fn6)(double, double, double, double, double, double);
typedef double (*fn7)(double, double, double, double, double, double, double);
typedef double (*fn8)(double, double, double, double, double, double, double,
                      double);

static int usage(const char *prog, const char *why) {
    fprintf(stderr, "harness: %s\n", why);
    fprintf(stderr, "usage: %s CODE_FILE [ARG...]   (at most %d double ARGs)\n",
            prog, MAX_ARGS);
    fprintf(stderr, "       %s CODE_FILE --batch NARGS < ARG_LINES\n", prog);
    return 2;
}

/* Calls the code with nargs (0..=MAX_ARGS) arguments. */
static double call_code(void *mem, int nargs, const double *a) {
    switch (nargs) {
    case 0: return ((fn0)mem)();
    case 1: return ((fn1)mem)(a[0]);
    case 2: return ((fn2)mem)(a[0], a[1]);
    case 3: return ((fn3)mem)(a[0], a[1], a[2]);
    case 4: return ((fn4)mem)(a[0], a[1], a[2], a[3]);
    case 5: return ((fn5)mem)(a[0], a[1], a[2], a[3], a[4]);
    case 6: return ((fn6)mem)(a[0], a[1], a[2], a[3], a[4], a[5]);
    case 7: return ((fn7)mem)(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    default:
        return ((fn8)mem)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
    }
}

/* Prints the result's bits; 0, or 2 if stdout fails. */
static int print_bits(double r) {
    uint64_t bits;
    memcpy(&bits, &r, sizeof bits);
    printf("%016" PRIx64 "\n", bits);
    if (ferror(stdout)) {
        fprintf(stderr, "harness: cannot write result: %s\n", strerror(errno));
        return 2;
    }
    return 0;
}

/* Batch mode: one call per line of stdin (see the top of the file). */
static int run_batch(void *mem, int nargs) {
    char line[32 * (MAX_ARGS + 1)];
    unsigned long lineno = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(stdin)) {
            fprintf(stderr, "harness: line %lu too long\n", lineno);
            return 2;
        }
        double a[MAX_ARGS] = {0};
        const char *p = line;
        for (int i = 0; i < nargs; i++) {
            char *end = NULL;
            errno = 0;
            uint64_t bits = strtoull(p, &end, 16);
            if (end == p || errno != 0) {
                fprintf(stderr, "harness: line %lu: argument %d is not hex bits\n",
                        lineno, i + 1);
                return 2;
            }
            memcpy(&a[i], &bits, sizeof bits);
            p = end;
        }
        while (*p == ' ' || *p == '\n')
            p++;
        if (*p != '\0') {
            fprintf(stderr, "harness: line %lu: more than %d arguments\n", lineno,
                    nargs);
            return 2;
        }
        if (print_bits(call_code(mem, nargs, a)) != 0)
            return 2;
    }
    if (ferror(stdin)) {
        fprintf(stderr, "harness: cannot read stdin: %s\n", strerror(errno));
        return 2;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "harness: cannot write result: %s\n", strerror(errno));
        return 2;
    }
    return 0;
}

/* Reads the whole file into a malloc'd buffer. Returns NULL on failure. */
static unsigned char *read_file(const char *path, size_t *len_out) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "harness: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        fprintf(stderr, "harness: out of memory\n");
        return NULL;
    }
    for (;;) {
        if (len == cap) {
            unsigned char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(f);
                fprintf(stderr, "harness: out of memory\n");
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                fprintf(stderr, "harness: cannot read %s: %s\n", path,
                        strerror(errno));
                free(buf);
                fclose(f);
                return NULL;
            }
            break;
        }
    }
    fclose(f);
    *len_out = len;
    return buf;
}

int main(int argc, char **argv) {
    const char *prog = argc > 0 ? argv[0] : "harness";
    if (argc < 2)
        return usage(prog, "missing CODE_FILE");
    int batch = argc >= 3 && strcmp(argv[2], "--batch") == 0;
    int nargs = argc - 2;
    if (batch) {
        char *end = NULL;
        long n = argc == 4 ? strtol(argv[3], &end, 10) : -1;
        if (argc != 4 || end == argv[3] || *end != '\0' || n < 0 || n > MAX_ARGS)
            return usage(prog, "bad --batch NARGS");
        nargs = (int)n;
    }
    if (nargs > MAX_ARGS)
        return usage(prog, "too many arguments");

    double a[MAX_ARGS] = {0};
    for (int i = 0; !batch && i < nargs; i++) {
        const char *s = argv[i + 2];
        char *end = NULL;
        errno = 0;
        a[i] = strtod(s, &end);
        /* ERANGE is fine: strtod still returns the correctly rounded value
         * (subnormal, zero or infinity), which is what we want. */
        if (end == s || *end != '\0') {
            fprintf(stderr, "harness: not a number: '%s'\n", s);
            return usage(prog, "bad ARG");
        }
    }

    unsigned timeout = DEFAULT_TIMEOUT_SECS;
    const char *t = getenv("ILO_HARNESS_TIMEOUT");
    if (t && *t) {
        char *end = NULL;
        unsigned long v = strtoul(t, &end, 10);
        if (end == t || *end != '\0' || v > 1000000UL)
            return usage(prog, "bad ILO_HARNESS_TIMEOUT");
        timeout = (unsigned)v;
    }

    /* A crash in the code under test must not leave core files around
     * (qemu-user honours the guest's RLIMIT_CORE). */
    struct rlimit no_core = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &no_core);

    size_t len = 0;
    unsigned char *bytes = read_file(argv[1], &len);
    if (!bytes)
        return 2;
    if (len == 0) {
        free(bytes);
        return usage(prog, "CODE_FILE is empty");
    }

    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        page = 4096;
    size_t map_len = (len + (size_t)page - 1) / (size_t)page * (size_t)page;
    void *mem = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        fprintf(stderr, "harness: mmap: %s\n", strerror(errno));
        free(bytes);
        return 2;
    }
    memcpy(mem, bytes, len);
    free(bytes);
    if (mprotect(mem, map_len, PROT_READ | PROT_EXEC) != 0) {
        fprintf(stderr, "harness: mprotect: %s\n", strerror(errno));
        return 2;
    }
    __builtin___clear_cache((char *)mem, (char *)mem + len);

    if (timeout)
        alarm(timeout);

    if (batch)
        return run_batch(mem, nargs);
    if (print_bits(call_code(mem, nargs, a)) != 0)
        return 2;
    if (fflush(stdout) != 0) {
        fprintf(stderr, "harness: cannot write result: %s\n", strerror(errno));
        return 2;
    }
    return 0;
}
