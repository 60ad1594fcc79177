/*
 * fuse.c -- building binary fuse filters (16-bit fingerprints), the structure of the
 * breached-passphrase index.
 *
 * The structure, on evidence.  The index must answer "is this SHA-1 in the corpus" with no false
 * negatives, a false-positive rate of at most 1e-4, at most 2.5 bytes per entry and lookups
 * under 2 us, for about 10^9 entries:
 *   - sorted 64-bit prefixes: 8 bytes per entry (or ~4.5 with the top bits implied by a bucket
 *     table); too big.
 *   - Bloom filter at 1e-4: 19.2 bits (2.4 bytes) per entry and 13 random memory accesses per
 *     lookup; at the limit on size, slow on a cold map.
 *   - Golomb-coded set at 1e-4: about 1.9 bytes per entry, but a lookup decodes a block of
 *     codes (hundreds of ns) and construction needs the whole set sorted.
 *   - xor filter, 16-bit fingerprints: 1.23 x 2 = 2.46 bytes per entry, 3 accesses; just fits.
 *   - binary fuse filter, 16-bit fingerprints: 1.125 x 2 = 2.25 bytes per entry, false-positive
 *     rate 2^-16 = 1.5e-5, 3 accesses within three consecutive segments; a static set, which
 *     the corpus is (an import rebuilds the index).
 * So: binary fuse filters, from Thomas Mueller Graf and Daniel Lemire, "Binary Fuse Filters:
 * Fast and Smaller Than Xor Filters", ACM Journal of Experimental Algorithmics 27 (2022),
 * doi:10.1145/3510449.  The sizing (segment length and size factor for arity 3) follows the
 * paper's formulas.  The index shards the corpus by the hash's top bits (index.c) so that each
 * filter is built in bounded memory.
 *
 * Why hand-written: no Debian package provides these filters.  This implementation is ours:
 * keys are deduplicated by sorting their hashes (which also gives the paper's cache-friendly
 * insertion order), slots are peeled with a plain queue, and a construction that fails for 20
 * seeds in a row grows the array by one segment (never seen; it bounds the retries).
 */
#include <math.h>

#include "breach/fuse.h"

#define SEEDS_PER_SIZE 20
#define GROWTHS        5

/* The paper's sizing for arity 3, plus extra segments when construction keeps failing. */
static void
size_filter(size_t n, uint32_t extra, struct gh_fuse *f)
{
    double factor;
    uint64_t capacity;
    uint64_t length;
    int64_t segments;

    length = (uint64_t)1 << (int)floor(log((double)n) / log(3.33) + 2.25);
    length = length > GH_FUSE_SEGMENT_MAX ? GH_FUSE_SEGMENT_MAX : length;
    factor = n <= 1 ? 0.0 : fmax(1.125, 0.875 + 0.25 * log(1000000.0) / log((double)n));
    capacity = n <= 1 ? 0 : (uint64_t)llround((double)n * factor);
    segments = (int64_t)((capacity + length - 1) / length) - 2;
    segments = (segments < 1 ? 1 : segments) + extra;
    f->segment_length = (uint32_t)length;
    f->segment_count = (uint32_t)segments;
    f->array_length = (uint32_t)(((uint64_t)segments + 2) * length);
}

bool
gh__fuse_valid(const struct gh_fuse *f)
{
    uint64_t want = ((uint64_t)f->segment_count + 2) * f->segment_length;

    if (f->array_length == 0) {
        return f->entries == 0;
    }
    return f->segment_length >= 1 && f->segment_length <= GH_FUSE_SEGMENT_MAX &&
           (f->segment_length & (f->segment_length - 1)) == 0 && f->segment_count >= 1 &&
           want == f->array_length && f->entries <= f->array_length;
}

size_t
gh__fuse_build_bytes(size_t n)
{
    struct gh_fuse f;

    if (n == 0) {
        return 0;
    }
    size_filter(n, GROWTHS, &f);
    /* hashes + sorted hashes, which slot, then per slot: count, xor of hashes, queue entry,
     * fingerprint; and the bucket table. */
    return n * (8 + 8 + 1) + (size_t)f.array_length * (1 + 8 + 4 + 2) + ((size_t)1 << 16) * 8;
}

