/*
 * format.h (internal) -- the breach index file, shared by its reader (index.c) and its writer
 * (import.c).  Little-endian throughout:
 *
 *   0    8  magic "GHBREACH"
 *   8    4  version (1)
 *   12   4  shard bits b (0..12): shard = the key's top b bits
 *   16   8  entries (distinct keys)
 *   24   8  records (good input lines)
 *   32   8  created (Unix seconds)
 *   40   8  file size
 *   48   4  fingerprint bits (16)
 *   52   4  table entry size (32)
 *   56   8  offset of the first fingerprint
 *   64  32  BLAKE2b-256 of every fingerprint byte, shard after shard (gh_breach_verify)
 *   96  16  reserved (zero)
 *   112 16  BLAKE2b-128 of bytes 0..111 and the shard table
 *   128     shard table: 2^b entries of { seed u64, offset u64, entries u32, segment length u32,
 *           segment count u32, array length u32 }
 *   ...     each shard's fingerprints (u16 each), at 8-byte aligned offsets
 *
 * A key is the first 8 bytes of a SHA-1 digest, big-endian.
 */
#ifndef GATEHOUSE_BREACH_FORMAT_H
#define GATEHOUSE_BREACH_FORMAT_H

#include "breach/fuse.h"

#define GH_BRF_MAGIC        "GHBREACH"
#define GH_BRF_VERSION      1u
#define GH_BRF_HEADER       128u
#define GH_BRF_ENTRY        32u
#define GH_BRF_SHARD_BITS   12u /* the most shards: 4096 */
#define GH_BRF_FP_BITS      16u
#define GH_BRF_DIGEST_AT    64u
#define GH_BRF_CHECK_AT     112u
#define GH_BRF_CHECK_BYTES  16u
#define GH_BRF_DIGEST_BYTES 32u

static inline void
gh__put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline void
gh__put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline uint32_t
gh__get_le32(const uint8_t *p)
{
    uint32_t v = 0;

    for (int i = 3; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

static inline uint64_t
gh__get_le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* The index key of a SHA-1 digest: its first 8 bytes, big-endian. */
static inline uint64_t
gh__breach_key(const uint8_t *sha1)
{
    uint64_t k = 0;

    for (int i = 0; i < 8; i++) {
        k = (k << 8) | sha1[i];
    }
    return k;
}

/* The shard of a key under b shard bits. */
static inline uint32_t
gh__breach_shard(uint64_t key, unsigned bits)
{
    return bits == 0 ? 0 : (uint32_t)(key >> (64 - bits));
}

/* Encodes a shard's table entry. */
void gh__brf_put_entry(uint8_t out[GH_BRF_ENTRY], const struct gh_fuse *f, uint64_t offset);
/* The header-and-table checksum (BLAKE2b-128 of bytes 0..111 and the table). */
void gh__brf_checksum(const uint8_t *header, const uint8_t *table, size_t table_len,
                      uint8_t out[GH_BRF_CHECK_BYTES]);

/* An index mapped from an open file (the import measures the file it wrote this way). */
GH_MUST_CHECK gh_err gh__breach_map_fd(int fd, struct gh_breach_index **out);
/* Whether a key (gh__breach_key) is in the index. */
bool gh__breach_contains_key(const struct gh_breach_index *idx, uint64_t key);

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the breach index maps its u16 fingerprints directly: little-endian hosts only"
#endif

#endif
