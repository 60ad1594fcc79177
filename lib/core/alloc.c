/*
 * alloc.c -- the one place the library allocates: counts, and fails on demand for tests
 * (curl's torture mode, SQLite's fault injection).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"

static atomic_ulong fail_countdown;

void
gh__alloc_fail_after(unsigned long n)
{
    atomic_store(&fail_countdown, n);
}

static bool
should_fail(void)
{
    unsigned long left = atomic_load(&fail_countdown);

    while (left != 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &left, left - 1)) {
            return left == 1;
        }
    }
    return false;
}

void *
gh__alloc(size_t size)
{
    if (should_fail()) {
        return NULL;
    }
    return malloc(size == 0 ? 1 : size);
}

void *
gh__calloc(size_t n, size_t size)
{
    if (should_fail()) {
        return NULL;
    }
    return calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
}

void *
gh__realloc(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        return NULL;
    }
    if (should_fail()) {
        return NULL;
    }
    return realloc(p, n * size == 0 ? 1 : n * size);
}

char *
gh__strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *p = gh__alloc(len);

    if (p != NULL) {
        memcpy(p, s, len);
    }
    return p;
}

void
gh__free(void *p)
{
    free(p);
}
