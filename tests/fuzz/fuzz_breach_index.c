/*
 * fuzz_breach_index.c -- the breach index reader (lib/breach/index.c), which maps a file an
 * operator copies into the data folder: whatever its bytes, opening it either fails with
 * GH_E_BREACH_INDEX or gives an index whose lookups stay inside the mapping.
 *
 * Random bytes would rarely pass the header checksum, so the harness writes the right checksum
 * into the input first (when there is room for the header): the shard table's checks, and then
 * lookups, are what get fuzzed.  Lookups use keys taken from the input, and a few fixed ones.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#include "breach/format.h"

/* The input with its header checksum fixed (when the header and table fit). */
static uint8_t *
fixed_copy(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size > 0 ? size : 1);
    size_t table;
    unsigned bits;

    FUZZ_CHECK(copy != NULL);
    if (size > 0) {
        memcpy(copy, data, size);
    }
    if (size < GH_BRF_HEADER) {
        return copy;
    }
    bits = gh__get_le32(copy + 12);
    table = bits <= GH_BRF_SHARD_BITS ? (size_t)GH_BRF_ENTRY << bits : 0;
    if (table > 0 && GH_BRF_HEADER + table <= size) {
        gh__brf_checksum(copy, copy + GH_BRF_HEADER, table, copy + GH_BRF_CHECK_AT);
    }
    return copy;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t fixed[][GH_BREACH_SHA1_BYTES] = {{0}, {0xff, 0xff, 0xff, 0xff}, {0x80}};
    struct gh_breach_index *idx = NULL;
    uint8_t *copy = fixed_copy(data, size);
    int fd = memfd_create("fuzz-breach-index", MFD_CLOEXEC);
    gh_err rc;

    fuzz_library_init();
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(size == 0 || write(fd, copy, size) == (ssize_t)size);
    rc = gh__breach_map_fd(fd, &idx);
    FUZZ_CHECK(rc == GH_OK || rc == GH_E_BREACH_INDEX);
    FUZZ_CHECK((rc == GH_OK) == (idx != NULL));
    if (idx != NULL) {
        struct gh_breach_info info;

        gh_breach_info(idx, &info);
        FUZZ_CHECK(info.bytes == size && info.shards >= 1);
        for (size_t i = 0; i + GH_BREACH_SHA1_BYTES <= size; i += 7) {
            (void)gh_breach_contains_sha1(idx, data + i);
        }
        for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
            (void)gh_breach_contains_sha1(idx, fixed[i]);
        }
        rc = gh_breach_verify(idx);
        FUZZ_CHECK(rc == GH_OK || rc == GH_E_BREACH_INDEX);
        gh_breach_close(idx);
    }
    close(fd);
    free(copy);
    return 0;
}
