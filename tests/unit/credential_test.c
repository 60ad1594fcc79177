/*
 * credential_test.c -- lib/crypto/credential.c: SIDs, auth tokens, API key secrets, and the
 * HTTP Basic decoding that every authenticated request goes through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>

#include "internal.h"

#include "crypto/b64.h"

#include "helpers.h"

#define SID_HEX "0123456789abcdef0123456789abcdef"

static bool
all_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

/* ---- SIDs ---- */

static void
sid_new_has_prefix_and_32_lower_hex(void **state)
{
    static const char *const prefixes[] = {"AC", "SK", "US", "ZZ"};
    char a[GH_SID_SIZE];
    char b[GH_SID_SIZE];

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(prefixes); i++) {
        assert_gh(gh_sid_new(prefixes[i], a), GH_OK);
        assert_int_equal(strlen(a), GH_SID_LEN);
        assert_memory_equal(a, prefixes[i], 2);
        assert_true(all_lower_hex(a + 2, 32));
        assert_true(gh_sid_valid(a, prefixes[i]));
    }
    assert_gh(gh_sid_new("AC", a), GH_OK);
    assert_gh(gh_sid_new("AC", b), GH_OK);
    assert_string_not_equal(a, b);
}

static void
sid_new_refuses_bad_prefixes(void **state)
{
    static const char *const bad[] = {"", "A", "ac", "Ac", "aC", "A1", "1A", "ACX", "@A", "A "};
    char out[GH_SID_SIZE];

    (void)state;
    assert_gh(gh_sid_new(NULL, out), GH_E_INVALID);
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        assert_gh(gh_sid_new(bad[i], out), GH_E_INVALID);
    }
}

static void
sid_parse_canonicalises_to_lowercase(void **state)
{
    char out[GH_SID_SIZE];

    (void)state;
    assert_gh(gh_sid_parse("AC0123456789ABCDEF0123456789ABCDEF", "AC", out), GH_OK);
    assert_string_equal(out, "AC" SID_HEX);
    assert_gh(gh_sid_parse("AC0123456789aBcDeF0123456789AbCdEf", "AC", out), GH_OK);
    assert_string_equal(out, "AC" SID_HEX);
    assert_gh(gh_sid_parse("AC" SID_HEX, "AC", out), GH_OK);
    assert_string_equal(out, "AC" SID_HEX);
    /* NULL prefix: any two upper-case letters; the prefix itself is never folded. */
    assert_gh(gh_sid_parse("SKFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", NULL, out), GH_OK);
    assert_string_equal(out, "SKffffffffffffffffffffffffffffffff");
}

static void
sid_parse_refuses_malformed(void **state)
{
    static const char *const bad[] = {
        "",
        "AC",
        "AC0123456789abcdef0123456789abcde",   /* 31 hex */
        "AC0123456789abcdef0123456789abcdef0", /* 33 hex */
        "AC0123456789abcdef0123456789abcdeg",  /* not hex */
        "ac0123456789abcdef0123456789abcdef",  /* lower-case prefix */
        "SK0123456789abcdef0123456789abcdef",  /* another type */
        " AC0123456789abcdef0123456789abcde",
        "AC0123456789abcdef0123456789abcde ",
        "AC0123456789abcdef 123456789abcdef",
        "AC0123456789abcdef0123456789abcd\xC3\xA9",
        "AC0123456789abcdef\n123456789abcdef",
    };
    char out[GH_SID_SIZE];

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        memcpy(out, "stale", 6);
        assert_gh(gh_sid_parse(bad[i], "AC", out), GH_E_INVALID);
        assert_string_equal(out, "");
        assert_false(gh_sid_valid(bad[i], "AC"));
    }
    assert_gh(gh_sid_parse(NULL, "AC", out), GH_E_INVALID);
    assert_false(gh_sid_valid(NULL, NULL));
    /* With no prefix given, the first two characters must still be upper-case letters. */
    assert_gh(gh_sid_parse("a10123456789abcdef0123456789abcdef", NULL, out), GH_E_INVALID);
    assert_gh(gh_sid_parse("120123456789abcdef0123456789abcdef", NULL, out), GH_E_INVALID);
}

/* ---- secrets ---- */

