/*
 * internal.h -- what every file of libgatehouse shares: control-flow macros, allocation,
 * bounded buffers and the gh__ (internal, non-static) declarations of lib/core.
 */
#ifndef GATEHOUSE_INTERNAL_H
#define GATEHOUSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gatehouse/gatehouse.h>

/* Return the error of a call that fails.  Never use once a function has acquired anything. */
#define GH_TRY(expr)                                                                               \
    do {                                                                                           \
        gh_err gh_try_rc_ = (expr);                                                                \
        if (gh_try_rc_ != GH_OK) {                                                                 \
            return gh_try_rc_;                                                                     \
        }                                                                                          \
    } while (0)

/* Return err unless cond holds. */
#define GH_ENSURE(cond, err)                                                                       \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            return (err);                                                                          \
        }                                                                                          \
    } while (0)

#define GH_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- alloc.c: every allocation of the library goes through these ---- */

void *gh__alloc(size_t size);
void *gh__calloc(size_t n, size_t size);
/* Resizes p to n elements of size bytes (overflow-checked); NULL leaves p as it was. */
void *gh__realloc(void *p, size_t n, size_t size);

/* True when the n bytes at s are all lower-case hex digits. */
bool gh__lower_hex(const char *s, size_t n);

/* The names of enum gh_role, in order (policy/role.c); the store writes them. */
extern const char *const gh__role_names[5];
char *gh__strdup(const char *s);
void gh__free(void *p);
/* Test hook: make the nth allocation from now fail (0 disables). */
void gh__alloc_fail_after(unsigned long n);

/* ---- buf.c: a growable buffer with a hard cap (curl's dynbuf) ---- */

struct gh_buf {
    char *data; /* NUL-terminated while len < cap */
    size_t len;
    size_t alloc;
    size_t cap; /* hard limit on len */
};

void gh__buf_init(struct gh_buf *b, size_t cap);
/* Wipes and frees. */
void gh__buf_clear(struct gh_buf *b);
GH_MUST_CHECK gh_err gh__buf_append(struct gh_buf *b, const void *data, size_t len);
GH_MUST_CHECK gh_err gh__buf_appendz(struct gh_buf *b, const char *s);

/* ---- str.c: bounded string copies ---- */

/* Copies src into dst (cap bytes); GH_E_INVALID when it does not fit (dst is then ""). */
GH_MUST_CHECK gh_err gh__strlcpy(char *dst, const char *src, size_t cap);

#endif
