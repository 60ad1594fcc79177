/*
 * access_token_test.c -- lib/crypto/access_token.c: the official library's samples
 * (../shared/twilio/access-token-sample.json) signed byte for byte and parsed back, and every
 * rule of RFC 8725 as a forged or broken token: none and asymmetric algorithms, the header's
 * algorithm against the key's, typ and cty, strict base64url, duplicate keys, the size cap,
 * the claims' types, the signature, and the times (expired, not yet valid, over 24 hours or
 * over an account's cap).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "internal.h"

#include "helpers.h"

#define ACCOUNT "AC0123456789abcdef0123456789abcdef"
#define KEY     "SKfedcba9876543210fedcba9876543210"
#define SECRET  "gatehouseTestSecret0123456789ABC"
#define IAT     INT64_C(1700000000)

static json_t *samples;

static int
setup(void **state)
{
    char path[PATH_MAX];

    (void)state;
    test_vectors_path("../twilio/access-token-sample.json", path);
    samples = json_load_file(path, 0, NULL);
    return samples != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    json_decref(samples);
    return 0;
}

static const char *
sample(const char *name, const char *field)
{
    const char *v = json_string_value(json_object_get(json_object_get(samples, name), field));

    assert_non_null(v);
    return v;
}

static struct gh_access_token_spec
base_spec(void)
{
    struct gh_access_token_spec s;

    memset(&s, 0, sizeof(s));
    s.account_sid = ACCOUNT;
    s.key_sid = KEY;
    s.identity = "alice";
    s.iat = IAT;
    s.ttl_s = 3600;
    s.alg = GH_JWT_HS256;
    return s;
}

static void
signs_the_official_samples_byte_for_byte(void **state)
{
    struct gh_access_token_spec s = base_spec();
    char token[GH_JWT_SIZE];
    json_t *all =
        json_object_get(json_object_get(samples, "all_grants_ttl600_nbf_region"), "payload");
    char *grants;

    (void)state;
    assert_gh(gh_access_token_sign(&s, SECRET, strlen(SECRET), token), GH_OK);
    assert_string_equal(token, sample("minimal_default_ttl", "jwt"));

    /* Every grant, nbf, a 600 s lifetime and a region: the same bytes again. */
    json_t *g = json_deep_copy(json_object_get(all, "grants"));
    assert_int_equal(json_object_del(g, "identity"), 0);
    grants = json_dumps(g, JSON_COMPACT | JSON_PRESERVE_ORDER);
    s.identity = "bob@example.com";
    s.grants_json = grants;
    s.ttl_s = 600;
    s.nbf = IAT - 10;
    s.region = "ie1";
    assert_gh(gh_access_token_sign(&s, SECRET, strlen(SECRET), token), GH_OK);
    assert_string_equal(token, sample("all_grants_ttl600_nbf_region", "jwt"));
    free(grants);
    json_decref(g);
}

static void
parses_and_verifies_the_samples(void **state)
{
    const char *jwt = sample("minimal_default_ttl", "jwt");
    struct gh_access_token t;

    (void)state;
    assert_gh(gh_access_token_parse(jwt, strlen(jwt), &t), GH_OK);
    assert_int_equal(t.alg, GH_JWT_HS256);
    assert_string_equal(t.iss, KEY);
    assert_string_equal(t.sub, ACCOUNT);
    assert_string_equal(t.jti, KEY "-1700000000");
    assert_string_equal(t.identity, "alice");
    assert_true(t.has_iat && !t.has_nbf);
    assert_int_equal(t.exp, IAT + 3600);
    assert_gh(gh_access_token_check_signature(&t, GH_JWT_HS256, SECRET, strlen(SECRET)), GH_OK);
    assert_gh(gh_access_token_check_times(&t, IAT + 10, 0), GH_OK);
    jwt = sample("all_grants_ttl600_nbf_region", "jwt");
    assert_gh(gh_access_token_parse(jwt, strlen(jwt), &t), GH_OK);
    assert_true(t.has_nbf);
    assert_int_equal(t.nbf, IAT - 10);
    assert_gh(gh_access_token_check_signature(&t, GH_JWT_HS256, SECRET, strlen(SECRET)), GH_OK);
}