static void
auth_token_is_32_lower_hex(void **state)
{
    char a[GH_SECRET_SIZE];
    char b[GH_SECRET_SIZE];

    (void)state;
    assert_gh(gh_auth_token_new(a), GH_OK);
    assert_gh(gh_auth_token_new(b), GH_OK);
    assert_int_equal(strlen(a), GH_AUTH_TOKEN_LEN);
    assert_true(all_lower_hex(a, GH_AUTH_TOKEN_LEN));
    assert_true(all_lower_hex(b, GH_AUTH_TOKEN_LEN));
    assert_string_not_equal(a, b);
}

static int
alnum_index(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return 26 + c - 'a';
    }
    if (c >= '0' && c <= '9') {
        return 52 + c - '0';
    }
    return -1;
}

static void
key_secret_is_32_alnum(void **state)
{
    char a[GH_SECRET_SIZE];
    char b[GH_SECRET_SIZE];

    (void)state;
    assert_gh(gh_key_secret_new(a), GH_OK);
    assert_gh(gh_key_secret_new(b), GH_OK);
    assert_int_equal(strlen(a), GH_KEY_SECRET_LEN);
    for (size_t i = 0; i < GH_KEY_SECRET_LEN; i++) {
        assert_true(alnum_index(a[i]) >= 0);
    }
    assert_string_not_equal(a, b);
}

/*
 * A rough uniformity check: 64,000 characters, about 1,032 per symbol.  Every symbol must
 * appear, and none may stray by a quarter (about 8 standard deviations: a false alarm is not a
 * practical possibility, while a modulo bias or a missing range shows at once).
 */
static void
key_secret_uses_every_symbol_uniformly(void **state)
{
    enum { SECRETS = 2000 };
    unsigned counts[62] = {0};
    const double expect = (double)SECRETS * GH_KEY_SECRET_LEN / 62.0;
    char s[GH_SECRET_SIZE];

    (void)state;
    for (int n = 0; n < SECRETS; n++) {
        assert_gh(gh_key_secret_new(s), GH_OK);
        for (size_t i = 0; i < GH_KEY_SECRET_LEN; i++) {
            int k = alnum_index(s[i]);

            assert_true(k >= 0);
            counts[k]++;
        }
    }
    for (int k = 0; k < 62; k++) {
        if (counts[k] == 0 || counts[k] < expect * 0.75 || counts[k] > expect * 1.25) {
            fail_msg("symbol %d appeared %u times (expected about %.0f)", k, counts[k], expect);
        }
    }
}

static void
wipe_zeroes_and_accepts_null(void **state)
{
    char buf[16];

    (void)state;
    memset(buf, 'x', sizeof(buf));
    gh_wipe(buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++) {
        assert_int_equal(buf[i], 0);
    }
    gh_wipe(NULL, 10);
    gh_wipe(buf, 0);
}

/* ---- HTTP Basic ---- */

/* "<scheme>" + base64(raw[0..len)) into out. */
static void
basic_of(const char *scheme, const void *raw, size_t len, char *out, size_t cap)
{
    size_t head = strlen(scheme);

    assert_true(cap > head + sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL));
    memcpy(out, scheme, head);
    sodium_bin2base64(out + head, cap - head, raw, len, sodium_base64_VARIANT_ORIGINAL);
}

struct decoded {
    char user[GH_SID_SIZE];
    char pass[GH_PASSWORD_MAX_LEN + 1];
    size_t pass_len;
};

static gh_err
decode(const char *value, struct decoded *d)
{
    memset(d, 'X', sizeof(*d) - sizeof(d->pass_len));
    d->pass_len = 999;
    return gh_basic_auth_decode(value, d->user, sizeof(d->user), d->pass, sizeof(d->pass),
                                &d->pass_len);
}

static void
assert_refused(const char *value)
{
    struct decoded d;

    assert_gh(decode(value, &d), GH_E_DENIED);
    assert_string_equal(d.user, "");
    assert_string_equal(d.pass, "");
    assert_int_equal(d.pass_len, 0);
    /* Nothing decoded is left behind: each byte is wiped or still the caller's filler. */
    for (size_t i = 0; i < sizeof(d.pass); i++) {
        assert_true(d.pass[i] == 0 || d.pass[i] == 'X');
    }
}

static void
assert_raw_refused(const void *raw, size_t len)
{
    char value[1024];

    basic_of("Basic ", raw, len, value, sizeof(value));
    assert_refused(value);
}

