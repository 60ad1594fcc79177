/*
 * gen.c -- bench/breach's corpus generator: writes COUNT lines in the Pwned Passwords format,
 * "<40 upper-case hex digits>:<count>" (what printf's "%040" PRIX "...:%u\n" would write), to
 * standard output.  The digests are corpus.h's stream CORPUS_HITS under SEED: the same COUNT
 * and SEED always give the same bytes, entry i is the i-th line, and every line's key (its
 * first 16 hex digits) is distinct.  Counts are 1 to 1000.  About 45 bytes a line.
 *
 * Usage: gen [--crlf] COUNT SEED
 *   --crlf  end lines with CR LF, as the files Have I Been Pwned distributes do (default LF)
 * Exit status: 0 done, 1 write error (a closed pipe included), 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"

#define OUT_BUF  ((size_t)1 << 20)
#define LINE_MAX 64 /* 40 + ':' + 4 digits + CR LF, with room to spare */

static const char hex_digits[] = "0123456789ABCDEF";

static int
usage(void)
{
    fprintf(stderr, "usage: gen [--crlf] COUNT SEED\n");
    return 2;
}

/* A decimal number that fits in 64 bits, and nothing else. */
static int
parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s[0] < '0' || s[0] > '9') {
        return -1;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0') {
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

/* Writes one line at p; returns its length. */
static size_t
format_line(char *p, const uint8_t digest[CORPUS_DIGEST], uint32_t count, int crlf)
{
    char digits[10];
    size_t n = 0, len = 0;

    for (int b = 0; b < CORPUS_DIGEST; b++) {
        p[len++] = hex_digits[digest[b] >> 4];
        p[len++] = hex_digits[digest[b] & 15];
    }
    p[len++] = ':';
    do {
        digits[n++] = (char)('0' + count % 10);
        count /= 10;
    } while (count > 0);
    while (n > 0) {
        p[len++] = digits[--n];
    }
    if (crlf) {
        p[len++] = '\r';
    }
    p[len++] = '\n';
    return len;
}

int
main(int argc, char **argv)
{
    uint64_t count, seed, base;
    uint8_t digest[CORPUS_DIGEST];
    char *buf;
    size_t used = 0;
    int crlf = 0, arg = 1;

    if (argc > 1 && strcmp(argv[1], "--crlf") == 0) {
        crlf = 1;
        arg++;
    }
    if (argc - arg != 2 || parse_u64(argv[arg], &count) != 0 ||
        parse_u64(argv[arg + 1], &seed) != 0) {
        return usage();
    }
    buf = malloc(OUT_BUF);
    if (buf == NULL) {
        fprintf(stderr, "gen: out of memory\n");
        return 1;
    }
    base = corpus_base(seed, CORPUS_HITS);
    for (uint64_t i = 0; i < count; i++) {
        uint32_t c = corpus_entry(base, i, digest);

        used += format_line(buf + used, digest, c, crlf);
        if (OUT_BUF - used < LINE_MAX) {
            if (fwrite(buf, 1, used, stdout) != used) {
                fprintf(stderr, "gen: write error after %llu lines\n", (unsigned long long)i);
                free(buf);
                return 1;
            }
            used = 0;
        }
    }
    if ((used > 0 && fwrite(buf, 1, used, stdout) != used) || fflush(stdout) != 0) {
        fprintf(stderr, "gen: write error\n");
        free(buf);
        return 1;
    }
    free(buf);
    return 0;
}
