/*
 * fuse.h (internal) -- a binary fuse filter with 16-bit fingerprints: the structure of the
 * breached-passphrase index (see fuse.c for the paper and why this structure).
 */
#ifndef GATEHOUSE_BREACH_FUSE_H
#define GATEHOUSE_BREACH_FUSE_H

#include "internal.h"

/* The largest segment the construction uses (2^18 slots), as in the paper's reference code. */
#define GH_FUSE_SEGMENT_MAX (1u << 18)

/* One filter: its parameters (as the index file stores them) and its fingerprints. */
struct gh_fuse {
    uint64_t seed;
    uint32_t segment_length; /* a power of two; 0 for an empty filter */
    uint32_t segment_count;
    uint32_t array_length; /* (segment_count + 2) * segment_length; 0 for an empty filter */
    uint32_t entries;      /* distinct keys */
    const uint16_t *fp;    /* array_length fingerprints */
};

/* SplitMix64 (Steele, Lea and Flood 2014): the seeds tried, and the import's probes. */
static inline uint64_t
gh__splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* The key's 64-bit hash under the filter's seed (MurmurHash3's finaliser: a bijection). */
static inline uint64_t
gh__fuse_mix(uint64_t key, uint64_t seed)
{
    uint64_t h = key + seed;

    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

/* The hash's three slots, one in each of three consecutive segments. */
static inline void
gh__fuse_slots(const struct gh_fuse *f, uint64_t h, uint32_t slot[3])
{
    __extension__ typedef unsigned __int128 u128;
    uint32_t mask = f->segment_length - 1;
    uint64_t span = (uint64_t)f->segment_count * f->segment_length;

    slot[0] = (uint32_t)(((u128)h * span) >> 64);
    slot[1] = (slot[0] + f->segment_length) ^ ((uint32_t)(h >> 18) & mask);
    slot[2] = (slot[0] + 2 * f->segment_length) ^ ((uint32_t)h & mask);
}

static inline uint16_t
gh__fuse_fingerprint(uint64_t h)
{
    return (uint16_t)(h ^ (h >> 32));
}

/* Whether key may be in the filter: never false for a key it was built from. */
static inline bool
gh__fuse_contains(const struct gh_fuse *f, uint64_t key)
{
    uint64_t h;
    uint32_t s[3];

    if (f->array_length == 0) {
        return false;
    }
    h = gh__fuse_mix(key, f->seed);
    gh__fuse_slots(f, h, s);
    return (uint16_t)(gh__fuse_fingerprint(h) ^ f->fp[s[0]] ^ f->fp[s[1]] ^ f->fp[s[2]]) == 0;
}

/* Whether the parameters describe a filter that lookups can use without leaving its array. */
bool gh__fuse_valid(const struct gh_fuse *f);

/*
 * Builds a filter of the n keys (duplicates allowed, in any order).  seed0 picks the first seed tried, so the same keys give the same filter.
 * out->fp is a gh__alloc'd array of out->array_length fingerprints (NULL when empty): the
 * caller frees it.  GH_E_NOMEM, GH_E_LIMIT (more than 2^31 keys), GH_E_INTERNAL when no seed
 * works (never seen).
 */
GH_MUST_CHECK gh_err gh__fuse_build(const uint64_t *keys, size_t n, uint64_t seed0,
                                    struct gh_fuse *out);

/* Bytes of scratch memory gh__fuse_build needs for n keys (besides keys and the result). */
size_t gh__fuse_build_bytes(size_t n);

#endif
