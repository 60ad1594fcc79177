/*
 * index.c -- reading the breach index: mapping the file (format.h), checking its header and
 * shard table before any lookup trusts them, and the lookups themselves (one SHA-1, one shard,
 * three fingerprints).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "breach/format.h"

struct gh_breach_index {
    const uint8_t *map;
    size_t size;
    unsigned bits;
    struct gh_fuse *shards; /* 2^bits */
    struct gh_breach_info info;
    uint8_t digest[GH_BRF_DIGEST_BYTES];
};

void
gh__brf_put_entry(uint8_t out[GH_BRF_ENTRY], const struct gh_fuse *f, uint64_t offset)
{
    gh__put_le64(out, f->seed);
    gh__put_le64(out + 8, offset);
    gh__put_le32(out + 16, f->entries);
    gh__put_le32(out + 20, f->segment_length);
    gh__put_le32(out + 24, f->segment_count);
    gh__put_le32(out + 28, f->array_length);
}

void
gh__brf_checksum(const uint8_t *header, const uint8_t *table, size_t table_len,
                 uint8_t out[GH_BRF_CHECK_BYTES])
{
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, GH_BRF_CHECK_BYTES);
    crypto_generichash_update(&st, header, GH_BRF_CHECK_AT);
    crypto_generichash_update(&st, table, table_len);
    crypto_generichash_final(&st, out, GH_BRF_CHECK_BYTES);
}

/* Checks the fixed header; fills bits and info. */
static gh_err
read_header(struct gh_breach_index *idx)
{
    const uint8_t *h = idx->map;
    uint64_t fp_at;

    GH_ENSURE(idx->size >= GH_BRF_HEADER, GH_E_BREACH_INDEX);
    GH_ENSURE(memcmp(h, GH_BRF_MAGIC, 8) == 0, GH_E_BREACH_INDEX);
    GH_ENSURE(gh__get_le32(h + 8) == GH_BRF_VERSION, GH_E_BREACH_INDEX);
    idx->bits = gh__get_le32(h + 12);
    GH_ENSURE(idx->bits <= GH_BRF_SHARD_BITS, GH_E_BREACH_INDEX);
    GH_ENSURE(gh__get_le64(h + 40) == idx->size, GH_E_BREACH_INDEX);
    GH_ENSURE(gh__get_le32(h + 48) == GH_BRF_FP_BITS, GH_E_BREACH_INDEX);
    GH_ENSURE(gh__get_le32(h + 52) == GH_BRF_ENTRY, GH_E_BREACH_INDEX);
    fp_at = gh__get_le64(h + 56);
    GH_ENSURE(fp_at == GH_BRF_HEADER + ((uint64_t)GH_BRF_ENTRY << idx->bits), GH_E_BREACH_INDEX);
    GH_ENSURE(fp_at <= idx->size, GH_E_BREACH_INDEX);
    memcpy(idx->digest, h + GH_BRF_DIGEST_AT, sizeof(idx->digest));
    idx->info.entries = gh__get_le64(h + 16);
    idx->info.records = gh__get_le64(h + 24);
    idx->info.created_s = (int64_t)gh__get_le64(h + 32);
    idx->info.bytes = idx->size;
    idx->info.shards = 1u << idx->bits;
    idx->info.fingerprint_bits = GH_BRF_FP_BITS;
    idx->info.fp_rate_bound = ldexp(1.0, -(int)GH_BRF_FP_BITS);
    idx->info.bytes_per_entry =
        idx->info.entries == 0 ? 0.0 : (double)idx->size / (double)idx->info.entries;
    return GH_OK;
}

