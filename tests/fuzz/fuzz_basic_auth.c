/*
 * fuzz_basic_auth.c -- gh_basic_auth_decode, the parser of every "Authorization" header.
 *
 * The input is the header's value.  It is decoded with the server's buffer sizes, then with
 * buffers exactly as big as the result and one byte smaller (allocated to size, so ASan sees a
 * write past them).  On success user and password are NUL-terminated within their buffers and
 * hold no NUL, pass_len is the password's length, and "user:password" encodes back to the
 * base64 that was sent; on failure nothing decoded is left in them (each byte is what the
 * caller put there, or zero).
 */
#include <sodium.h>
#include <strings.h>

#include "fuzz.h"

#define SERVER_USER_CAP (GH_SID_LEN + 2)
#define SERVER_PASS_CAP (GH_PASSWORD_MAX_LEN + 1)
/* The caller's bytes in the buffers before the call; on failure each is still this, or zero. */
#define USER_FILL       '\x01'
#define PASS_FILL       '\x02'

/* The base64 part of the header, as the decoder finds it. */
static const char *
base64_part(const char *value)
{
    const char *b64 = value + 6;

    while (*b64 == ' ') {
        b64++;
    }
    return b64;
}

/*
 * What was accepted re-encodes to exactly the base64 sent.  (This target found that libsodium
 * 1.0.18 decodes every byte 0x80..0xFF as '/'; lib/crypto/b64.h now refuses them first, and the
 * reproducer is in the corpus.)
 */
static void
check_success(const char *value, const char *user, size_t user_cap, const char *password,
              size_t pass_cap, size_t pass_len)
{
    const char *sent = base64_part(value);
    size_t ulen = strnlen(user, user_cap);
    size_t joined_len;
    char *joined;
    char *b64;
    size_t b64_cap;

    FUZZ_CHECK(strncasecmp(value, "Basic ", 6) == 0);
    FUZZ_CHECK(ulen < user_cap && pass_len < pass_cap);
    FUZZ_CHECK(password[pass_len] == '\0' && strlen(password) == pass_len);

    joined_len = ulen + 1 + pass_len;
    joined = malloc(joined_len);
    FUZZ_CHECK(joined != NULL);
    memcpy(joined, user, ulen);
    joined[ulen] = ':';
    memcpy(joined + ulen + 1, password, pass_len);
    b64_cap = sodium_base64_ENCODED_LEN(joined_len, sodium_base64_VARIANT_ORIGINAL);
    b64 = malloc(b64_cap);
    FUZZ_CHECK(b64 != NULL);
    sodium_bin2base64(b64, b64_cap, (const unsigned char *)joined, joined_len,
                      sodium_base64_VARIANT_ORIGINAL);
    FUZZ_CHECK(strlen(b64) == strlen(sent));
    FUZZ_CHECK(strcmp(b64, sent) == 0);
    free(b64);
    free(joined);
}

/* Nothing decoded is left behind: every byte is the caller's fill or was zeroed. */
static void
check_failure(const char *user, size_t user_cap, const char *password, size_t pass_cap,
              size_t pass_len)
{
    FUZZ_CHECK(user[0] == '\0' && password[0] == '\0' && pass_len == 0);
    for (size_t i = 0; i < user_cap; i++) {
        FUZZ_CHECK(user[i] == USER_FILL || user[i] == '\0');
    }
    for (size_t i = 0; i < pass_cap; i++) {
        FUZZ_CHECK(password[i] == PASS_FILL || password[i] == '\0');
    }
}

/* Decodes value into buffers of exactly user_cap and pass_cap bytes; lengths on success. */
static gh_err
decode(const char *value, size_t user_cap, size_t pass_cap, size_t *ulen, size_t *plen)
{
    char *user = malloc(user_cap);
    char *password = malloc(pass_cap);
    size_t pass_len = 12345;
    gh_err rc;

    FUZZ_CHECK(user != NULL && password != NULL);
    memset(user, USER_FILL, user_cap);
    memset(password, PASS_FILL, pass_cap);
    rc = gh_basic_auth_decode(value, user, user_cap, password, pass_cap, &pass_len);
    FUZZ_CHECK(rc == GH_OK || rc == GH_E_DENIED);
    if (rc == GH_OK) {
        check_success(value, user, user_cap, password, pass_cap, pass_len);
        *ulen = strlen(user);
        *plen = pass_len;
    } else {
        check_failure(user, user_cap, password, pass_cap, pass_len);
    }
    free(user);
    free(password);
    return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *value = fuzz_text(data, size);
    size_t ulen = 0;
    size_t plen = 0;
    size_t u = 0;
    size_t p = 0;

    fuzz_library_init();
    if (decode(value, SERVER_USER_CAP, SERVER_PASS_CAP, &ulen, &plen) == GH_OK) {
        /* Buffers exactly big enough work; one byte less for either is refused. */
        FUZZ_CHECK(decode(value, ulen + 1, plen + 1, &u, &p) == GH_OK && u == ulen && p == plen);
        if (ulen > 0) {
            FUZZ_CHECK(decode(value, ulen, plen + 1, &u, &p) == GH_E_DENIED);
        }
        if (plen > 0) {
            FUZZ_CHECK(decode(value, ulen + 1, plen, &u, &p) == GH_E_DENIED);
        }
    } else {
        (void)decode(value, 1, 1, &u, &p); /* the smallest buffers: never written past */
    }
    free(value);
    return 0;
}
