/*
 * lookup.c -- bench/breach's lookup side: opens an index built from `gen ENTRIES SEED` and
 * measures its lookups, recomputing the corpus in process (corpus.h) to know the hits.
 *
 * Usage: lookup INDEX ENTRIES SEED LOOKUPS FP_PROBES
 *
 * Phases, in this order (every phase takes fresh keys: hits are corpus entries picked at random
 * with replacement, misses come from another stream, so none of them is in the corpus):
 *   cold      posix_fadvise(DONTNEED) drops the file's pages from the page cache (it can when
 *             no one else maps it), then the index is opened and LOOKUPS hits are timed one by
 *             one: what the first lookups after a reboot cost (page faults that read the disk).
 *   warm-up   LOOKUPS hits and LOOKUPS misses, untimed: every page of the mapping is touched.
 *   single    LOOKUPS hits, then LOOKUPS misses, gh_breach_contains_sha1, each timed alone with
 *             clock_gettime(CLOCK_MONOTONIC) around the call (the digest is computed before the
 *             first clock read).  Each figure includes one clock read's cost: timer_overhead_ns
 *             (the median of back-to-back reads) says how much.
 *   batch16   the same, timed 16 lookups at a time (the 16 digests computed beforehand), divided
 *             by 16: the timer's cost spread thin, and independent lookups may overlap their
 *             memory accesses, so this is closer to throughput than to one lookup's latency.
 *   passphrase  gh_breach_contains (SHA-1 of the text + NFKC + lookup) on LOOKUPS generated
 *             printable-ASCII passphrases of 14 to 40 characters, timed one by one; and on as
 *             many whose first 4 characters are full-width forms (U+FF01..U+FF5E), which NFKC
 *             changes: a second SHA-1 and lookup.  None of them is in the corpus.  Then
 *             the two parts alone on LOOKUPS more ASCII passphrases: gh_breach_sha1 (sha1_*)
 *             and gh_passphrase_normalize (normalize_*), each timed by itself.
 *   fp        FP_PROBES misses, untimed but counted: how many the index says it holds is the
 *             measured false-positive rate (with a 95% Wilson interval).
 * Every hit must be found (exit 1 otherwise: a false negative).
 *
 * Prints key=value lines on stdout (latencies in ns, nearest-rank percentiles); progress on
 * stderr.  run.sh builds it against build-release's static library.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gatehouse/breach.h>
#include <gatehouse/err.h>
#include <gatehouse/passphrase.h>

#include "corpus.h"

#define BATCH      16
#define PASS_MIN   14
#define PASS_SPAN  27 /* lengths 14..40 */
#define PASS_WIDE  4  /* full-width characters in the NFKC variant */
#define PASS_BUF   (PASS_MIN + PASS_SPAN + 2 * PASS_WIDE + 1)
#define PASS_FIRST (UINT64_C(1) << 40) /* the passphrases' words in the pick stream */

struct gen {
    uint64_t entries;
    uint64_t hits_base, misses_base, pick_base;
    uint64_t hit_j, miss_j, pass_j;
};

struct stats {
    double p50, p99, p999, max, mean;
};

static volatile unsigned sink;

static void
die(const char *what)
{
    fprintf(stderr, "lookup: %s\n", what);
    exit(1);
}

static uint64_t
now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * UINT64_C(1000000000) + (uint64_t)t.tv_nsec;
}

static uint64_t
parse_u64(const char *s, const char *what)
{
    char *end;
    unsigned long long v;

    if (s[0] < '0' || s[0] > '9') {
        die(what);
    }
    v = strtoull(s, &end, 10);
    if (*end != '\0') {
        die(what);
    }
    return (uint64_t)v;
}

/* A random corpus entry's digest (a hit). */
static void
next_hit(struct gen *g, uint8_t out[CORPUS_DIGEST])
{
    uint64_t i = corpus_word(g->pick_base, g->hit_j++) % g->entries;

    (void)corpus_entry(g->hits_base, i, out);
}

/* A digest that is not in the corpus (a miss). */
static void
next_miss(struct gen *g, uint8_t out[CORPUS_DIGEST])
{
    (void)corpus_entry(g->misses_base, g->miss_j++, out);
}