/* Decodes and checks the shard table (its checksum first). */
static gh_err
read_table(struct gh_breach_index *idx)
{
    const uint8_t *table = idx->map + GH_BRF_HEADER;
    size_t n = (size_t)1 << idx->bits;
    uint8_t check[GH_BRF_CHECK_BYTES];
    uint64_t total = 0;

    gh__brf_checksum(idx->map, table, n * GH_BRF_ENTRY, check);
    GH_ENSURE(sodium_memcmp(check, idx->map + GH_BRF_CHECK_AT, sizeof(check)) == 0,
              GH_E_BREACH_INDEX);
    idx->shards = gh__calloc(n, sizeof(*idx->shards));
    GH_ENSURE(idx->shards != NULL, GH_E_NOMEM);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = table + i * GH_BRF_ENTRY;
        struct gh_fuse *f = &idx->shards[i];
        uint64_t at = gh__get_le64(e + 8);

        f->seed = gh__get_le64(e);
        f->entries = gh__get_le32(e + 16);
        f->segment_length = gh__get_le32(e + 20);
        f->segment_count = gh__get_le32(e + 24);
        f->array_length = gh__get_le32(e + 28);
        GH_ENSURE(gh__fuse_valid(f), GH_E_BREACH_INDEX);
        GH_ENSURE(at % 8 == 0 && at >= GH_BRF_HEADER + n * GH_BRF_ENTRY && at <= idx->size &&
                      (idx->size - at) / 2 >= f->array_length,
                  GH_E_BREACH_INDEX);
        f->fp = (const uint16_t *)(const void *)(idx->map + at);
        total += f->entries;
    }
    GH_ENSURE(total == idx->info.entries, GH_E_BREACH_INDEX);
    return GH_OK;
}

gh_err
gh__breach_map_fd(int fd, struct gh_breach_index **out)
{
    struct gh_breach_index *idx;
    struct stat st;
    void *map;
    gh_err rc;

    *out = NULL;
    GH_ENSURE(fstat(fd, &st) == 0, GH_E_BREACH_INDEX);
    GH_ENSURE(S_ISREG(st.st_mode) && st.st_size >= (off_t)GH_BRF_HEADER, GH_E_BREACH_INDEX);
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    GH_ENSURE(map != MAP_FAILED, GH_E_BREACH_INDEX);
    /* Lookups touch three random fingerprints: read-ahead would only evict useful pages. */
    (void)madvise(map, (size_t)st.st_size, MADV_RANDOM);
    idx = gh__calloc(1, sizeof(*idx));
    if (idx == NULL) {
        munmap(map, (size_t)st.st_size);
        return GH_E_NOMEM;
    }
    idx->map = map;
    idx->size = (size_t)st.st_size;
    rc = read_header(idx);
    if (rc == GH_OK) {
        rc = read_table(idx);
    }
    if (rc != GH_OK) {
        gh_breach_close(idx);
        return rc;
    }
    *out = idx;
    return GH_OK;
}

gh_err
gh_breach_open(const char *path, struct gh_breach_index **out)
{
    int fd;
    gh_err rc;

    GH_ENSURE(path != NULL && out != NULL, GH_E_INVALID);
    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? GH_E_NOT_FOUND : GH_E_BREACH_INDEX;
    }
    rc = gh__breach_map_fd(fd, out);
    close(fd); /* the mapping stays */
    return rc;
}

void
gh_breach_close(struct gh_breach_index *idx)
{
    if (idx == NULL) {
        return;
    }
    munmap((void *)(uintptr_t)idx->map, idx->size);
    gh__free(idx->shards);
    gh__free(idx);
}

bool
gh__breach_contains_key(const struct gh_breach_index *idx, uint64_t key)
{
    return gh__fuse_contains(&idx->shards[gh__breach_shard(key, idx->bits)], key);
}

bool
gh_breach_contains_sha1(const struct gh_breach_index *idx, const uint8_t sha1[GH_BREACH_SHA1_BYTES])
{
    return idx != NULL && sha1 != NULL && gh__breach_contains_key(idx, gh__breach_key(sha1));
}

static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha1_md;

/* OpenSSL 3 looks an algorithm up on every EVP_sha1() digest: fetch it once (565 -> 260 ns). */
static void
fetch_sha1(void)
{
    sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
}

