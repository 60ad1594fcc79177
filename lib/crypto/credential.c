/*
 * credential.c -- SIDs, auth tokens, API key secrets and the HTTP Basic decoding of them.
 * Randomness comes only from randombytes_*; secrets are encoded without lookup tables
 * (sodium_bin2hex, sodium_base642bin).
 */
#include <sodium.h>

#include "crypto/b64.h"

static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

void
gh_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0) {
        sodium_memzero(p, len);
    }
}

static bool
is_prefix_char(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool
is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

gh_err
gh_sid_new(const char *prefix, char out[GH_SID_SIZE])
{
    unsigned char raw[16];

    GH_ENSURE(prefix != NULL && is_prefix_char(prefix[0]) && is_prefix_char(prefix[1]) &&
                  prefix[2] == '\0',
              GH_E_INVALID);
    randombytes_buf(raw, sizeof(raw));
    out[0] = prefix[0];
    out[1] = prefix[1];
    sodium_bin2hex(out + 2, GH_SID_SIZE - 2, raw, sizeof(raw));
    return GH_OK;
}

int
gh_sid_valid(const char *in, const char *prefix)
{
    if (in == NULL || strlen(in) != GH_SID_LEN) {
        return 0;
    }
    if (prefix != NULL ? (in[0] != prefix[0] || in[1] != prefix[1])
                       : (!is_prefix_char(in[0]) || !is_prefix_char(in[1]))) {
        return 0;
    }
    for (size_t i = 2; i < GH_SID_LEN; i++) {
        if (!is_hex(in[i])) {
            return 0;
        }
    }
    return 1;
}

gh_err
gh_sid_parse(const char *in, const char *prefix, char out[GH_SID_SIZE])
{
    out[0] = '\0';
    GH_ENSURE(gh_sid_valid(in, prefix), GH_E_INVALID);
    out[0] = in[0];
    out[1] = in[1];
    for (size_t i = 2; i < GH_SID_LEN; i++) {
        char c = in[i];

        out[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
    }
    out[GH_SID_LEN] = '\0';
    return GH_OK;
}

gh_err
gh_auth_token_new(char out[GH_SECRET_SIZE])
{
    unsigned char raw[GH_AUTH_TOKEN_LEN / 2];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(out, GH_SECRET_SIZE, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    return GH_OK;
}

gh_err
gh_key_secret_new(char out[GH_SECRET_SIZE])
{
    /* randombytes_uniform rejects biased samples, so each character is uniform over 62. */
    for (size_t i = 0; i < GH_KEY_SECRET_LEN; i++) {
        out[i] = alnum[randombytes_uniform(sizeof(alnum) - 1)];
    }
    out[GH_KEY_SECRET_LEN] = '\0';
    return GH_OK;
}

/* 1 when lo <= c <= hi, without a branch. */
static unsigned
in_range(unsigned c, unsigned lo, unsigned hi)
{
    return (unsigned)((c - lo) <= (hi - lo));
}

bool
gh__b64_alphabet_ok(const char *s, size_t len)
{
    unsigned bad = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned c = (unsigned char)s[i];
        unsigned ok = in_range(c, 'A', 'Z') | in_range(c, 'a', 'z') | in_range(c, '0', '9') |
                      in_range(c, '+', '+') | in_range(c, '/', '/') | in_range(c, '=', '=');

        bad |= ok ^ 1U;
    }
    return bad == 0;
}

/* The longest Basic credential we decode: a SID, ':', and the longest password we consider. */
#define BASIC_DECODED_MAX (GH_SID_LEN + 1 + GH_PASSWORD_MAX_LEN)

static gh_err
split_basic(const unsigned char *raw, size_t raw_len, char *user, size_t user_cap, char *password,
            size_t pass_cap, size_t *pass_len)
{
    const unsigned char *colon = memchr(raw, ':', raw_len);
    size_t ulen;
    size_t plen;

    GH_ENSURE(colon != NULL, GH_E_DENIED);
    ulen = (size_t)(colon - raw);
    plen = raw_len - ulen - 1;
    GH_ENSURE(ulen < user_cap && plen < pass_cap, GH_E_DENIED);
    GH_ENSURE(memchr(raw, '\0', raw_len) == NULL, GH_E_DENIED);
    memcpy(user, raw, ulen);
    user[ulen] = '\0';
    memcpy(password, colon + 1, plen);
    password[plen] = '\0';
    *pass_len = plen;
    return GH_OK;
}

gh_err
gh_basic_auth_decode(const char *value, char *user, size_t user_cap, char *password,
                     size_t pass_cap, size_t *pass_len)
{
    unsigned char raw[BASIC_DECODED_MAX + 1];
    size_t raw_len = 0;
    const char *b64;
    gh_err rc;

    GH_ENSURE(value != NULL && user != NULL && password != NULL && pass_len != NULL, GH_E_DENIED);
    GH_ENSURE(user_cap > 0 && pass_cap > 0, GH_E_DENIED);
    user[0] = '\0';
    password[0] = '\0';
    *pass_len = 0;
    GH_ENSURE(strncasecmp(value, "Basic ", 6) == 0, GH_E_DENIED);
    b64 = value + 6;
    while (*b64 == ' ') {
        b64++;
    }
    GH_ENSURE(strlen(b64) <=
                  sodium_base64_ENCODED_LEN(BASIC_DECODED_MAX, sodium_base64_VARIANT_ORIGINAL),
              GH_E_DENIED);
    if (!gh__b64_alphabet_ok(b64, strlen(b64)) ||
        sodium_base642bin(raw, sizeof(raw), b64, strlen(b64), NULL, &raw_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        rc = GH_E_DENIED;
        goto out;
    }
    rc = split_basic(raw, raw_len, user, user_cap, password, pass_cap, pass_len);
out:
    sodium_memzero(raw, sizeof(raw));
    if (rc != GH_OK) {
        sodium_memzero(password, pass_cap);
        user[0] = '\0';
        *pass_len = 0;
    }
    return rc;
}
