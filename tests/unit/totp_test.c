/*
 * totp_test.c -- lib/crypto/totp.c against published values: every RFC 4226 Appendix D HOTP
 * value (and its 8-digit form), every RFC 6238 Appendix B TOTP value for SHA-1, SHA-256 and
 * SHA-512 (8 digits, and 6), the RFC 4648 base32 vectors and edge cases, and the otpauth://
 * example (../shared/vectors/); then the verifier's rules: the window of one step either side
 * (the vectors' window examples), replays of the same and of an earlier step, malformed codes,
 * parameter bounds, and the key URI's percent-encoding.  Nothing here measures time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>

#include "internal.h"

#include "helpers.h"

static json_t *hotp_doc;
static json_t *totp_doc;
static json_t *b32_doc;

static json_t *
load(const char *name)
{
    char path[PATH_MAX];
    json_error_t err;
    json_t *doc;

    test_vectors_path(name, path);
    doc = json_load_file(path, JSON_ALLOW_NUL, &err); /* a base32 case ends in a NUL */
    if (doc == NULL) {
        fprintf(stderr, "%s: %s (line %d)\n", path, err.text, err.line);
    }
    return doc;
}

static int
setup(void **state)
{
    (void)state;
    hotp_doc = load("hotp-rfc4226.json");
    totp_doc = load("totp-rfc6238.json");
    b32_doc = load("base32-otpauth.json");
    return hotp_doc != NULL && totp_doc != NULL && b32_doc != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    json_decref(hotp_doc);
    json_decref(totp_doc);
    json_decref(b32_doc);
    return 0;
}

/* ---- helpers ---- */

static const char *
str(const json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));

    assert_non_null(v);
    return v;
}

/* Decodes lower- or upper-case hex text into out; returns the byte count. */
static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;

    assert_int_equal(sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &n, NULL), 0);
    return n;
}

static struct gh_totp_params
params(enum gh_totp_alg alg, unsigned digits)
{
    struct gh_totp_params p = GH_TOTP_PARAMS_DEFAULT;

    p.alg = alg;
    p.digits = digits;
    return p;
}

/* verify, expecting GH_OK; returns the verdict and puts the step in *step. */
static enum gh_totp_verdict
check(const struct gh_totp_params *p, const uint8_t *secret, size_t len, const char *code,
      int64_t now, int64_t last, int64_t *step)
{
    enum gh_totp_verdict v = GH_TOTP_MATCH;
    int64_t s = 12345;

    assert_gh(gh_totp_verify(p, secret, len, code, now, last, &v, &s), GH_OK);
    if (v == GH_TOTP_WRONG) {
        assert_int_equal(s, -1);
    }
    if (step != NULL) {
        *step = s;
    }
    return v;
}

/* The RFC 6238 seed for mode ("SHA1", "SHA256", "SHA512"). */
static size_t
seed(const char *mode, uint8_t out[GH_TOTP_SECRET_MAX])
{
    json_t *s = json_object_get(json_object_get(totp_doc, "seeds"), mode);

    return unhex(str(s, "hex"), out, GH_TOTP_SECRET_MAX);
}

/* ---- known answers ---- */

static void
hotp_matches_rfc4226_appendix_d(void **state)
{
    uint8_t secret[GH_TOTP_SECRET_MAX];
    size_t len = unhex(str(hotp_doc, "secret_hex"), secret, sizeof(secret));
    struct gh_totp_params six = params(GH_TOTP_SHA1, 6);
    struct gh_totp_params eight = params(GH_TOTP_SHA1, 8);
    char code[GH_TOTP_CODE_SIZE];
    size_t i, n = 0;
    json_t *v;

    (void)state;
    json_array_foreach (json_object_get(hotp_doc, "vectors"), i, v) {
        uint64_t counter = (uint64_t)json_integer_value(json_object_get(v, "counter"));

        assert_gh(gh_hotp_code(&six, secret, len, counter, code), GH_OK);
        assert_string_equal(code, str(v, "hotp_6"));
        assert_gh(gh_hotp_code(&eight, secret, len, counter, code), GH_OK);
        assert_string_equal(code, str(v, "hotp_8_derived"));
        n++;
    }
    assert_int_equal(n, 10);
}

