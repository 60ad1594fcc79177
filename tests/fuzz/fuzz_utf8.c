/*
 * fuzz_utf8.c -- gh_utf8_count and gh_utf8_valid (lib/core/utf8.c), which every form value and
 * FriendlyName goes through, against a reference decoder written the other way round: decode
 * the code point first, then reject overlong forms, surrogates, values past U+10FFFF, NUL and
 * (for the count) the C0 and C1 controls and DEL.
 */
#include "fuzz.h"

/* Code points in s, or -1: RFC 3629 decoding by value, not by byte ranges. */
static long
reference_count(const uint8_t *s, size_t len, int allow_controls)
{
    long count = 0;
    size_t i = 0;

    while (i < len) {
        uint32_t cp;
        uint32_t min;
        size_t n;

        if (s[i] < 0x80) {
            n = 1, cp = s[i], min = 0;
        } else if ((s[i] & 0xE0) == 0xC0) {
            n = 2, cp = s[i] & 0x1Fu, min = 0x80;
        } else if ((s[i] & 0xF0) == 0xE0) {
            n = 3, cp = s[i] & 0x0Fu, min = 0x800;
        } else if ((s[i] & 0xF8) == 0xF0) {
            n = 4, cp = s[i] & 0x07u, min = 0x10000;
        } else {
            return -1; /* a continuation byte first, or 0xF8..0xFF */
        }
        if (len - i < n) {
            return -1;
        }
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return -1;
            }
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) {
            return -1;
        }
        if (!allow_controls && (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))) {
            return -1;
        }
        i += n;
        count++;
    }
    return count;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = size > 0 ? (const char *)data : "";
    long count = gh_utf8_count(s, size);
    int valid = gh_utf8_valid(s, size);
    long loose = reference_count(data, size, 1);

    FUZZ_CHECK(count == reference_count(data, size, 0));
    FUZZ_CHECK(valid == (loose >= 0));
    FUZZ_CHECK(count < 0 || valid); /* what counts is valid */
    if (valid) {
        long starts = 0; /* each code point starts with one byte that is not a continuation */

        for (size_t i = 0; i < size; i++) {
            starts += (data[i] & 0xC0) != 0x80;
        }
        FUZZ_CHECK(loose == starts && (count < 0 || count == starts));
    }
    return 0;
}
