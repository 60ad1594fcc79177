/*
 * fuzz_page_token.c -- gh__page_cursor (lib/service/paging.c), the parser of the PageToken a
 * client sends back: "PA" + 16 lowercase hex digits (creation time) + a SID.
 *
 * The input is the token, read for accounts ("AC"), keys ("SK") and any SID type, at several
 * page sizes.  It must never crash; on success the cursor's after_sid is a valid SID of the
 * type asked for, in canonical (lowercase) form, after_ms is not negative, limit is size + 1, and
 * gh__page_token of the cursor gives the token back (with the SID's hex in lowercase).
 */
#include <ctype.h>

#include "fuzz.h"
#include "service/service.h"

static void
check_cursor(const char *token, const char *prefix, unsigned size, const struct gh_cursor *c)
{
    char again[GH_PAGE_TOKEN_SIZE];
    size_t len = strlen(token);

    FUZZ_CHECK(gh_sid_valid(c->after_sid, prefix) && strlen(c->after_sid) == GH_SID_LEN);
    for (size_t i = 2; i < GH_SID_LEN; i++) {
        FUZZ_CHECK(!isupper((unsigned char)c->after_sid[i]));
    }
    FUZZ_CHECK(c->after_ms >= 0 && c->limit == (size_t)size + 1 && c->offset == 0);
    gh__page_token(c->after_ms, c->after_sid, again);
    FUZZ_CHECK(strlen(again) == len && memcmp(again, token, 2 + 16 + 2) == 0);
    for (size_t i = 2 + 16 + 2; i < len; i++) {
        FUZZ_CHECK(again[i] == tolower((unsigned char)token[i]));
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const prefixes[] = {"AC", "SK", NULL};
    static const unsigned sizes[] = {1, 50, GH_PAGE_SIZE_MAX};
    char *token = fuzz_text(data, size);

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
            struct gh_page page = {.size = sizes[j], .page = 1, .token = token};
            struct gh_cursor c;
            gh_err rc = gh__page_cursor(&page, prefixes[i], &c);

            FUZZ_CHECK(rc == GH_OK || rc == GH_E_PAGE_TOKEN);
            if (rc == GH_OK) {
                check_cursor(token, prefixes[i], sizes[j], &c);
            }
        }
    }
    free(token);
    return 0;
}