static void
totp_matches_rfc6238_appendix_b(void **state)
{
    size_t i, n = 0;
    json_t *v;

    (void)state;
    json_array_foreach (json_object_get(totp_doc, "vectors"), i, v) {
        const char *mode = str(v, "mode");
        int64_t t = json_integer_value(json_object_get(v, "time"));
        int64_t expected_step = (int64_t)strtoll(str(v, "T_hex"), NULL, 16);
        uint8_t secret[GH_TOTP_SECRET_MAX];
        size_t len = seed(mode, secret);
        enum gh_totp_alg alg = GH_TOTP_SHA1;
        struct gh_totp_params p;
        char code[GH_TOTP_CODE_SIZE];
        int64_t step = 0;

        assert_gh(gh_totp_alg_parse(mode, &alg), GH_OK);
        p = params(alg, 8);
        assert_int_equal(gh_totp_step(&p, t), expected_step);
        assert_gh(gh_totp_code(&p, secret, len, t, code), GH_OK);
        assert_string_equal(code, str(v, "totp_8"));
        assert_int_equal(check(&p, secret, len, str(v, "totp_8"), t, GH_TOTP_NO_STEP, &step),
                         GH_TOTP_MATCH);
        assert_int_equal(step, expected_step);

        p.digits = 6;
        assert_gh(gh_totp_code(&p, secret, len, t, code), GH_OK);
        assert_string_equal(code, str(v, "totp_6_derived"));
        assert_int_equal(check(&p, secret, len, code, t, GH_TOTP_NO_STEP, &step), GH_TOTP_MATCH);
        /* The 8-digit code is not a 6-digit factor's code, and the reverse. */
        assert_int_equal(check(&p, secret, len, str(v, "totp_8"), t, GH_TOTP_NO_STEP, NULL),
                         GH_TOTP_WRONG);
        p.digits = 8;
        assert_int_equal(check(&p, secret, len, code, t, GH_TOTP_NO_STEP, NULL), GH_TOTP_WRONG);
        n++;
    }
    assert_int_equal(n, 18);
}

static void
algorithm_names(void **state)
{
    enum gh_totp_alg alg = GH_TOTP_SHA1;

    (void)state;
    assert_string_equal(gh_totp_alg_name(GH_TOTP_SHA1), "SHA1");
    assert_string_equal(gh_totp_alg_name(GH_TOTP_SHA256), "SHA256");
    assert_string_equal(gh_totp_alg_name(GH_TOTP_SHA512), "SHA512");
    assert_null(gh_totp_alg_name((enum gh_totp_alg)3));
    assert_gh(gh_totp_alg_parse("SHA512", &alg), GH_OK);
    assert_int_equal(alg, GH_TOTP_SHA512);
    assert_gh(gh_totp_alg_parse("sha1", &alg), GH_E_INVALID);
    assert_gh(gh_totp_alg_parse("SHA", &alg), GH_E_INVALID);
    assert_gh(gh_totp_alg_parse("SHA2561", &alg), GH_E_INVALID);
    assert_gh(gh_totp_alg_parse("", &alg), GH_E_INVALID);
    assert_gh(gh_totp_alg_parse(NULL, &alg), GH_E_INVALID);
}

/* ---- base32 ---- */

static void
base32_rfc4648_vectors(void **state)
{
    size_t i;
    json_t *v;

    (void)state;
    json_array_foreach (json_object_get(b32_doc, "rfc4648_vectors"), i, v) {
        const char *plain = str(v, "plain");
        const char *padded = str(v, "encoded");
        char unpadded[32], enc[32];
        uint8_t dec[32];
        size_t n = strcspn(padded, "=");

        assert_true(n < sizeof(unpadded));
        memcpy(unpadded, padded, n);
        unpadded[n] = '\0';
        assert_gh(gh_base32_encode((const uint8_t *)plain, strlen(plain), enc, sizeof(enc)), GH_OK);
        assert_string_equal(enc, unpadded); /* no padding on output */
        assert_int_equal(strlen(enc), GH_BASE32_LEN(strlen(plain)));
        /* Padded and unpadded both decode. */
        assert_gh(gh_base32_decode(padded, strlen(padded), dec, sizeof(dec), &n), GH_OK);
        assert_int_equal(n, strlen(plain));
        assert_memory_equal(dec, plain, n);
        assert_gh(gh_base32_decode(unpadded, strlen(unpadded), dec, sizeof(dec), &n), GH_OK);
        assert_int_equal(n, strlen(plain));
        assert_memory_equal(dec, plain, n);
    }
}