gh_err
gh_breach_sha1(const void *data, size_t len, uint8_t out[GH_BREACH_SHA1_BYTES])
{
    unsigned int n = 0;

    GH_ENSURE(out != NULL && (data != NULL || len == 0), GH_E_INVALID);
    pthread_once(&sha1_once, fetch_sha1);
    GH_ENSURE(sha1_md != NULL, GH_E_CRYPTO);
    GH_ENSURE(EVP_Digest(data, len, out, &n, sha1_md, NULL) == 1 && n == GH_BREACH_SHA1_BYTES,
              GH_E_CRYPTO);
    return GH_OK;
}

/* Printable ASCII is its own NFKC form. */
static bool
printable_ascii(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e) {
            return false;
        }
    }
    return true;
}

gh_err
gh_breach_contains(const struct gh_breach_index *idx, const char *text, size_t len, bool *found)
{
    uint8_t sha1[GH_BREACH_SHA1_BYTES];
    char norm[GH_PASSPHRASE_MAX_BYTES * 2];
    gh_err rc;

    GH_ENSURE(idx != NULL && found != NULL && (text != NULL || len == 0), GH_E_INVALID);
    GH_TRY(gh_breach_sha1(text, len, sha1));
    *found = gh_breach_contains_sha1(idx, sha1);
    if (*found || printable_ascii(text, len)) {
        sodium_memzero(sha1, sizeof(sha1));
        return GH_OK;
    }
    rc = len <= GH_PASSPHRASE_MAX_BYTES ? gh_passphrase_normalize(text, len, norm, sizeof(norm))
                                        : GH_E_INVALID;
    if (!*found && rc == GH_OK && (strlen(norm) != len || memcmp(norm, text, len) != 0)) {
        rc = gh_breach_sha1(norm, strlen(norm), sha1);
        *found = rc == GH_OK && gh_breach_contains_sha1(idx, sha1);
    }
    sodium_memzero(norm, sizeof(norm));
    sodium_memzero(sha1, sizeof(sha1));
    /* Text that does not normalise was looked up as it stands; that is all there is. */
    return rc == GH_E_CRYPTO ? rc : GH_OK;
}

void
gh_breach_info(const struct gh_breach_index *idx, struct gh_breach_info *out)
{
    if (out == NULL) {
        return;
    }
    memset(out, 0, sizeof(*out));
    if (idx != NULL) {
        *out = idx->info;
    }
}

gh_err
gh_breach_verify(const struct gh_breach_index *idx)
{
    crypto_generichash_state st;
    uint8_t digest[GH_BRF_DIGEST_BYTES];
    size_t n;

    GH_ENSURE(idx != NULL, GH_E_INVALID);
    n = (size_t)1 << idx->bits;
    crypto_generichash_init(&st, NULL, 0, sizeof(digest));
    for (size_t i = 0; i < n; i++) {
        const struct gh_fuse *f = &idx->shards[i];

        crypto_generichash_update(&st, (const uint8_t *)(const void *)f->fp,
                                  (size_t)f->array_length * sizeof(uint16_t));
    }
    crypto_generichash_final(&st, digest, sizeof(digest));
    return sodium_memcmp(digest, idx->digest, sizeof(digest)) == 0 ? GH_OK : GH_E_BREACH_INDEX;
}

gh_err
gh_breach_screen(const struct gh_breach_index *idx, const char *text, size_t len,
                 struct gh_passphrase_report *report)
{
    bool found = false;

    GH_ENSURE(report != NULL, GH_E_INVALID);
    if (idx == NULL) {
        report->breach_checked = false;
        return GH_OK;
    }
    GH_TRY(gh_breach_contains(idx, text, len, &found));
    report->breach_checked = true;
    if (found) {
        gh_passphrase_refuse(report, GH_PP_BREACHED);
    }
    return GH_OK;
}