static void
basic_decodes_sid_and_token(void **state)
{
    const char raw[] = "AC" SID_HEX ":" SID_HEX;
    char value[256];
    struct decoded d;

    (void)state;
    basic_of("Basic ", raw, strlen(raw), value, sizeof(value));
    assert_gh(decode(value, &d), GH_OK);
    assert_string_equal(d.user, "AC" SID_HEX);
    assert_string_equal(d.pass, SID_HEX);
    assert_int_equal(d.pass_len, 32);
    /* The scheme is case-insensitive (RFC 7235 section 2.1). */
    basic_of("basic ", raw, strlen(raw), value, sizeof(value));
    assert_gh(decode(value, &d), GH_OK);
    assert_string_equal(d.user, "AC" SID_HEX);
    basic_of("BASIC  ", raw, strlen(raw), value, sizeof(value));
    assert_gh(decode(value, &d), GH_OK);
    assert_string_equal(d.pass, SID_HEX);
}

static void
basic_password_keeps_its_colons(void **state)
{
    const char raw[] = "SK" SID_HEX ":a:b::c:";
    char value[256];
    struct decoded d;

    (void)state;
    basic_of("Basic ", raw, strlen(raw), value, sizeof(value));
    assert_gh(decode(value, &d), GH_OK);
    assert_string_equal(d.user, "SK" SID_HEX);
    assert_string_equal(d.pass, "a:b::c:");
    assert_int_equal(d.pass_len, 7);
}

static void
basic_empty_password_decodes_empty(void **state)
{
    const char raw[] = "AC" SID_HEX ":";
    char value[256];
    struct decoded d;

    (void)state;
    basic_of("Basic ", raw, strlen(raw), value, sizeof(value));
    assert_gh(decode(value, &d), GH_OK);
    assert_string_equal(d.pass, "");
    assert_int_equal(d.pass_len, 0);
}

static void
basic_refuses_missing_colon(void **state)
{
    (void)state;
    assert_raw_refused("AC" SID_HEX, 34);
    assert_raw_refused("", 0);
    assert_raw_refused("x", 1);
}

static void
basic_refuses_bad_base64(void **state)
{
    static const char *const bad[] = {
        "Basic !!!!",
        "Basic QUM6eA",       /* "AC:x" without its padding */
        "Basic QUM6eA==QQ==", /* data after the padding */
        "Basic QUM6 eA==",    /* space inside */
        "Basic QUM6eA==\r\n",
        "Basic QUM6eA== ",
        "Basic QUM6eA===",
        "Basic QUM-eA==", /* URL-safe alphabet */
        "Basic \xC3\xA9\xC3\xA9",
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        assert_refused(bad[i]);
    }
}

static void
basic_refuses_wrong_scheme(void **state)
{
    static const char *const bad[] = {
        "",
        "Basic",
        "Basic:QUM6eA==",
        "BasicQUM6eA==",
        "Bearer QUM6eA==",
        "Digest QUM6eA==",
        " Basic QUM6eA==",
        "Basi QUM6eA==",
        "Basic\tQUM6eA==",
    };
    struct decoded d;

    (void)state;
    assert_gh(decode("Basic QUM6eA==", &d), GH_OK); /* "AC:x": the control case */
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        assert_refused(bad[i]);
    }
}

static void
basic_refuses_embedded_nul(void **state)
{
    (void)state;
    assert_raw_refused("AC" SID_HEX ":tok\0en", 42);
    assert_raw_refused("AC" SID_HEX "\0:token", 41);
    assert_raw_refused("\0:x", 3);
    assert_raw_refused("AC" SID_HEX ":\0", 36);
}

static void
basic_refuses_too_long(void **state)
{
    char raw[600];
    char value[1024];
    struct decoded d;
    char user[8];
    char pass[8];
    size_t pass_len = 0;

    (void)state;
    /* The longest password considered fits exactly ... */
    memcpy(raw, "AC" SID_HEX ":", 35);
    memset(raw + 35, 'p', GH_PASSWORD_MAX_LEN);
    basic_of("Basic ", raw, 35 + GH_PASSWORD_MAX_LEN, value, sizeof(value));
    assert_gh(decode(value, &d), GH_OK);
    assert_int_equal(d.pass_len, GH_PASSWORD_MAX_LEN);
    /* ... one byte more does not, nor does anything much longer. */
    memset(raw + 35, 'p', GH_PASSWORD_MAX_LEN + 1);
    assert_raw_refused(raw, 35 + GH_PASSWORD_MAX_LEN + 1);
    memset(raw, 'u', sizeof(raw));
    raw[1] = ':';
    assert_raw_refused(raw, sizeof(raw));
    /* A user name one byte longer than a SID does not fit user[GH_SID_SIZE]. */
    memcpy(raw, "AC" SID_HEX "0:tok", 40);
    assert_raw_refused(raw, 40);
    /* Small caller buffers: user and password each limited by their own cap. */
    basic_of("Basic ", "AC1:pw", 6, value, sizeof(value));
    assert_gh(gh_basic_auth_decode(value, user, sizeof(user), pass, sizeof(pass), &pass_len),
              GH_OK);
    assert_gh(gh_basic_auth_decode(value, user, 3, pass, sizeof(pass), &pass_len), GH_E_DENIED);
    assert_gh(gh_basic_auth_decode(value, user, sizeof(user), pass, 2, &pass_len), GH_E_DENIED);
    assert_gh(gh_basic_auth_decode(value, user, sizeof(user), pass, 3, &pass_len), GH_OK);
}