/*
 * The vectors' edge cases.  Gatehouse decodes strictly (RFC 4648) but accepts lower case: so a
 * case must decode exactly when the strict mode accepts it, or the lenient mode accepts it and
 * the lenient mode's only extra (dropping spaces and hyphens) was not needed.
 */
static void
base32_edge_cases(void **state)
{
    size_t i, accepted = 0, refused = 0;
    json_t *v;

    (void)state;
    json_array_foreach (json_object_get(b32_doc, "cases"), i, v) {
        uint8_t in[256], out[128], want[128];
        size_t in_len = unhex(str(v, "input_hex"), in, sizeof(in));
        json_t *strict = json_object_get(v, "strict_rfc4648");
        json_t *lenient = json_object_get(v, "lenient_otpauth");
        int separators = memchr(in, ' ', in_len) != NULL || memchr(in, '-', in_len) != NULL;
        int ok = json_is_true(json_object_get(strict, "ok")) ||
                 (json_is_true(json_object_get(lenient, "ok")) && !separators);
        size_t n = 99;
        gh_err rc = gh_base32_decode((const char *)in, in_len, out, sizeof(out), &n);

        if (!ok) {
            assert_gh(rc, GH_E_INVALID);
            assert_int_equal(n, 0);
            refused++;
            continue;
        }
        assert_gh(rc, GH_OK);
        assert_int_equal(
            n, unhex(str(json_is_true(json_object_get(strict, "ok")) ? strict : lenient, "hex"),
                     want, sizeof(want)));
        assert_memory_equal(out, want, n);
        accepted++;
    }
    assert_true(accepted >= 8 && refused >= 10);
}

static void
base32_round_trips_and_limits(void **state)
{
    uint8_t bytes[GH_TOTP_SECRET_MAX], back[GH_TOTP_SECRET_MAX];
    char text[GH_TOTP_SECRET_B32_SIZE];
    size_t n = 0;

    (void)state;
    for (size_t len = 0; len <= sizeof(bytes); len++) {
        randombytes_buf(bytes, len);
        assert_gh(gh_base32_encode(bytes, len, text, sizeof(text)), GH_OK);
        assert_int_equal(strlen(text), GH_BASE32_LEN(len));
        assert_int_equal(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), strlen(text));
        assert_gh(gh_base32_decode(text, strlen(text), back, sizeof(back), &n), GH_OK);
        assert_int_equal(n, len);
        assert_memory_equal(back, bytes, len);
        for (char *c = text; *c != '\0'; c++) {
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        }
        assert_gh(gh_base32_decode(text, strlen(text), back, sizeof(back), &n), GH_OK);
        assert_int_equal(n, len);
        assert_memory_equal(back, bytes, len);
    }
    /* Every byte outside the alphabet is refused, wherever it is. */
    for (int c = 0; c < 256; c++) {
        char s[] = "GEZDGNBVGY3TQOJQ";
        int valid = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');

        s[5] = (char)c;
        assert_gh(gh_base32_decode(s, sizeof(s) - 1, back, sizeof(back), &n),
                  valid ? GH_OK : GH_E_INVALID);
    }
    /* Output room. */
    assert_gh(gh_base32_encode(bytes, 20, text, 32), GH_E_LIMIT);
    assert_string_equal(text, "");
    assert_gh(gh_base32_encode(bytes, 20, text, 33), GH_OK);
    assert_gh(gh_base32_decode("GEZDGNBVGY3TQOJQ", 16, back, 9, &n), GH_E_LIMIT);
    assert_int_equal(n, 0);
    assert_gh(gh_base32_decode("GEZDGNBVGY3TQOJQ", 16, back, 10, &n), GH_OK);
    assert_gh(gh_base32_encode(NULL, 1, text, sizeof(text)), GH_E_INVALID);
    assert_gh(gh_base32_decode(NULL, 1, back, sizeof(back), &n), GH_E_INVALID);
    /* Padding: complete or none, never inside. */
    assert_gh(gh_base32_decode("MZXW6===", 8, back, sizeof(back), &n), GH_OK);
    assert_gh(gh_base32_decode("MZXW6==", 7, back, sizeof(back), &n), GH_E_INVALID);
    assert_gh(gh_base32_decode("MZXW6====", 9, back, sizeof(back), &n), GH_E_INVALID);
    assert_gh(gh_base32_decode("MZXW6YTB========", 16, back, sizeof(back), &n), GH_E_INVALID);
    assert_gh(gh_base32_decode("========", 8, back, sizeof(back), &n), GH_E_INVALID);
    assert_gh(gh_base32_decode("MZ=XW6==", 8, back, sizeof(back), &n), GH_E_INVALID);
}