/* Sorts the hashes into out (bucket: 2^16 + 1 counters) without duplicates; returns how many. */
static size_t
sort_unique(const uint64_t *in, size_t n, uint64_t *out, size_t *bucket)
{
    unsigned bits = 1;
    size_t nb;
    size_t kept = 0;

    while (bits < 16 && ((size_t)1 << (bits + 1)) <= n) {
        bits++;
    }
    nb = (size_t)1 << bits;
    memset(bucket, 0, (nb + 1) * sizeof(*bucket));
    for (size_t i = 0; i < n; i++) {
        bucket[(in[i] >> (64 - bits)) + 1]++;
    }
    for (size_t b = 0; b < nb; b++) {
        bucket[b + 1] += bucket[b];
    }
    for (size_t i = 0; i < n; i++) {
        out[bucket[in[i] >> (64 - bits)]++] = in[i];
    }
    /* bucket[b] is now the end of bucket b: insertion-sort each (a few entries on average). */
    for (size_t b = 0, start = 0; b < nb; start = bucket[b], b++) {
        for (size_t i = start + 1; i < bucket[b]; i++) {
            uint64_t v = out[i];
            size_t j = i;

            while (j > start && out[j - 1] > v) {
                out[j] = out[j - 1];
                j--;
            }
            out[j] = v;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (kept == 0 || out[i] != out[kept - 1]) {
            out[kept++] = out[i];
        }
    }
    return kept;
}

struct work {
    uint64_t *hash;   /* n: the keys' hashes, then the peeled hashes in order */
    uint64_t *sorted; /* n: the distinct hashes, sorted */
    uint8_t *which;   /* n: which of its three slots each peeled hash was alone in */
    uint8_t *count;   /* array_length: hashes per slot */
    uint64_t *xorh;   /* array_length: xor of the hashes per slot */
    uint32_t *queue;  /* array_length: slots holding one hash */
    size_t *bucket;   /* 2^16 + 1 */
    uint32_t slots;   /* the slot arrays' length */
};

static void
work_free(struct work *w)
{
    gh__free(w->hash);
    gh__free(w->sorted);
    gh__free(w->which);
    gh__free(w->count);
    gh__free(w->xorh);
    gh__free(w->queue);
    gh__free(w->bucket);
}

/* Adds every hash to its slots; false when a slot's count would overflow. */
static bool
add_all(const struct gh_fuse *f, struct work *w, size_t n)
{
    uint32_t s[3];

    memset(w->count, 0, f->array_length);
    memset(w->xorh, 0, (size_t)f->array_length * sizeof(*w->xorh));
    for (size_t i = 0; i < n; i++) {
        gh__fuse_slots(f, w->sorted[i], s);
        for (int k = 0; k < 3; k++) {
            if (w->count[s[k]] == UINT8_MAX) {
                return false;
            }
            w->count[s[k]]++;
            w->xorh[s[k]] ^= w->sorted[i];
        }
    }
    return true;
}

/* Peels slots holding one hash until none is left; returns how many hashes were peeled. */
static size_t
peel(const struct gh_fuse *f, struct work *w)
{
    size_t queued = 0;
    size_t peeled = 0;
    uint32_t s[3];

    for (uint32_t i = 0; i < f->array_length; i++) {
        if (w->count[i] == 1) {
            w->queue[queued++] = i;
        }
    }
    while (queued > 0) {
        uint32_t slot = w->queue[--queued];
        uint64_t h;

        if (w->count[slot] != 1) {
            continue;
        }
        h = w->xorh[slot];
        gh__fuse_slots(f, h, s);
        w->hash[peeled] = h;
        w->which[peeled] = (uint8_t)(s[0] == slot ? 0 : s[1] == slot ? 1 : 2);
        peeled++;
        for (int k = 0; k < 3; k++) {
            w->count[s[k]]--;
            w->xorh[s[k]] ^= h;
            if (w->count[s[k]] == 1) {
                w->queue[queued++] = s[k];
            }
        }
    }
    return peeled;
}

/* Gives each peeled hash, last peeled first, the fingerprint that makes its slots xor to it. */
static void
assign(const struct gh_fuse *f, const struct work *w, size_t n, uint16_t *fp)
{
    uint32_t s[3];

    for (size_t i = n; i-- > 0;) {
        uint64_t h = w->hash[i];
        unsigned k = w->which[i];

        gh__fuse_slots(f, h, s);
        fp[s[k]] = (uint16_t)(gh__fuse_fingerprint(h) ^ fp[s[(k + 1) % 3]] ^ fp[s[(k + 2) % 3]]);
    }
}

static gh_err
work_alloc(struct work *w, size_t n, uint32_t slots)
{
    memset(w, 0, sizeof(*w));
    w->hash = gh__calloc(n, sizeof(*w->hash));
    w->sorted = gh__calloc(n, sizeof(*w->sorted));
    w->which = gh__calloc(n, sizeof(*w->which));
    w->count = gh__calloc(slots, sizeof(*w->count));
    w->xorh = gh__calloc(slots, sizeof(*w->xorh));
    w->queue = gh__calloc(slots, sizeof(*w->queue));
    w->bucket = gh__calloc(((size_t)1 << 16) + 1, sizeof(*w->bucket));
    w->slots = slots;
    if (w->hash == NULL || w->sorted == NULL || w->which == NULL || w->count == NULL ||
        w->xorh == NULL || w->queue == NULL || w->bucket == NULL) {
        work_free(w);
        return GH_E_NOMEM;
    }
    return GH_OK;
}

/* One try with f's seed and size: true when every distinct hash was peeled. */
static bool
try_seed(const uint64_t *keys, size_t n, struct gh_fuse *f, struct work *w, size_t *distinct,
         uint32_t extra)
{
    for (size_t i = 0; i < n; i++) {
        w->hash[i] = gh__fuse_mix(keys[i], f->seed);
    }
    /* The mix is a bijection: equal hashes are equal keys. */
    *distinct = sort_unique(w->hash, n, w->sorted, w->bucket);
    size_filter(*distinct, extra, f);
    if (f->array_length > w->slots) {
        return false;
    }
    return add_all(f, w, *distinct) && peel(f, w) == *distinct;
}

gh_err
gh__fuse_build(const uint64_t *keys, size_t n, uint64_t seed0, struct gh_fuse *out)
{
    struct gh_fuse f;
    struct work w;
    uint64_t state = seed0;
    size_t distinct = 0;
    uint16_t *fp;
    gh_err rc;

    GH_ENSURE(out != NULL && (keys != NULL || n == 0), GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_ENSURE(n <= ((size_t)1 << 31), GH_E_LIMIT);
    if (n == 0) {
        return GH_OK;
    }
    memset(&f, 0, sizeof(f));
    size_filter(n, GROWTHS, &f); /* the largest array any try may need */
    GH_TRY(work_alloc(&w, n, f.array_length));
    rc = GH_E_INTERNAL;
    for (uint32_t extra = 0; extra <= GROWTHS && rc != GH_OK; extra++) {
        for (int t = 0; t < SEEDS_PER_SIZE; t++) {
            f.seed = gh__splitmix64(&state);
            if (try_seed(keys, n, &f, &w, &distinct, extra)) {
                rc = GH_OK;
                break;
            }
        }
    }
    fp = rc == GH_OK ? gh__calloc(f.array_length, sizeof(*fp)) : NULL;
    if (rc == GH_OK && fp == NULL) {
        rc = GH_E_NOMEM;
    }
    if (rc == GH_OK) {
        assign(&f, &w, distinct, fp);
        f.entries = (uint32_t)distinct;
        f.fp = fp;
        *out = f;
    }
    work_free(&w);
    return rc;
}