static void
basic_refuses_null_and_empty_buffers(void **state)
{
    char user[GH_SID_SIZE];
    char pass[64];
    size_t len = 0;

    (void)state;
    assert_gh(gh_basic_auth_decode(NULL, user, sizeof(user), pass, sizeof(pass), &len),
              GH_E_DENIED);
    assert_gh(gh_basic_auth_decode("Basic QUM6eA==", NULL, 8, pass, sizeof(pass), &len),
              GH_E_DENIED);
    assert_gh(gh_basic_auth_decode("Basic QUM6eA==", user, sizeof(user), NULL, 8, &len),
              GH_E_DENIED);
    assert_gh(gh_basic_auth_decode("Basic QUM6eA==", user, sizeof(user), pass, sizeof(pass), NULL),
              GH_E_DENIED);
    assert_gh(gh_basic_auth_decode("Basic QUM6eA==", user, 0, pass, sizeof(pass), &len),
              GH_E_DENIED);
    assert_gh(gh_basic_auth_decode("Basic QUM6eA==", user, sizeof(user), pass, 0, &len),
              GH_E_DENIED);
}

/*
 * Regression (found by tests/fuzz/basic_auth): libsodium 1.0.18 reads every byte 0x80..0xFF as
 * the base64 digit '/', so "YWJj" with '/' swapped for a high byte decoded.  Not base64: refused.
 */
static void
basic_refuses_bytes_outside_the_base64_alphabet(void **state)
{
    struct decoded d;

    (void)state;
    /* "ab?:c" where '?' = 0xff: base64 "YWL/OmM=" decodes; with 0x80 instead of '/' it must not */
    assert_gh(decode("Basic YWL/OmM=", &d), GH_OK);
    assert_refused("Basic YWL\x80OmM=");
    assert_refused("Basic YWL\xffOmM=");
    assert_refused("Basic YWL-OmM="); /* base64url is not Basic's alphabet */
    assert_refused("Basic YWL_OmM=");
    assert_true(gh__b64_alphabet_ok("AZaz09+/=", 9));
    assert_false(gh__b64_alphabet_ok("\x80", 1));
    assert_false(gh__b64_alphabet_ok("a b", 3));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sid_new_has_prefix_and_32_lower_hex),
        cmocka_unit_test(sid_new_refuses_bad_prefixes),
        cmocka_unit_test(sid_parse_canonicalises_to_lowercase),
        cmocka_unit_test(sid_parse_refuses_malformed),
        cmocka_unit_test(auth_token_is_32_lower_hex),
        cmocka_unit_test(key_secret_is_32_alnum),
        cmocka_unit_test(key_secret_uses_every_symbol_uniformly),
        cmocka_unit_test(wipe_zeroes_and_accepts_null),
        cmocka_unit_test(basic_decodes_sid_and_token),
        cmocka_unit_test(basic_refuses_bytes_outside_the_base64_alphabet),
        cmocka_unit_test(basic_password_keeps_its_colons),
        cmocka_unit_test(basic_empty_password_decodes_empty),
        cmocka_unit_test(basic_refuses_missing_colon),
        cmocka_unit_test(basic_refuses_bad_base64),
        cmocka_unit_test(basic_refuses_wrong_scheme),
        cmocka_unit_test(basic_refuses_embedded_nul),
        cmocka_unit_test(basic_refuses_too_long),
        cmocka_unit_test(basic_refuses_null_and_empty_buffers),
    };

    test_tap_output();
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests_name("credential", tests, NULL, NULL);
}