static void
new_secrets_are_160_random_bits(void **state)
{
    uint8_t a[GH_TOTP_SECRET_LEN], b[GH_TOTP_SECRET_LEN];
    char text[GH_TOTP_SECRET_B32_SIZE];

    (void)state;
    assert_int_equal(GH_TOTP_SECRET_LEN, 20);
    assert_gh(gh_totp_secret_new(a), GH_OK);
    assert_gh(gh_totp_secret_new(b), GH_OK);
    assert_memory_not_equal(a, b, sizeof(a));
    assert_gh(gh_base32_encode(a, sizeof(a), text, sizeof(text)), GH_OK);
    assert_int_equal(strlen(text), 32); /* a multiple of 8: no padding to leave out */
    assert_gh(gh_totp_secret_new(NULL), GH_E_INVALID);
}

/* ---- verification ---- */

static void
window_is_one_step_either_side(void **state)
{
    json_t *w = json_object_get(totp_doc, "window_examples");
    int64_t now = json_integer_value(json_object_get(w, "verifier_time"));
    struct gh_totp_params p = params(GH_TOTP_SHA1, 6);
    uint8_t secret[GH_TOTP_SECRET_MAX];
    size_t len = seed(str(w, "seed"), secret);
    size_t i, n = 0;
    json_t *c;

    (void)state;
    json_array_foreach (json_object_get(w, "codes"), i, c) {
        int64_t offset = json_integer_value(json_object_get(c, "step_offset"));
        int64_t t = json_integer_value(json_object_get(c, "T"));
        const char *code = str(c, "totp_6");
        int64_t step = 0;
        char mine[GH_TOTP_CODE_SIZE];

        assert_gh(gh_totp_code(&p, secret, len, t * 30, mine), GH_OK);
        assert_string_equal(mine, code);
        if (offset >= -1 && offset <= 1) {
            assert_int_equal(check(&p, secret, len, code, now, GH_TOTP_NO_STEP, &step),
                             GH_TOTP_MATCH);
            assert_int_equal(step, t);
            /* At both ends of now's step, too. */
            assert_int_equal(check(&p, secret, len, code, now / 30 * 30, -1, NULL), GH_TOTP_MATCH);
            assert_int_equal(check(&p, secret, len, code, now / 30 * 30 + 29, -1, NULL),
                             GH_TOTP_MATCH);
        } else {
            assert_int_equal(check(&p, secret, len, code, now, GH_TOTP_NO_STEP, NULL),
                             GH_TOTP_WRONG);
        }
        n++;
    }
    assert_int_equal(n, 5);
}

static void
window_with_other_algorithms_and_periods(void **state)
{
    uint8_t secret[GH_TOTP_SECRET_MAX];
    const int64_t now = 1700000000;

    (void)state;
    for (int alg = GH_TOTP_SHA1; alg <= GH_TOTP_SHA512; alg++) {
        for (unsigned digits = GH_TOTP_DIGITS_MIN; digits <= GH_TOTP_DIGITS_MAX; digits++) {
            struct gh_totp_params p = params((enum gh_totp_alg)alg, digits);

            for (unsigned period = 10; period <= 300; period += 145) {
                size_t len = 16 + (size_t)randombytes_uniform(GH_TOTP_SECRET_MAX - 16 + 1);

                p.period_s = period;
                randombytes_buf(secret, len);
                for (int off = -3; off <= 3; off++) {
                    char code[GH_TOTP_CODE_SIZE];
                    int64_t step = 0;
                    enum gh_totp_verdict v;

                    assert_gh(gh_totp_code(&p, secret, len, now + off * (int64_t)period, code),
                              GH_OK);
                    assert_int_equal(strlen(code), digits);
                    v = check(&p, secret, len, code, now, GH_TOTP_NO_STEP, &step);
                    if (off >= -1 && off <= 1) {
                        assert_int_equal(v, GH_TOTP_MATCH);
                        assert_int_equal(step, now / period + off);
                    } else if (v != GH_TOTP_WRONG) {
                        /* A random collision with a step in the window (10^-6 at worst). */
                        assert_int_equal(v, GH_TOTP_MATCH);
                        assert_true(step >= now / period - 1 && step <= now / period + 1);
                    }
                }
            }
        }
    }
}

