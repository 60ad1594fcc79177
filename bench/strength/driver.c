/*
 * driver.c -- bench/strength's Gatehouse side: times gh_passphrase_check (default policy, no
 * context) over a corpus of "<category>\t<candidate>" lines, and writes each candidate's
 * guesses_log10 and estimator, one line each, in corpus order.
 *
 * Usage: driver CORPUS OUT MIN_SECONDS
 * Prints "rate=<checks per second>", "checks=<n>" and "seconds=<s>" on stdout.  A first pass
 * records the results (and warms up); then it checks the whole corpus again and again until
 * MIN_SECONDS have passed (at least once), and divides.  run.sh builds it against
 * build-release's static library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gatehouse/passphrase.h>
#include <gatehouse/util.h>

struct corpus {
    char *data;
    const char **text;
    size_t *len;
    size_t n;
};

static double
now_s(void)
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

/* Reads the whole corpus and points at each candidate (after its category and tab). */
static void
corpus_read(const char *path, struct corpus *c)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 20, len = 0, got;
    char *p;

    if (f == NULL) {
        die("cannot open the corpus");
    }
    c->data = malloc(cap + 1);
    while (c->data != NULL && (got = fread(c->data + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *bigger = realloc(c->data, 2 * cap + 1);

            if (bigger == NULL) {
                die("out of memory");
            }
            c->data = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (c->data == NULL) {
        die("out of memory");
    }
    c->data[len] = '\0';
    c->n = 0;
    for (p = c->data; *p != '\0'; p++) {
        c->n += *p == '\n';
    }
    c->text = calloc(c->n, sizeof(*c->text));
    c->len = calloc(c->n, sizeof(*c->len));
    if (c->text == NULL || c->len == NULL) {
        die("out of memory");
    }
    p = c->data;
    for (size_t i = 0; i < c->n; i++) {
        char *nl = strchr(p, '\n');
        char *tab = memchr(p, '\t', (size_t)(nl - p));

        if (tab == NULL) {
            die("a corpus line has no tab");
        }
        c->text[i] = tab + 1;
        c->len[i] = (size_t)(nl - tab - 1);
        p = nl + 1;
    }
}

static void
check(const struct corpus *c, size_t i, struct gh_passphrase_report *r)
{
    if (gh_passphrase_check(NULL, c->text[i], c->len[i], NULL, r) != GH_OK) {
        die("gh_passphrase_check failed");
    }
}

int
main(int argc, char **argv)
{
    struct gh_passphrase_report r;
    struct corpus c;
    double start, elapsed, min_s;
    size_t checks = 0;
    FILE *out;

    if (argc != 4 || gh_library_init() != GH_OK) {
        die("usage: driver CORPUS OUT MIN_SECONDS");
    }
    min_s = strtod(argv[3], NULL);
    corpus_read(argv[1], &c);
    out = fopen(argv[2], "w");
    if (out == NULL) {
        die("cannot write the results");
    }
    for (size_t i = 0; i < c.n; i++) { /* the results, and a warm-up */
        check(&c, i, &r);
        fprintf(out, "%.4f\t%s\n", r.guesses_log10, r.estimate_from_zxcvbn ? "zxcvbn" : "fallback");
    }
    fclose(out);
    start = now_s();
    do {
        for (size_t i = 0; i < c.n; i++) {
            check(&c, i, &r);
        }
        checks += c.n;
        elapsed = now_s() - start;
    } while (elapsed < min_s);
    printf("rate=%.1f\nchecks=%zu\nseconds=%.3f\n", (double)checks / elapsed, checks, elapsed);
    free(c.text);
    free(c.len);
    free(c.data);
    return 0;
}
