/*
 * fuzz_access_token.c -- the access-token parser (lib/crypto/access_token.c), which reads every
 * token a client sends to POST /v1/AccessTokens/Verify: whatever the bytes, it answers GH_OK or
 * GH_E_TOKEN_INVALID; a parsed token's fields are NUL-terminated SIDs and its claims valid JSON
 * text; the signature check and the time checks answer only their own codes.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum gh_jwt_alg algs[] = {GH_JWT_HS256, GH_JWT_HS384, GH_JWT_HS512};
    static struct gh_access_token t;
    char *text = fuzz_text(data, size);
    gh_err rc;

    fuzz_library_init();
    rc = gh_access_token_parse(text, strlen(text), &t);
    FUZZ_CHECK(rc == GH_OK || rc == GH_E_TOKEN_INVALID);
    if (rc == GH_OK) {
        FUZZ_CHECK(gh_sid_valid(t.iss, "SK") && gh_sid_valid(t.sub, "AC"));
        FUZZ_CHECK(strlen(t.claims) > 0 && t.signing_len < strlen(text));
        for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
            rc = gh_access_token_check_signature(&t, algs[i], "fuzz secret", 11);
            FUZZ_CHECK(rc == GH_OK || rc == GH_E_TOKEN_INVALID || rc == GH_E_TOKEN_SIGNATURE);
        }
        rc = gh_access_token_check_times(&t, INT64_C(1700000000), 0);
        FUZZ_CHECK(rc == GH_OK || rc == GH_E_TOKEN_EXPIRED || rc == GH_E_TOKEN_NOT_YET ||
                   rc == GH_E_TOKEN_TTL);
    }
    free(text);
    return 0;
}