static void
replays_are_refused(void **state)
{
    struct gh_totp_params p = params(GH_TOTP_SHA1, 6);
    uint8_t secret[GH_TOTP_SECRET_MAX];
    size_t len = seed("SHA1", secret);
    const int64_t now = 1111111109; /* step 37037036 */
    const int64_t s = now / 30;
    char prev[GH_TOTP_CODE_SIZE], cur[GH_TOTP_CODE_SIZE], next[GH_TOTP_CODE_SIZE];
    int64_t step = 0;

    (void)state;
    assert_gh(gh_totp_code(&p, secret, len, now - 30, prev), GH_OK);
    assert_gh(gh_totp_code(&p, secret, len, now, cur), GH_OK);
    assert_gh(gh_totp_code(&p, secret, len, now + 30, next), GH_OK);

    /* Accepted once ... */
    assert_int_equal(check(&p, secret, len, cur, now, GH_TOTP_NO_STEP, &step), GH_TOTP_MATCH);
    assert_int_equal(step, s);
    /* ... then the same code, and any earlier step's, is a replay (not a wrong code) ... */
    assert_int_equal(check(&p, secret, len, cur, now, s, &step), GH_TOTP_REPLAYED);
    assert_int_equal(step, s);
    assert_int_equal(check(&p, secret, len, cur, now + 10, s, &step), GH_TOTP_REPLAYED);
    assert_int_equal(check(&p, secret, len, prev, now, s, &step), GH_TOTP_REPLAYED);
    assert_int_equal(step, s - 1);
    /* ... while a later step's code is still accepted, and then it too is spent. */
    assert_int_equal(check(&p, secret, len, next, now, s, &step), GH_TOTP_MATCH);
    assert_int_equal(step, s + 1);
    assert_int_equal(check(&p, secret, len, next, now, s + 1, &step), GH_TOTP_REPLAYED);
    assert_int_equal(check(&p, secret, len, cur, now, s + 1, &step), GH_TOTP_REPLAYED);
    /* A code accepted from the previous step leaves the current one usable. */
    assert_int_equal(check(&p, secret, len, prev, now, GH_TOTP_NO_STEP, &step), GH_TOTP_MATCH);
    assert_int_equal(step, s - 1);
    assert_int_equal(check(&p, secret, len, cur, now, s - 1, &step), GH_TOTP_MATCH);
    assert_int_equal(step, s);
    /* A wrong code stays wrong whatever the last step. */
    assert_int_equal(check(&p, secret, len, "000000", now, s, NULL), GH_TOTP_WRONG);
    assert_int_equal(check(&p, secret, len, "000000", now, GH_TOTP_NO_STEP, NULL), GH_TOTP_WRONG);
    /* A last step from the future refuses everything in the window. */
    assert_int_equal(check(&p, secret, len, next, now, s + 5, NULL), GH_TOTP_REPLAYED);
}

static void
malformed_codes_are_wrong(void **state)
{
    struct gh_totp_params p = params(GH_TOTP_SHA1, 6);
    uint8_t secret[GH_TOTP_SECRET_MAX];
    size_t len = seed("SHA1", secret);
    const int64_t now = 1111111109; /* the code is 081804; the 8-digit one 07081804 */
    static const char *const bad[] = {
        "",
        "0",
        "81804",
        "0818040",
        "08180",
        "081804 ",
        " 081804",
        "081 804",
        "08180a",
        "O81804",
        "081804\n",
        "+81804",
        "-81804",
        "08l804",
        "07081804",
        "081804081",
        "081804x",
        "٠٨١٨٠٤",
        "\xff\xff\xff\xff\xff\xff",
    };

    (void)state;
    assert_int_equal(check(&p, secret, len, "081804", now, GH_TOTP_NO_STEP, NULL), GH_TOTP_MATCH);
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        assert_int_equal(check(&p, secret, len, bad[i], now, GH_TOTP_NO_STEP, NULL), GH_TOTP_WRONG);
    }
    /* An 8-digit factor: its 6-digit suffix is not accepted. */
    p.digits = 8;
    assert_int_equal(check(&p, secret, len, "07081804", now, GH_TOTP_NO_STEP, NULL), GH_TOTP_MATCH);
    assert_int_equal(check(&p, secret, len, "081804", now, GH_TOTP_NO_STEP, NULL), GH_TOTP_WRONG);
    assert_int_equal(check(&p, secret, len, "0708180", now, GH_TOTP_NO_STEP, NULL), GH_TOTP_WRONG);
    assert_int_equal(check(&p, secret, len, "070818040", now, GH_TOTP_NO_STEP, NULL),
                     GH_TOTP_WRONG);
}