/* ---- forging ---- */

static void
b64url(const char *in, size_t len, char *out, size_t cap)
{
    sodium_bin2base64(out, cap, (const unsigned char *)in, len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* A token from raw header and payload JSON, signed with HMAC(md) under secret. */
static void
forge(const char *header, const char *payload, const EVP_MD *md, const char *secret, char *out,
      size_t cap)
{
    char h[4096], p[8192];
    unsigned char mac[64];
    unsigned int n = 0;
    char sig[128];

    b64url(header, strlen(header), h, sizeof(h));
    b64url(payload, strlen(payload), p, sizeof(p));
    snprintf(out, cap, "%s.%s", h, p);
    HMAC(md, secret, (int)strlen(secret), (const unsigned char *)out, strlen(out), mac, &n);
    b64url((const char *)mac, n, sig, sizeof(sig));
    snprintf(out + strlen(out), cap - strlen(out), ".%s", sig);
}

#define H256 "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=1\"}"
#define PAYLOAD(extra)                                                                             \
    "{\"jti\":\"" KEY "-1700000000\",\"grants\":{\"identity\":\"alice\"},\"iat\":1700000000,"      \
    "\"exp\":1700003600,\"iss\":\"" KEY "\",\"sub\":\"" ACCOUNT "\"" extra "}"

static gh_err
parse_forged(const char *header, const char *payload)
{
    static char token[16384];
    struct gh_access_token t;

    forge(header, payload, EVP_sha256(), SECRET, token, sizeof(token));
    return gh_access_token_parse(token, strlen(token), &t);
}

static void
refuses_forbidden_headers(void **state)
{
    static const char *const bad[] = {
        "{\"alg\":\"none\",\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=1\"}",
        "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=1\"}",
        "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=1\"}",
        "{\"alg\":\"PS256\",\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=1\"}",
        "{\"alg\":\"hs256\",\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=1\"}",
        "{\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=1\"}",
        "{\"alg\":\"HS256\",\"cty\":\"twilio-fpa;v=1\"}",
        "{\"alg\":\"HS256\",\"typ\":\"JWS\",\"cty\":\"twilio-fpa;v=1\"}",
        "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
        "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=2\"}",
        "{\"alg\":\"HS256\",\"alg\":\"none\",\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=1\"}",
        "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=1\",\"crit\":[\"x\"]}",
        "[\"HS256\"]",
        "not json",
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        assert_gh(parse_forged(bad[i], PAYLOAD("")), GH_E_TOKEN_INVALID);
    }
    /* Header keys in another order (Twilio's docs write typ first) are fine. */
    assert_gh(
        parse_forged("{\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=1\",\"alg\":\"HS256\"}", PAYLOAD("")),
        GH_OK);
}

static void
refuses_malformed_claims(void **state)
{
    static const char *const bad[] = {
        "{\"grants\":{},\"exp\":1700003600,\"iss\":\"" KEY "\",\"sub\":\"" ACCOUNT "\"}",
        "{\"jti\":\"x\",\"grants\":{},\"exp\":1700003600,\"iss\":"
        "\"AC0123456789abcdef0123456789abcdef\","
        "\"sub\":\"" ACCOUNT "\"}",
        "{\"jti\":\"x\",\"grants\":{},\"exp\":1700003600,\"iss\":\"" KEY "\",\"sub\":\"" KEY "\"}",
        "{\"jti\":\"x\",\"grants\":{},\"iss\":\"" KEY "\",\"sub\":\"" ACCOUNT "\"}",
        "{\"jti\":\"x\",\"grants\":{},\"exp\":\"1700003600\",\"iss\":\"" KEY "\",\"sub\":\"" ACCOUNT
        "\"}",
        "{\"jti\":\"x\",\"grants\":{},\"exp\":1.7e9,\"iss\":\"" KEY "\",\"sub\":\"" ACCOUNT "\"}",
        "{\"jti\":\"x\",\"grants\":{},\"exp\":-1,\"iss\":\"" KEY "\",\"sub\":\"" ACCOUNT "\"}",
        "{\"jti\":\"x\",\"exp\":1700003600,\"iss\":\"" KEY "\",\"sub\":\"" ACCOUNT "\"}",
        "{\"jti\":\"x\",\"grants\":[],\"exp\":1700003600,\"iss\":\"" KEY "\",\"sub\":\"" ACCOUNT
        "\"}",
        "{\"jti\":\"x\",\"grants\":{\"identity\":7},\"exp\":1700003600,\"iss\":\"" KEY
        "\",\"sub\":\"" ACCOUNT "\"}",
        PAYLOAD(",\"exp\":1800000000"), /* a duplicate key */
        PAYLOAD(",\"nbf\":\"soon\""),
        PAYLOAD(",\"grants\":{}"),
        "[1,2,3]",
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        assert_gh(parse_forged(H256, bad[i]), GH_E_TOKEN_INVALID);
    }
    assert_gh(parse_forged(H256, PAYLOAD(",\"nbf\":1699999990")), GH_OK);
}

static void
refuses_broken_framing(void **state)
{
    const char *good = sample("minimal_default_ttl", "jwt");
    char t[GH_JWT_MAX + 64];
    struct gh_access_token out;
    size_t n = strlen(good);
    const char *dot = strchr(good, '.');

    (void)state;
    /* Two parts, four parts, an empty signature. */
    assert_gh(gh_access_token_parse(good, (size_t)(strrchr(good, '.') - good), &out),
              GH_E_TOKEN_INVALID);
    snprintf(t, sizeof(t), "%s.xyz", good);
    assert_gh(gh_access_token_parse(t, strlen(t), &out), GH_E_TOKEN_INVALID);
    snprintf(t, sizeof(t), "%.*s.", (int)(strrchr(good, '.') - good), good);
    assert_gh(gh_access_token_parse(t, strlen(t), &out), GH_E_TOKEN_INVALID);
    /* Padding, and characters outside base64url ('+' '/' and a high byte). */
    snprintf(t, sizeof(t), "%.*s=%s", (int)(dot - good), good, dot);
    assert_gh(gh_access_token_parse(t, strlen(t), &out), GH_E_TOKEN_INVALID);
    memcpy(t, good, n + 1);
    t[5] = '+';
    assert_gh(gh_access_token_parse(t, n, &out), GH_E_TOKEN_INVALID);
    t[5] = '/';
    assert_gh(gh_access_token_parse(t, n, &out), GH_E_TOKEN_INVALID);
    t[5] = (char)0xe9;
    assert_gh(gh_access_token_parse(t, n, &out), GH_E_TOKEN_INVALID);
    /* A NUL inside, nothing at all, and more than 8 KiB. */
    memcpy(t, good, n + 1);
    t[10] = '\0';
    assert_gh(gh_access_token_parse(t, n, &out), GH_E_TOKEN_INVALID);
    assert_gh(gh_access_token_parse("", 0, &out), GH_E_TOKEN_INVALID);
    memset(t, 'a', sizeof(t));
    memcpy(t, good, n);
    assert_gh(gh_access_token_parse(t, GH_JWT_MAX + 1, &out), GH_E_TOKEN_INVALID);
}

static void
checks_the_signature_with_the_keys_algorithm(void **state)
{
    static char token[16384];
    struct gh_access_token t;
    const char *good = sample("minimal_default_ttl", "jwt");
    char bad[GH_JWT_SIZE];
    size_t n = strlen(good);

    (void)state;
    assert_gh(gh_access_token_parse(good, n, &t), GH_OK);
    assert_gh(gh_access_token_check_signature(&t, GH_JWT_HS256, "another secret", 14),
              GH_E_TOKEN_SIGNATURE);
    /* The key says HS512: a token whose header says HS256 is refused, whatever it carries. */
    assert_gh(gh_access_token_check_signature(&t, GH_JWT_HS512, SECRET, strlen(SECRET)),
              GH_E_TOKEN_INVALID);
    /* A flipped signature byte, a truncated signature, a payload changed after signing. */
    memcpy(bad, good, n + 1);
    bad[n - 2] = bad[n - 2] == 'A' ? 'B' : 'A';
    assert_gh(gh_access_token_parse(bad, n, &t), GH_OK);
    assert_gh(gh_access_token_check_signature(&t, GH_JWT_HS256, SECRET, strlen(SECRET)),
              GH_E_TOKEN_SIGNATURE);
    assert_gh(gh_access_token_parse(good, n - 3, &t), GH_OK); /* 40 characters: 30 bytes */
    assert_gh(gh_access_token_check_signature(&t, GH_JWT_HS256, SECRET, strlen(SECRET)),
              GH_E_TOKEN_SIGNATURE);
    forge(H256, PAYLOAD(",\"nbf\":1"), EVP_sha256(), SECRET, token, sizeof(token));
    memcpy(strrchr(token, '.'), strrchr(good, '.'), strlen(strrchr(good, '.')) + 1);
    assert_gh(gh_access_token_parse(token, strlen(token), &t), GH_OK);
    assert_gh(gh_access_token_check_signature(&t, GH_JWT_HS256, SECRET, strlen(SECRET)),
              GH_E_TOKEN_SIGNATURE);
    /* HS384 and HS512 round-trip. */
    forge("{\"alg\":\"HS512\",\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=1\"}", PAYLOAD(""),
          EVP_sha512(), SECRET, token, sizeof(token));
    assert_gh(gh_access_token_parse(token, strlen(token), &t), GH_OK);
    assert_gh(gh_access_token_check_signature(&t, GH_JWT_HS512, SECRET, strlen(SECRET)), GH_OK);
    forge("{\"alg\":\"HS384\",\"typ\":\"JWT\",\"cty\":\"twilio-fpa;v=1\"}", PAYLOAD(""),
          EVP_sha384(), SECRET, token, sizeof(token));
    assert_gh(gh_access_token_parse(token, strlen(token), &t), GH_OK);
    assert_gh(gh_access_token_check_signature(&t, GH_JWT_HS384, SECRET, strlen(SECRET)), GH_OK);
}

static void
checks_the_times(void **state)
{
    static char token[16384];
    struct gh_access_token t;

    (void)state;
    forge(H256, PAYLOAD(""), EVP_sha256(), SECRET, token, sizeof(token));
    assert_gh(gh_access_token_parse(token, strlen(token), &t), GH_OK);
    assert_gh(gh_access_token_check_times(&t, IAT + 3599, 0), GH_OK);
    assert_gh(gh_access_token_check_times(&t, IAT + 3600, 0), GH_E_TOKEN_EXPIRED);
    assert_gh(gh_access_token_check_times(&t, IAT, 600), GH_E_TOKEN_TTL); /* an account's cap */
    forge(H256, PAYLOAD(",\"nbf\":1700000100"), EVP_sha256(), SECRET, token, sizeof(token));
    assert_gh(gh_access_token_parse(token, strlen(token), &t), GH_OK);
    assert_gh(gh_access_token_check_times(&t, IAT + 99, 0), GH_E_TOKEN_NOT_YET);
    assert_gh(gh_access_token_check_times(&t, IAT + 100, 0), GH_OK);
    /* 24 hours and a second, counted from iat; from nbf when there is one. */
    forge(H256,
          "{\"jti\":\"" KEY "-1700000000\",\"grants\":{},\"iat\":1700000000,\"exp\":1700086401,"
          "\"iss\":\"" KEY "\",\"sub\":\"" ACCOUNT "\"}",
          EVP_sha256(), SECRET, token, sizeof(token));
    assert_gh(gh_access_token_parse(token, strlen(token), &t), GH_OK);
    assert_gh(gh_access_token_check_times(&t, IAT, 0), GH_E_TOKEN_TTL);
    forge(H256,
          "{\"jti\":\"j\",\"grants\":{},\"nbf\":1700000001,\"iat\":1600000000,\"exp\":1700086401,"
          "\"iss\":\"" KEY "\",\"sub\":\"" ACCOUNT "\"}",
          EVP_sha256(), SECRET, token, sizeof(token));
    assert_gh(gh_access_token_parse(token, strlen(token), &t), GH_OK);
    assert_gh(gh_access_token_check_times(&t, IAT + 1, 0), GH_OK);
    /* Neither iat nor nbf: the lifetime counts from now. */
    forge(H256,
          "{\"jti\":\"j\",\"grants\":{},\"exp\":1700090000,\"iss\":\"" KEY "\",\"sub\":\"" ACCOUNT
          "\"}",
          EVP_sha256(), SECRET, token, sizeof(token));
    assert_gh(gh_access_token_parse(token, strlen(token), &t), GH_OK);
    assert_gh(gh_access_token_check_times(&t, IAT, 0), GH_E_TOKEN_TTL);
    assert_gh(gh_access_token_check_times(&t, IAT + 10000, 0), GH_OK);
}

static void
sign_refuses_bad_specs(void **state)
{
    struct gh_access_token_spec s = base_spec();
    char token[GH_JWT_SIZE];
    char big[GH_JWT_GRANTS_MAX + 16];

    (void)state;
    s.identity = "";
    assert_gh(gh_access_token_sign(&s, SECRET, strlen(SECRET), token), GH_E_INVALID);
    s = base_spec();
    s.ttl_s = GH_JWT_TTL_MAX_S + 1;
    assert_gh(gh_access_token_sign(&s, SECRET, strlen(SECRET), token), GH_E_INVALID);
    s = base_spec();
    s.grants_json = "[1]";
    assert_gh(gh_access_token_sign(&s, SECRET, strlen(SECRET), token), GH_E_INVALID);
    s.grants_json = "{\"identity\":\"mallory\"}";
    assert_gh(gh_access_token_sign(&s, SECRET, strlen(SECRET), token), GH_E_INVALID);
    s.grants_json = "{\"video\":{},\"video\":{}}";
    assert_gh(gh_access_token_sign(&s, SECRET, strlen(SECRET), token), GH_E_INVALID);
    memset(big, ' ', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[0] = '{';
    big[sizeof(big) - 2] = '}';
    s.grants_json = big;
    assert_gh(gh_access_token_sign(&s, SECRET, strlen(SECRET), token), GH_E_INVALID);
    s = base_spec();
    s.key_sid = ACCOUNT;
    assert_gh(gh_access_token_sign(&s, SECRET, strlen(SECRET), token), GH_E_INVALID);
    s = base_spec();
    s.region = "ie1\",\"alg\":\"none";
    assert_gh(gh_access_token_sign(&s, SECRET, strlen(SECRET), token), GH_E_INVALID);
}

int
main(void)
{
#define T(fn) cmocka_unit_test(fn)
    const struct CMUnitTest tests[] = {
        T(signs_the_official_samples_byte_for_byte),
        T(parses_and_verifies_the_samples),
        T(refuses_forbidden_headers),
        T(refuses_malformed_claims),
        T(refuses_broken_framing),
        T(checks_the_signature_with_the_keys_algorithm),
        T(checks_the_times),
        T(sign_refuses_bad_specs),
    };
#undef T

    test_tap_output();
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests_name("access_token", tests, setup, teardown);
}
