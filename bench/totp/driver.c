/*
 * driver.c -- bench/totp's C side: writes the inputs, and times Gatehouse's gh_totp_verify and
 * liboath's oath_totp_validate on them in one process (run.sh builds it against build-release's
 * static library and Debian's liboath).
 *
 * Usage:
 *   driver gen N SEED          prints N inputs, "<kind>\t<secret hex>\t<now>\t<code>" a line, in
 *                              kinds now, prev, next, wrong taking turns: a random 160-bit
 *                              secret (libsodium's seeded generator, so a seed gives the same
 *                              bytes anywhere), a time in 2020..2030, and the 6-digit SHA-1 code
 *                              of now's step, the one before, the one after (made by liboath's
 *                              oath_totp_generate), or 6 digits that are no code of those three
 *   driver run INPUTS MIN_S    checks every input with both (each must accept now, prev and next
 *                              and refuse wrong, or the run fails), then for the mix and for each
 *                              kind alone, runs each side over the inputs again and again until
 *                              MIN_S seconds have passed and divides; prints key=value lines
 *
 * Both sides get the same arguments: the secret as 20 raw bytes (decoded before timing), the time,
 * 30 s steps, a window of one step either side, the code as text.  Gatehouse is given no last
 * step (GH_TOTP_NO_STEP): liboath has none, and the store's update is not what is measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <oath.h>
#include <sodium.h>

#include <gatehouse/totp.h>
#include <gatehouse/util.h>

#define KINDS 4

static const char *const kind_names[KINDS] = {"now", "prev", "next", "wrong"};

struct input {
    int kind;
    uint8_t secret[GH_TOTP_SECRET_LEN];
    int64_t now;
    char code[GH_TOTP_CODE_SIZE];
};

struct inputs {
    struct input *v;
    size_t n;
};

static double
clock_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
die(const char *what)
{
    fprintf(stderr, "driver: %s\n", what);
    exit(1);
}

/* ---- gen ---- */

static void
gen(unsigned long n, unsigned long seed)
{
    uint8_t key[randombytes_SEEDBYTES] = {0};
    uint8_t *stream;
    size_t per = GH_TOTP_SECRET_LEN + 8 + 4;

    for (size_t i = 0; i < sizeof(seed); i++) {
        key[i] = (uint8_t)(seed >> (8 * i));
    }
    stream = malloc(n * per + 1);
    if (stream == NULL) {
        die("out of memory");
    }
    randombytes_buf_deterministic(stream, n * per, key);
    for (unsigned long i = 0; i < n; i++) {
        const uint8_t *r = stream + i * per;
        int kind = (int)(i % KINDS);
        uint64_t span = 0;
        int64_t now;
        char hex[2 * GH_TOTP_SECRET_LEN + 1], code[16];
        uint32_t guess = 0;

        memcpy(&span, r + GH_TOTP_SECRET_LEN, 8);
        memcpy(&guess, r + GH_TOTP_SECRET_LEN + 8, 4);
        now = 1577836800 + (int64_t)(span % (10ULL * 365 * 86400)); /* 2020-01-01 + 10 years */
        sodium_bin2hex(hex, sizeof(hex), r, GH_TOTP_SECRET_LEN);
        if (kind < 3) {
            int64_t at = now + (kind == 1 ? -30 : kind == 2 ? 30 : 0);

            if (oath_totp_generate((const char *)r, GH_TOTP_SECRET_LEN, (time_t)at, 30, 0, 6,
                                   code) != OATH_OK) {
                die("oath_totp_generate failed");
            }
        } else {
            /* 6 digits that are none of the window's codes (try the next number until so). */
            for (;; guess++) {
                char w[16];
                int clash = 0;

                snprintf(code, sizeof(code), "%06u", (unsigned)(guess % 1000000));
                for (int d = -1; d <= 1; d++) {
                    if (oath_totp_generate((const char *)r, GH_TOTP_SECRET_LEN,
                                           (time_t)(now + 30 * d), 30, 0, 6, w) != OATH_OK) {
                        die("oath_totp_generate failed");
                    }
                    clash |= strcmp(w, code) == 0;
                }
                if (!clash) {
                    break;
                }
            }
        }
        printf("%s\t%s\t%lld\t%s\n", kind_names[kind], hex, (long long)now, code);
    }
    free(stream);
}

/* ---- run ---- */