static void
bad_parameters_are_refused(void **state)
{
    struct gh_totp_params p = GH_TOTP_PARAMS_DEFAULT;
    uint8_t secret[GH_TOTP_SECRET_MAX + 1];
    char code[GH_TOTP_CODE_SIZE];
    enum gh_totp_verdict v = GH_TOTP_MATCH;
    int64_t step = 7;

    (void)state;
    memset(secret, 'k', sizeof(secret));
    assert_gh(gh_totp_params_check(&p), GH_OK);
    assert_gh(gh_totp_params_check(NULL), GH_E_INVALID);
    p.digits = 5;
    assert_gh(gh_totp_params_check(&p), GH_E_INVALID);
    assert_gh(gh_totp_code(&p, secret, 20, 0, code), GH_E_INVALID);
    assert_string_equal(code, "");
    assert_gh(gh_totp_verify(&p, secret, 20, "12345", 100, -1, &v, &step), GH_E_INVALID);
    assert_int_equal(v, GH_TOTP_WRONG);
    assert_int_equal(step, -1);
    p.digits = 9;
    assert_gh(gh_totp_params_check(&p), GH_E_INVALID);
    p = GH_TOTP_PARAMS_DEFAULT;
    p.period_s = GH_TOTP_PERIOD_MIN - 1;
    assert_gh(gh_totp_params_check(&p), GH_E_INVALID);
    assert_int_equal(gh_totp_step(&p, 100), -1);
    p.period_s = GH_TOTP_PERIOD_MAX + 1;
    assert_gh(gh_totp_params_check(&p), GH_E_INVALID);
    p = GH_TOTP_PARAMS_DEFAULT;
    p.alg = (enum gh_totp_alg)3;
    assert_gh(gh_totp_params_check(&p), GH_E_INVALID);
    assert_gh(gh_hotp_code(&p, secret, 20, 0, code), GH_E_INVALID);

    p = GH_TOTP_PARAMS_DEFAULT;
    assert_gh(gh_hotp_code(&p, secret, GH_TOTP_SECRET_MIN - 1, 0, code), GH_E_INVALID);
    assert_gh(gh_hotp_code(&p, secret, GH_TOTP_SECRET_MIN, 0, code), GH_OK);
    assert_gh(gh_hotp_code(&p, secret, GH_TOTP_SECRET_MAX, 0, code), GH_OK);
    assert_gh(gh_hotp_code(&p, secret, GH_TOTP_SECRET_MAX + 1, 0, code), GH_E_INVALID);
    assert_gh(gh_hotp_code(&p, NULL, 20, 0, code), GH_E_INVALID);
    assert_gh(gh_hotp_code(&p, secret, 20, 0, NULL), GH_E_INVALID);
    assert_gh(gh_totp_code(&p, secret, 20, -1, code), GH_E_INVALID);
    assert_int_equal(gh_totp_step(&p, -1), -1);
    assert_int_equal(gh_totp_step(&p, 0), 0);
    assert_int_equal(gh_totp_step(&p, 29), 0);
    assert_int_equal(gh_totp_step(&p, 30), 1);

    assert_gh(gh_totp_verify(&p, secret, 20, NULL, 100, -1, &v, &step), GH_E_INVALID);
    assert_gh(gh_totp_verify(&p, secret, 20, "123456", -1, -1, &v, &step), GH_E_INVALID);
    assert_gh(gh_totp_verify(&p, secret, 15, "123456", 100, -1, &v, &step), GH_E_INVALID);
    assert_gh(gh_totp_verify(&p, secret, 65, "123456", 100, -1, &v, &step), GH_E_INVALID);
    assert_gh(gh_totp_verify(&p, NULL, 20, "123456", 100, -1, &v, &step), GH_E_INVALID);
    assert_gh(gh_totp_verify(&p, secret, 20, "123456", 100, -1, NULL, &step), GH_E_INVALID);
    assert_gh(gh_totp_verify(&p, secret, 20, "123456", 100, -1, &v, NULL), GH_E_INVALID);
}

