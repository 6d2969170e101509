/*
 * aarch64 test harness for ilo's JIT output.
 *
 * Built with: aarch64-linux-gnu-gcc -O2 -static -o harness harness.c
 * Run under:  qemu-aarch64 harness CODE_FILE [ARG...]
 *        or:  qemu-aarch64 harness CODE_FILE --batch NARGS < ARG_LINES
 *
 * Reads raw AArch64 machine code from CODE_FILE, maps it into a fresh
 * page-aligned region (written while RW, then flipped to R+X: never W and X
 * at the same time), clears the instruction cache and calls its entry at
 * offset 0 as ilo's JIT lays it out (ilo-runtime/src/jit/abi.rs):
 *
 *     uint32_t entry(struct ctx *ctx, const uint64_t *args);
 *     struct ctx { uint64_t steps_left, depth_left, result; };
 *
 * with 0..=8 arguments (a value's bits each) parsed by strtod; the context
 * has no limits.
 *
 * Output: the status in decimal, a space, and the result's bit pattern as 16
 * lowercase hex digits and a newline on stdout; exit status 0.  Bad usage or
 * I/O failure: a message on stderr, exit status 2.  If the code crashes, the
 * process dies of that signal (core dumps are disabled).  A watchdog alarm
 * kills a run that does not return within ILO_HARNESS_TIMEOUT seconds
 * (default 30; 0 disables it), so the process then dies of SIGALRM.
 *
 * Batch mode (`--batch NARGS`) maps the code once and calls it once per line
 * of stdin, each line holding the steps left, the depth left and NARGS
 * arguments as 16-hex-digit words separated by spaces (so a NaN's sign and
 * payload reach the code exactly); it prints one output line per input line,
 * as above. The watchdog covers the whole batch.
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

struct ctx {
    uint64_t steps_left, depth_left, result;
};
typedef uint32_t (*entry_fn)(struct ctx *, const uint64_t *);

static int usage(const char *prog, const char *why) {
    fprintf(stderr, "harness: %s\n", why);
    fprintf(stderr, "usage: %s CODE_FILE [ARG...]   (at most %d double ARGs)\n",
            prog, MAX_ARGS);
    fprintf(stderr, "       %s CODE_FILE --batch NARGS < ARG_LINES\n", prog);
    return 2;
}

/* Calls the entry within the limits and prints "STATUS RESULTBITS"; 0, or
 * 2 if stdout fails. */
static int call_and_print(void *mem, uint64_t steps, uint64_t depth,
                          const uint64_t *args) {
    struct ctx ctx = {steps, depth, 0};
    uint32_t status = ((entry_fn)mem)(&ctx, args);
    printf("%" PRIu32 " %016" PRIx64 "\n", status, ctx.result);
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
        uint64_t w[MAX_ARGS + 2] = {0};
        const char *p = line;
        for (int i = 0; i < nargs + 2; i++) {
            char *end = NULL;
            errno = 0;
            uint64_t bits = strtoull(p, &end, 16);
            if (end == p || errno != 0) {
                fprintf(stderr, "harness: line %lu: word %d is not hex bits\n",
                        lineno, i + 1);
                return 2;
            }
            w[i] = bits;
            p = end;
        }
        while (*p == ' ' || *p == '\n')
            p++;
        if (*p != '\0') {
            fprintf(stderr, "harness: line %lu: more than %d arguments\n", lineno,
                    nargs);
            return 2;
        }
        if (call_and_print(mem, w[0], w[1], w + 2) != 0)
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

    uint64_t a[MAX_ARGS] = {0};
    for (int i = 0; !batch && i < nargs; i++) {
        const char *s = argv[i + 2];
        char *end = NULL;
        errno = 0;
        double x = strtod(s, &end);
        memcpy(&a[i], &x, sizeof x);
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
    if (call_and_print(mem, UINT64_MAX, UINT64_MAX, a) != 0)
        return 2;
    if (fflush(stdout) != 0) {
        fprintf(stderr, "harness: cannot write result: %s\n", strerror(errno));
        return 2;
    }
    return 0;
}