static void
inputs_read(const char *path, struct inputs *in)
{
    FILE *f = fopen(path, "r");
    char line[256];
    size_t cap = 1024;

    if (f == NULL) {
        die("cannot open the inputs");
    }
    in->n = 0;
    in->v = malloc(cap * sizeof(*in->v));
    while (in->v != NULL && fgets(line, sizeof(line), f) != NULL) {
        char kind[16], hex[64], code[16];
        long long now;
        struct input *x;
        size_t bin_len = 0;
        int k;

        if (sscanf(line, "%15s %63s %lld %15s", kind, hex, &now, code) != 4 || strlen(code) != 6) {
            die("malformed input line");
        }
        if (in->n == cap) {
            struct input *bigger = realloc(in->v, 2 * cap * sizeof(*in->v));

            if (bigger == NULL) {
                die("out of memory");
            }
            in->v = bigger;
            cap *= 2;
        }
        x = &in->v[in->n++];
        for (k = 0; k < KINDS && strcmp(kind, kind_names[k]) != 0; k++) {
        }
        if (k == KINDS ||
            sodium_hex2bin(x->secret, sizeof(x->secret), hex, strlen(hex), NULL, &bin_len, NULL) !=
                0 ||
            bin_len != sizeof(x->secret)) {
            die("malformed input line");
        }
        x->kind = k;
        x->now = now;
        snprintf(x->code, sizeof(x->code), "%s", code);
    }
    fclose(f);
    if (in->v == NULL || in->n == 0) {
        die("no inputs");
    }
}

/* 1 when Gatehouse accepts x (nothing replayed), 0 when it refuses it. */
static int
gatehouse_accepts(const struct gh_totp_params *p, const struct input *x)
{
    enum gh_totp_verdict v = GH_TOTP_WRONG;
    int64_t step = 0;

    if (gh_totp_verify(p, x->secret, sizeof(x->secret), x->code, x->now, GH_TOTP_NO_STEP, &v,
                       &step) != GH_OK) {
        die("gh_totp_verify failed");
    }
    return v == GH_TOTP_MATCH;
}

/* 1 when liboath accepts x, 0 when it refuses it. */
static int
liboath_accepts(const struct input *x)
{
    int rc = oath_totp_validate((const char *)x->secret, sizeof(x->secret), (time_t)x->now, 30, 0,
                                1, x->code);

    if (rc < 0 && rc != OATH_INVALID_OTP) {
        die("oath_totp_validate failed");
    }
    return rc >= 0;
}

/* Every input of kind (or of every kind: -1), once; returns how many were accepted. */
static long
pass(int side, const struct gh_totp_params *p, const struct inputs *in, int kind, long *count)
{
    long accepted = 0;

    for (size_t i = 0; i < in->n; i++) {
        const struct input *x = &in->v[i];

        if (kind >= 0 && x->kind != kind) {
            continue;
        }
        accepted += side == 0 ? gatehouse_accepts(p, x) : liboath_accepts(x);
        (*count)++;
    }
    return accepted;
}

/* Verifications per second of side over the inputs of kind, for at least min_s seconds. */
static double
rate(int side, const struct gh_totp_params *p, const struct inputs *in, int kind, double min_s,
     long *sink)
{
    long count = 0;
    double t0 = clock_s(), t;

    do {
        *sink += pass(side, p, in, kind, &count);
        t = clock_s() - t0;
    } while (t < min_s);
    return (double)count / t;
}

static void
run(const char *path, double min_s)
{
    struct gh_totp_params p = GH_TOTP_PARAMS_DEFAULT;
    static const char *const sides[] = {"gatehouse", "liboath"};
    struct inputs in;
    long sink = 0, wrong = 0;
    size_t per_kind[KINDS] = {0};

    inputs_read(path, &in);
    for (size_t i = 0; i < in.n; i++) {
        const struct input *x = &in.v[i];
        int want = x->kind != 3;

        per_kind[x->kind]++;
        if (gatehouse_accepts(&p, x) != want || liboath_accepts(x) != want) {
            fprintf(stderr, "driver: input %zu (%s): gatehouse %d, liboath %d, expected %d\n",
                    i + 1, kind_names[x->kind], gatehouse_accepts(&p, x), liboath_accepts(x), want);
            wrong++;
        }
    }
    if (wrong != 0) {
        die("the two verifiers disagree with the inputs' kinds");
    }
    printf("inputs=%zu\n", in.n);
    for (int k = 0; k < KINDS; k++) {
        printf("inputs_%s=%zu\n", kind_names[k], per_kind[k]);
    }
    /* Sides take turns within each measurement so a burst of other work falls on both. */
    for (int k = -1; k < KINDS; k++) {
        for (int side = 0; side < 2; side++) {
            printf("%s_%s_rate=%.0f\n", sides[side], k < 0 ? "mixed" : kind_names[k],
                   rate(side, &p, &in, k, min_s, &sink));
            fflush(stdout);
        }
    }
    printf("liboath_version=%s\n", oath_check_version(NULL));
    printf("libsodium_version=%s\n", sodium_version_string());
    fprintf(stderr, "driver: %ld acceptances counted\n", sink);
    free(in.v);
}

int
main(int argc, char **argv)
{
    if (sodium_init() < 0 || gh_library_init() != GH_OK || oath_init() != OATH_OK) {
        die("initialisation failed");
    }
    if (argc == 4 && strcmp(argv[1], "gen") == 0) {
        gen(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10));
    } else if (argc == 4 && strcmp(argv[1], "run") == 0) {
        run(argv[2], strtod(argv[3], NULL));
    } else {
        fprintf(stderr, "usage: driver gen N SEED | driver run INPUTS MIN_SECONDS\n");
        return 2;
    }
    oath_done();
    return 0;
}
