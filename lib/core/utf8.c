/*
 * utf8.c -- strict UTF-8 validation and code-point counting (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), refusing NUL and control characters.
 */
#include "internal.h"

static int
seq_len(unsigned char c)
{
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        return 4;
    }
    return 0;
}

static bool
second_byte_ok(unsigned char lead, unsigned char c)
{
    switch (lead) {
    case 0xE0:
        return c >= 0xA0 && c <= 0xBF; /* no overlong 3-byte forms */
    case 0xED:
        return c >= 0x80 && c <= 0x9F; /* no surrogates */
    case 0xF0:
        return c >= 0x90 && c <= 0xBF; /* no overlong 4-byte forms */
    case 0xF4:
        return c >= 0x80 && c <= 0x8F; /* nothing above U+10FFFF */
    default:
        return c >= 0x80 && c <= 0xBF;
    }
}

static bool
is_control(const unsigned char *p, int n)
{
    if (n == 1) {
        return p[0] < 0x20 || p[0] == 0x7F;
    }
    return n == 2 && p[0] == 0xC2 && p[1] < 0xA0; /* C1 controls U+0080..U+009F */
}

/* Counts code points; -1 on invalid UTF-8, NUL, or (unless allowed) control characters. */
static long
scan(const char *s, size_t len, bool allow_controls)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    long count = 0;

    while (i < len) {
        int n = seq_len(p[i]);

        if (n == 0 || len - i < (size_t)n) {
            return -1;
        }
        if (n > 1 && !second_byte_ok(p[i], p[i + 1])) {
            return -1;
        }
        for (int k = 2; k < n; k++) {
            if ((p[i + k] & 0xC0) != 0x80) {
                return -1;
            }
        }
        if (p[i] == 0 || (!allow_controls && is_control(p + i, n))) {
            return -1;
        }
        i += (size_t)n;
        count++;
    }
    return count;
}

long
gh_utf8_count(const char *s, size_t len)
{
    return scan(s, len, false);
}

int
gh_utf8_valid(const char *s, size_t len)
{
    return scan(s, len, true) >= 0;
}