/* A printable-ASCII passphrase, its first PASS_WIDE characters full-width when wide. */
static size_t
next_passphrase(struct gen *g, char out[PASS_BUF], int wide)
{
    uint64_t w = corpus_word(g->pick_base, PASS_FIRST + g->pass_j++);
    size_t n = PASS_MIN + (size_t)(w % PASS_SPAN), len = 0;

    for (size_t k = 0; k < n; k++) {
        unsigned c;

        if (k % 8 == 0 && k > 0) {
            w = corpus_word(g->pick_base, PASS_FIRST + g->pass_j++);
        }
        c = '!' + (unsigned)((w >> (8 * (k % 8))) & 0xFF) % 94u; /* '!'..'~' */
        if (wide && k < PASS_WIDE) {
            unsigned cp = 0xFF01 + (c - '!'); /* U+FF01..U+FF5E, three UTF-8 bytes */

            out[len++] = (char)(0xE0 | (cp >> 12));
            out[len++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[len++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[len++] = (char)c;
        }
    }
    out[len] = '\0';
    return len;
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

/* Nearest-rank percentiles and the mean of n samples (sorts them). */
static struct stats
summarise(uint32_t *v, size_t n)
{
    struct stats s;
    double sum = 0;

    qsort(v, n, sizeof(*v), cmp_u32);
    for (size_t i = 0; i < n; i++) {
        sum += v[i];
    }
    s.p50 = v[(size_t)ceil(0.50 * (double)n) - 1];
    s.p99 = v[(size_t)ceil(0.99 * (double)n) - 1];
    s.p999 = v[(size_t)ceil(0.999 * (double)n) - 1];
    s.max = v[n - 1];
    s.mean = sum / (double)n;
    return s;
}

static void
print_stats(const char *name, struct stats s)
{
    printf("%s_p50_ns=%.0f\n%s_p99_ns=%.0f\n%s_p999_ns=%.0f\n%s_max_ns=%.0f\n%s_mean_ns=%.1f\n",
           name, s.p50, name, s.p99, name, s.p999, name, s.max, name, s.mean);
}

static uint32_t
clamp_ns(uint64_t ns)
{
    return ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

/* The share of the file's pages in the page cache (mincore on a mapping of it), in %. */
static double
resident_pct(const char *path)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *vec;
    struct stat st;
    size_t pages, in = 0;
    void *map;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
        die("cannot open the index");
    }
    pages = ((size_t)st.st_size + (size_t)page - 1) / (size_t)page;
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    vec = malloc(pages);
    if (map == MAP_FAILED || vec == NULL || mincore(map, (size_t)st.st_size, vec) != 0) {
        die("mincore failed");
    }
    for (size_t i = 0; i < pages; i++) {
        in += vec[i] & 1;
    }
    free(vec);
    munmap(map, (size_t)st.st_size);
    close(fd);
    return 100.0 * (double)in / (double)pages;
}

/* Asks the kernel to drop the file's clean pages from the page cache. */
static void
evict(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        die("cannot open the index");
    }
    (void)fdatasync(fd);
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
}

static long
major_faults(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_majflt;
}

/* Times n single lookups of hits (hit != 0) or misses; returns how many were found. */
static uint64_t
time_single(const struct gh_breach_index *idx, struct gen *g, int hit, uint32_t *ns, size_t n)
{
    uint8_t d[CORPUS_DIGEST];
    uint64_t found = 0;

    for (size_t i = 0; i < n; i++) {
        uint64_t t0, t1;
        bool r;

        if (hit) {
            next_hit(g, d);
        } else {
            next_miss(g, d);
        }
        t0 = now_ns();
        r = gh_breach_contains_sha1(idx, d);
        t1 = now_ns();
        ns[i] = clamp_ns(t1 - t0);
        found += r;
    }
    return found;
}

/* Times n / BATCH batches; ns[b] is the batch's time / BATCH.  Returns how many were found. */
static uint64_t
time_batches(const struct gh_breach_index *idx, struct gen *g, int hit, uint32_t *ns, size_t nb,
             double *total_s)
{
    uint8_t d[BATCH][CORPUS_DIGEST];
    uint64_t found = 0, total = 0;

    for (size_t b = 0; b < nb; b++) {
        uint64_t t0, t1;
        unsigned r = 0;

        for (int k = 0; k < BATCH; k++) {
            if (hit) {
                next_hit(g, d[k]);
            } else {
                next_miss(g, d[k]);
            }
        }
        t0 = now_ns();
        for (int k = 0; k < BATCH; k++) {
            r += gh_breach_contains_sha1(idx, d[k]);
        }
        t1 = now_ns();
        total += t1 - t0;
        ns[b] = clamp_ns((t1 - t0 + BATCH / 2) / BATCH);
        found += r;
    }
    *total_s = (double)total / 1e9;
    return found;
}

/* Times n gh_breach_contains calls on generated passphrases; returns how many were found. */
static uint64_t
time_passphrases(const struct gh_breach_index *idx, struct gen *g, int wide, uint32_t *ns, size_t n)
{
    char text[PASS_BUF];
    uint64_t found = 0;

    for (size_t i = 0; i < n; i++) {
        size_t len = next_passphrase(g, text, wide);
        bool r = false;
        uint64_t t0, t1;
        gh_err rc;

        t0 = now_ns();
        rc = gh_breach_contains(idx, text, len, &r);
        t1 = now_ns();
        if (rc != GH_OK) {
            die("gh_breach_contains failed");
        }
        ns[i] = clamp_ns(t1 - t0);
        found += r;
    }
    return found;
}

/* Times the two parts of gh_breach_contains on their own, over n ASCII passphrases: SHA-1
 * (gh_breach_sha1, OpenSSL's EVP_Digest) into sha1_ns and NFKC (gh_passphrase_normalize) into
 * nfkc_ns. */
static void
time_parts(struct gen *g, uint32_t *sha1_ns, uint32_t *nfkc_ns, size_t n)
{
    static char norm[GH_PASSPHRASE_MAX_BYTES * 2];
    char text[PASS_BUF];
    uint8_t d[GH_BREACH_SHA1_BYTES];

    for (size_t i = 0; i < n; i++) {
        size_t len = next_passphrase(g, text, 0);
        uint64_t t0, t1, t2;
        gh_err a, b;

        t0 = now_ns();
        a = gh_breach_sha1(text, len, d);
        t1 = now_ns();
        b = gh_passphrase_normalize(text, len, norm, sizeof(norm));
        t2 = now_ns();
        if (a != GH_OK || b != GH_OK) {
            die("gh_breach_sha1 or gh_passphrase_normalize failed");
        }
        sink += d[0] + (unsigned char)norm[0];
        sha1_ns[i] = clamp_ns(t1 - t0);
        nfkc_ns[i] = clamp_ns(t2 - t1);
    }
}

/* The 95% Wilson score interval of k successes in n trials. */
static void
wilson(uint64_t k, uint64_t n, double *lo, double *hi)
{
    double z = 1.959964, p = (double)k / (double)n, nn = (double)n;
    double centre = (p + z * z / (2 * nn)) / (1 + z * z / nn);
    double half = z * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / (1 + z * z / nn);

    *lo = centre - half < 0 ? 0 : centre - half;
    *hi = centre + half;
}

int
main(int argc, char **argv)
{
    struct gh_breach_index *idx = NULL;
    struct gh_breach_info info;
    struct gen g;
    uint64_t seed, lookups, probes, found, fp = 0;
    uint8_t d[CORPUS_DIGEST];
    uint32_t *ns, *ns2;
    size_t n, nb;
    long faults;
    double resident, t_batch, lo, hi;
    const char *path;
    uint64_t t0;

    if (argc != 6) {
        fprintf(stderr, "usage: lookup INDEX ENTRIES SEED LOOKUPS FP_PROBES\n");
        return 2;
    }
    path = argv[1];
    memset(&g, 0, sizeof(g));
    g.entries = parse_u64(argv[2], "ENTRIES must be a number");
    seed = parse_u64(argv[3], "SEED must be a number");
    lookups = parse_u64(argv[4], "LOOKUPS must be a number");
    probes = parse_u64(argv[5], "FP_PROBES must be a number");
    if (g.entries == 0 || lookups < BATCH || probes == 0) {
        die("ENTRIES and FP_PROBES must be positive, LOOKUPS at least 16");
    }
    n = (size_t)lookups;
    nb = n / BATCH;
    g.hits_base = corpus_base(seed, CORPUS_HITS);
    g.misses_base = corpus_base(seed, CORPUS_MISSES);
    g.pick_base = corpus_base(seed, CORPUS_PICK);
    ns = calloc(n, sizeof(*ns));
    ns2 = calloc(n, sizeof(*ns2));
    if (ns == NULL || ns2 == NULL) {
        die("out of memory");
    }

    /* cold */
    evict(path);
    resident = resident_pct(path);
    if (gh_breach_open(path, &idx) != GH_OK) {
        die("gh_breach_open failed");
    }
    gh_breach_info(idx, &info);
    if (info.entries != g.entries) {
        fprintf(stderr, "lookup: the index holds %llu entries, not %llu\n",
                (unsigned long long)info.entries, (unsigned long long)g.entries);
        return 1;
    }
    fprintf(stderr, "lookup: cold pass (%.1f%% of the index in the page cache)\n", resident);
    faults = major_faults();
    found = time_single(idx, &g, 1, ns, n);
    faults = major_faults() - faults;
    if (found != n) {
        die("a hit was not found (false negative)");
    }
    printf("index_entries=%llu\nindex_bytes=%llu\nindex_shards=%u\nindex_bytes_per_entry=%.4f\n",
           (unsigned long long)info.entries, (unsigned long long)info.bytes, info.shards,
           info.bytes_per_entry);
    printf("lookups=%llu\ncold_resident_pct=%.1f\ncold_major_faults=%ld\n",
           (unsigned long long)lookups, resident, faults);
    print_stats("cold_hit", summarise(ns, n));

    /* warm-up */
    fprintf(stderr, "lookup: warm-up\n");
    for (size_t i = 0; i < n; i++) {
        next_hit(&g, d);
        sink += gh_breach_contains_sha1(idx, d);
        next_miss(&g, d);
        sink += gh_breach_contains_sha1(idx, d);
    }
    printf("warm_resident_pct=%.1f\n", resident_pct(path));

    /* the timer's own cost */
    for (size_t i = 0; i < n; i++) {
        uint64_t a = now_ns();

        ns[i] = clamp_ns(now_ns() - a);
    }
    printf("timer_overhead_ns=%.0f\n", summarise(ns, n).p50);

    /* single */
    fprintf(stderr, "lookup: single lookups (%llu hits, %llu misses)\n",
            (unsigned long long)lookups, (unsigned long long)lookups);
    if (time_single(idx, &g, 1, ns, n) != n) {
        die("a hit was not found (false negative)");
    }
    print_stats("hit", summarise(ns, n));
    found = time_single(idx, &g, 0, ns, n);
    print_stats("miss", summarise(ns, n));
    printf("miss_found=%llu\n", (unsigned long long)found);

    /* batch16 */
    fprintf(stderr, "lookup: batches of %d\n", BATCH);
    if (time_batches(idx, &g, 1, ns, nb, &t_batch) != nb * BATCH) {
        die("a hit was not found (false negative)");
    }
    print_stats("hit_batch16", summarise(ns, nb));
    printf("hit_batch16_lookups_per_s=%.0f\n", (double)(nb * BATCH) / t_batch);
    (void)time_batches(idx, &g, 0, ns, nb, &t_batch);
    print_stats("miss_batch16", summarise(ns, nb));
    printf("miss_batch16_lookups_per_s=%.0f\n", (double)(nb * BATCH) / t_batch);

    /* passphrase */
    fprintf(stderr, "lookup: gh_breach_contains on passphrases\n");
    found = time_passphrases(idx, &g, 0, ns, n);
    print_stats("passphrase", summarise(ns, n));
    printf("passphrase_found=%llu\n", (unsigned long long)found);
    found = time_passphrases(idx, &g, 1, ns, n);
    print_stats("passphrase_nfkc", summarise(ns, n));
    printf("passphrase_nfkc_found=%llu\n", (unsigned long long)found);
    time_parts(&g, ns, ns2, n);
    print_stats("sha1", summarise(ns, n));
    print_stats("normalize", summarise(ns2, n));

    /* fp */
    fprintf(stderr, "lookup: %llu false-positive probes\n", (unsigned long long)probes);
    t0 = now_ns();
    for (uint64_t i = 0; i < probes; i++) {
        next_miss(&g, d);
        fp += gh_breach_contains_sha1(idx, d);
    }
    t_batch = (double)(now_ns() - t0) / 1e9;
    wilson(fp, probes, &lo, &hi);
    printf("fp_probes_bench=%llu\nfp_hits_bench=%llu\nfp_rate_bench=%.3e\n"
           "fp_rate_bench_ci95_low=%.3e\nfp_rate_bench_ci95_high=%.3e\nfp_probe_rate=%.0f\n",
           (unsigned long long)probes, (unsigned long long)fp, (double)fp / (double)probes, lo, hi,
           (double)probes / t_batch);

    gh_breach_close(idx);
    free(ns);
    free(ns2);
    return 0;
}