static void
first_steps_have_no_step_before_them(void **state)
{
    struct gh_totp_params p = GH_TOTP_PARAMS_DEFAULT;
    uint8_t secret[GH_TOTP_SECRET_MAX];
    size_t len = seed("SHA1", secret);
    char code[GH_TOTP_CODE_SIZE];
    int64_t step = 0;

    (void)state;
    /* At step 0 the window is steps 0 and 1 (no step -1). */
    assert_gh(gh_totp_code(&p, secret, len, 0, code), GH_OK);
    assert_int_equal(check(&p, secret, len, code, 0, GH_TOTP_NO_STEP, &step), GH_TOTP_MATCH);
    assert_int_equal(step, 0);
    assert_gh(gh_totp_code(&p, secret, len, 30, code), GH_OK);
    assert_int_equal(check(&p, secret, len, code, 0, GH_TOTP_NO_STEP, &step), GH_TOTP_MATCH);
    assert_int_equal(step, 1);
    /* RFC 6238's first vector: 59 s is step 1. */
    p.digits = 8;
    assert_int_equal(check(&p, secret, len, "94287082", 59, GH_TOTP_NO_STEP, &step), GH_TOTP_MATCH);
    assert_int_equal(step, 1);
    assert_int_equal(check(&p, secret, len, "94287082", 59, 0, &step), GH_TOTP_MATCH);
    assert_int_equal(check(&p, secret, len, "94287082", 59, 1, &step), GH_TOTP_REPLAYED);
}

/* ---- the key URI ---- */

static void
uri_matches_the_example(void **state)
{
    json_t *ex = json_array_get(json_object_get(b32_doc, "otpauth_uri_examples"), 0);
    json_t *parsed = json_object_get(ex, "parsed");
    struct gh_totp_params p = GH_TOTP_PARAMS_DEFAULT;
    uint8_t secret[GH_TOTP_SECRET_MAX];
    size_t len = unhex(str(parsed, "secret_hex"), secret, sizeof(secret));
    char uri[GH_TOTP_URI_SIZE];
    char code[GH_TOTP_CODE_SIZE];

    (void)state;
    assert_gh(gh_totp_uri(&p, secret, len, str(parsed, "issuer"), str(parsed, "account"), uri,
                          sizeof(uri)),
              GH_OK);
    assert_string_equal(uri, str(ex, "uri"));
    assert_gh(gh_totp_code(&p, secret, len, 1111111109, code), GH_OK);
    assert_string_equal(code, str(ex, "code_at_1111111109"));
}

