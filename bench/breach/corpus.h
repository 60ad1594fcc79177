/*
 * corpus.h -- bench/breach's synthetic corpus, shared by gen.c (which writes it) and lookup.c
 * (which looks it up): a counter-based generator, so any entry can be recomputed on its own.
 *
 * Entry i of stream s under seed S is a 20-byte "SHA-1" made of three words of a splitmix64
 * sequence: word k (k = 0, 1, 2) is mix64(base(S, s) + (3 i + k + 1) * GOLDEN), and the digest
 * is word 0, word 1 (big-endian) and the top 4 bytes of word 2.  mix64 is a bijection and the
 * counters differ, so word 0 -- the index's key (the digest's first 8 bytes) -- is different
 * for every entry of a stream: N entries give exactly N distinct keys.  Streams:
 *   CORPUS_HITS    the corpus gen.c writes (and the hits lookup.c samples)
 *   CORPUS_MISSES  digests that are not in the corpus (misses, false-positive probes)
 *   CORPUS_PICK    which entries the hit sample takes, and the passphrase strings
 * No file of its own: include it.
 */
#ifndef BENCH_BREACH_CORPUS_H
#define BENCH_BREACH_CORPUS_H

#include <stdint.h>

#define CORPUS_GOLDEN UINT64_C(0x9E3779B97F4A7C15)
#define CORPUS_DIGEST 20

enum corpus_stream {
    CORPUS_HITS = 1,
    CORPUS_MISSES = 2,
    CORPUS_PICK = 3,
};

/* splitmix64's finaliser (Stafford's mix 13): a bijection of 64-bit words. */
static inline uint64_t
corpus_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* The starting point of a stream under a seed. */
static inline uint64_t
corpus_base(uint64_t seed, enum corpus_stream stream)
{
    return corpus_mix64(corpus_mix64(seed) ^ corpus_mix64((uint64_t)stream * CORPUS_GOLDEN));
}

/* Word k of a stream (counter-based splitmix64). */
static inline uint64_t
corpus_word(uint64_t base, uint64_t k)
{
    return corpus_mix64(base + (k + 1) * CORPUS_GOLDEN);
}

/* Entry i: writes its digest and returns its count (the number after the colon, 1 to 1000,
 * from the low half of word 2, which the digest leaves out). */
static inline uint32_t
corpus_entry(uint64_t base, uint64_t i, uint8_t out[CORPUS_DIGEST])
{
    uint64_t w[3];

    for (int k = 0; k < 3; k++) {
        w[k] = corpus_word(base, 3 * i + (uint64_t)k);
    }
    for (int b = 0; b < 8; b++) {
        out[b] = (uint8_t)(w[0] >> (56 - 8 * b));
        out[8 + b] = (uint8_t)(w[1] >> (56 - 8 * b));
    }
    for (int b = 0; b < 4; b++) {
        out[16 + b] = (uint8_t)(w[2] >> (56 - 8 * b));
    }
    return 1 + (uint32_t)((w[2] & 0xFFFFFFFFu) % 1000u);
}

#endif
