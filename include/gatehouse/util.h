/*
 * util.h -- small helpers the server and the command line share with the library.
 */
#ifndef GATEHOUSE_UTIL_H
#define GATEHOUSE_UTIL_H

#include <stddef.h>

#include <gatehouse/api.h>
#include <gatehouse/err.h>

/**
 * Counts the code points of s (len bytes) when it is valid UTF-8 without NUL or C0/C1 control
 * characters; returns -1 otherwise.
 */
GH_API long gh_utf8_count(const char *s, size_t len);

/** True when s (len bytes) is valid UTF-8 without NUL; control characters are allowed. */
GH_API int gh_utf8_valid(const char *s, size_t len);

/** Library initialisation (libsodium, allocator hooks); safe to call more than once. */
GH_API GH_MUST_CHECK gh_err gh_library_init(void);

/** Version strings of the security libraries Gatehouse runs on, one "name version" per line. */
GH_API const char *gh_library_versions(void);

#endif
