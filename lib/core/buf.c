/*
 * buf.c -- bounded growable buffers and bounded string copies.  Every buffer has a hard cap
 * (curl's dynbuf "toobig"); memory that may have held a secret is wiped before it is freed.
 */
#include "internal.h"

void
gh__buf_init(struct gh_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void
gh__buf_clear(struct gh_buf *b)
{
    if (b == NULL) {
        return;
    }
    if (b->data != NULL) {
        gh_wipe(b->data, b->alloc);
        gh__free(b->data);
    }
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

static gh_err
grow(struct gh_buf *b, size_t need)
{
    size_t want = b->alloc == 0 ? 64 : b->alloc;
    char *p;

    size_t limit = b->cap < SIZE_MAX ? b->cap + 1 : SIZE_MAX; /* cap bytes and the NUL */

    while (want < need && want <= SIZE_MAX / 2) {
        want *= 2;
    }
    if (want < need || want > limit) {
        want = need > limit ? need : limit;
    }
    p = gh__alloc(want);
    if (p == NULL) {
        return GH_E_NOMEM;
    }
    if (b->data != NULL) {
        memcpy(p, b->data, b->len + 1);
        gh_wipe(b->data, b->alloc);
        gh__free(b->data);
    }
    b->data = p;
    b->alloc = want;
    return GH_OK;
}

gh_err
gh__buf_append(struct gh_buf *b, const void *data, size_t len)
{
    GH_ENSURE(len <= b->cap && b->len <= b->cap - len, GH_E_LIMIT);
    if (b->len + len + 1 > b->alloc) {
        GH_TRY(grow(b, b->len + len + 1));
    }
    if (len > 0) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
    return GH_OK;
}

gh_err
gh__buf_appendz(struct gh_buf *b, const char *s)
{
    return gh__buf_append(b, s, strlen(s));
}

gh_err
gh__strlcpy(char *dst, const char *src, size_t cap)
{
    size_t len = strlen(src);

    if (len >= cap) {
        if (cap > 0) {
            dst[0] = '\0';
        }
        return GH_E_INVALID;
    }
    memcpy(dst, src, len + 1);
    return GH_OK;
}

bool
gh__lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}
