/*
 * fuzz_sid.c -- gh_sid_parse and gh_sid_valid (lib/crypto/credential.c), which every SID in a
 * path, a form field, a Basic user name or a page token goes through.
 *
 * For any prefix (none, "AC", "SK", and the input's own first two letters): gh_sid_parse succeeds
 * exactly when gh_sid_valid says yes; on success the output is the input with its hex digits in
 * lowercase, is itself valid, and parses to itself; on failure it is the empty string.
 */
#include <ctype.h>

#include "fuzz.h"

static void
check(const char *in, const char *prefix)
{
    char out[GH_SID_SIZE + 1];
    char again[GH_SID_SIZE];
    int valid = gh_sid_valid(in, prefix);
    gh_err rc;

    memset(out, 'x', sizeof(out));
    rc = gh_sid_parse(in, prefix, out);
    FUZZ_CHECK(out[GH_SID_SIZE] == 'x'); /* nothing written past GH_SID_SIZE */
    FUZZ_CHECK(valid == 0 || valid == 1);
    FUZZ_CHECK(rc == (valid ? GH_OK : GH_E_INVALID));
    if (rc != GH_OK) {
        FUZZ_CHECK(out[0] == '\0');
        return;
    }
    FUZZ_CHECK(strlen(in) == GH_SID_LEN && strlen(out) == GH_SID_LEN);
    FUZZ_CHECK(isupper((unsigned char)out[0]) && isupper((unsigned char)out[1]));
    FUZZ_CHECK(prefix == NULL || (out[0] == prefix[0] && out[1] == prefix[1]));
    FUZZ_CHECK(out[0] == in[0] && out[1] == in[1]);
    for (size_t i = 2; i < GH_SID_LEN; i++) {
        FUZZ_CHECK(isxdigit((unsigned char)out[i]) && !isupper((unsigned char)out[i]));
        FUZZ_CHECK(out[i] == tolower((unsigned char)in[i]));
    }
    FUZZ_CHECK(gh_sid_valid(out, prefix) && gh_sid_valid(out, NULL));
    FUZZ_CHECK(gh_sid_parse(out, prefix, again) == GH_OK && strcmp(again, out) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_text(data, size);
    char own[3] = {in[0], in[0] != '\0' ? in[1] : '\0', '\0'};

    check(in, NULL);
    check(in, "AC");
    check(in, "SK");
    if (isupper((unsigned char)own[0]) && isupper((unsigned char)own[1])) {
        check(in, own); /* callers pass two upper-case letters */
    }
    free(in);
    return 0;
}
