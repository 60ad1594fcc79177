/*
 * fuzz.h -- what the libFuzzer targets share: the entry point's prototype, a check that aborts
 * (so libFuzzer saves the input), a NUL-terminated copy of the input, and library set-up.
 *
 * Every target keeps no state from one input to the next, except the one-time set-up.
 */
#ifndef GATEHOUSE_FUZZ_H
#define GATEHOUSE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gatehouse/gatehouse.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: a failure is a finding, reported like a crash. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The input as a C string (free() it); a NUL byte in the input ends the text there. */
static inline char *
fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    FUZZ_CHECK(s != NULL);
    if (size > 0) {
        memcpy(s, data, size);
    }
    s[size] = '\0';
    return s;
}

/* gh_library_init once per process (libsodium). */
static inline void
fuzz_library_init(void)
{
    static int done;

    if (!done) {
        FUZZ_CHECK(gh_library_init() == GH_OK);
        done = 1;
    }
}

#endif
