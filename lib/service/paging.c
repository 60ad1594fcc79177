/*
 * paging.c -- PageToken values: "PA" + 16 hex digits of the last row's creation time + its SID.
 * A token names a position, not a snapshot: rows created later sort after it, and a deleted
 * anchor row does not break the walk.  Anything else is refused (21481).
 */
#include <inttypes.h>

#include "service/service.h"

#define TOKEN_LEN (2 + 16 + GH_SID_LEN)

_Static_assert(TOKEN_LEN < GH_PAGE_TOKEN_SIZE, "page token size");

void
gh__page_token(int64_t created_ms, const char *sid, char out[GH_PAGE_TOKEN_SIZE])
{
    snprintf(out, GH_PAGE_TOKEN_SIZE, "PA%016" PRIx64 "%s", (uint64_t)created_ms, sid);
}

static gh_err
parse_token(const char *token, const char *prefix, struct gh_cursor *c)
{
    uint64_t ms = 0;

    GH_ENSURE(strlen(token) == TOKEN_LEN && token[0] == 'P' && token[1] == 'A', GH_E_PAGE_TOKEN);
    GH_ENSURE(gh__lower_hex(token + 2, 16), GH_E_PAGE_TOKEN);
    GH_ENSURE(gh_sid_parse(token + 18, prefix, c->after_sid) == GH_OK, GH_E_PAGE_TOKEN);
    for (size_t i = 2; i < 18; i++) {
        char h = token[i];

        ms = (ms << 4) | (uint64_t)(h <= '9' ? h - '0' : h - 'a' + 10);
    }
    GH_ENSURE(ms <= INT64_MAX, GH_E_PAGE_TOKEN);
    c->after_ms = (int64_t)ms;
    return GH_OK;
}

gh_err
gh__page_cursor(const struct gh_page *page, const char *prefix, struct gh_cursor *out)
{
    memset(out, 0, sizeof(*out));
    GH_ENSURE(page != NULL && page->size >= 1 && page->size <= GH_PAGE_SIZE_MAX, GH_E_PAGE);
    out->limit = (size_t)page->size + 1;
    if (page->token != NULL) {
        return parse_token(page->token, prefix, out);
    }
    GH_ENSURE((uint64_t)page->page * page->size <= GH_PAGE_OFFSET_MAX, GH_E_PAGE);
    out->offset = (uint64_t)page->page * page->size;
    return GH_OK;
}