static void
uri_encodes_issuer_and_label(void **state)
{
    struct gh_totp_params p = {GH_TOTP_SHA512, 8, 60};
    uint8_t secret[GH_TOTP_SECRET_MAX];
    char uri[GH_TOTP_URI_SIZE];
    char big[GH_TOTP_LABEL_MAX + 2];

    (void)state;
    memcpy(secret, "12345678901234567890", 20);
    assert_gh(
        gh_totp_uri(&p, secret, 20, "Acme Co: Ops/EU", "bob+tag@example.com", uri, sizeof(uri)),
        GH_OK);
    assert_string_equal(uri, "otpauth://totp/Acme%20Co%3A%20Ops%2FEU:bob%2Btag%40example.com"
                             "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20Co%3A%20Ops%"
                             "2FEU&algorithm=SHA512&digits=8&period=60");
    /* Unreserved characters stay; UTF-8 is encoded byte by byte. */
    assert_gh(gh_totp_uri(&p, secret, 20, "A-Z_a.z~09", "J\xc3\xbcrgen@b\xc3\xa4r.example", uri,
                          sizeof(uri)),
              GH_OK);
    assert_string_equal(uri, "otpauth://totp/A-Z_a.z~09:J%C3%BCrgen%40b%C3%A4r.example"
                             "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=A-Z_a.z~09"
                             "&algorithm=SHA512&digits=8&period=60");

    /* Refused: empty, control characters, bad UTF-8, too long, bad parameters or secret. */
    p = GH_TOTP_PARAMS_DEFAULT;
    assert_gh(gh_totp_uri(&p, secret, 20, "", "a@b", uri, sizeof(uri)), GH_E_INVALID);
    assert_string_equal(uri, "");
    assert_gh(gh_totp_uri(&p, secret, 20, "Acme", "", uri, sizeof(uri)), GH_E_INVALID);
    assert_gh(gh_totp_uri(&p, secret, 20, NULL, "a@b", uri, sizeof(uri)), GH_E_INVALID);
    assert_gh(gh_totp_uri(&p, secret, 20, "Acme", "a@b\n", uri, sizeof(uri)), GH_E_INVALID);
    assert_gh(gh_totp_uri(&p, secret, 20, "Ac\x7f", "a@b", uri, sizeof(uri)), GH_E_INVALID);
    assert_gh(gh_totp_uri(&p, secret, 20, "Acme", "a@\xc3", uri, sizeof(uri)), GH_E_INVALID);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_gh(gh_totp_uri(&p, secret, 20, "Acme", big, uri, sizeof(uri)), GH_E_INVALID);
    big[GH_TOTP_LABEL_MAX] = '\0';
    assert_gh(gh_totp_uri(&p, secret, 20, "Acme", big, uri, sizeof(uri)), GH_OK);
    assert_gh(gh_totp_uri(&p, secret, 15, "Acme", "a@b", uri, sizeof(uri)), GH_E_INVALID);
    p.digits = 9;
    assert_gh(gh_totp_uri(&p, secret, 20, "Acme", "a@b", uri, sizeof(uri)), GH_E_INVALID);
    /* Room: exactly enough, one byte short. */
    p = GH_TOTP_PARAMS_DEFAULT;
    assert_gh(gh_totp_uri(&p, secret, 20, "I", "a", uri, sizeof(uri)), GH_OK);
    assert_gh(gh_totp_uri(&p, secret, 20, "I", "a", big, strlen(uri) + 1), GH_OK);
    assert_string_equal(big, uri);
    assert_gh(gh_totp_uri(&p, secret, 20, "I", "a", big, strlen(uri)), GH_E_LIMIT);
    assert_string_equal(big, "");
}

static void
uri_size_holds_the_largest(void **state)
{
    struct gh_totp_params p = {GH_TOTP_SHA512, 8, 300};
    uint8_t secret[GH_TOTP_SECRET_MAX];
    char issuer[GH_TOTP_ISSUER_MAX + 1], label[GH_TOTP_LABEL_MAX + 1];
    char uri[GH_TOTP_URI_SIZE];

    (void)state;
    memset(secret, 0xff, sizeof(secret));
    memset(issuer, ' ', sizeof(issuer) - 1);
    issuer[sizeof(issuer) - 1] = '\0';
    memset(label, '@', sizeof(label) - 1);
    label[sizeof(label) - 1] = '\0';
    assert_gh(gh_totp_uri(&p, secret, sizeof(secret), issuer, label, uri, sizeof(uri)), GH_OK);
    assert_int_equal(strlen(uri) + 1, GH_TOTP_URI_SIZE);
}

int
main(void)
{
#define T(fn) cmocka_unit_test(fn)
    const struct CMUnitTest tests[] = {
        T(hotp_matches_rfc4226_appendix_d),
        T(totp_matches_rfc6238_appendix_b),
        T(algorithm_names),
        T(base32_rfc4648_vectors),
        T(base32_edge_cases),
        T(base32_round_trips_and_limits),
        T(new_secrets_are_160_random_bits),
        T(window_is_one_step_either_side),
        T(window_with_other_algorithms_and_periods),
        T(replays_are_refused),
        T(malformed_codes_are_wrong),
        T(bad_parameters_are_refused),
        T(first_steps_have_no_step_before_them),
        T(uri_matches_the_example),
        T(uri_encodes_issuer_and_label),
        T(uri_size_holds_the_largest),
    };
#undef T

    test_tap_output();
    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests_name("totp", tests, setup, teardown);
}
