/*
 * totp_interop_test.c -- lib/crypto/totp.c against two other implementations on the same
 * inputs, with nothing expected written down: oathtool (Debian's oath-toolkit, C, gnulib's
 * HMAC) and otplib 12.0.1 (npm, node's crypto).  For SHA-1, SHA-256 and SHA-512, 6 to 8 digits,
 * several periods, secrets of 16 to 64 bytes, and times from 0 to past 32-bit seconds and 32-bit
 * steps (a counter's high bytes):
 *
 *   - their code at time T is gh_totp_code's, and gh_totp_verify accepts it at its step
 *     (now = T), from the steps either side (now = T -/+ one period), refuses it two periods
 *     away, and calls it a replay once its step is the last accepted one;
 *   - oathtool accepts Gatehouse's code at T (oathtool -w 0 validates);
 *   - Gatehouse's otpauth:// URI (gh_totp_uri) round-trips through otplib: taken apart with
 *     WHATWG URL and otplib's base32 decoder it gives back the issuer, label, secret and
 *     parameters, the same as otplib's own keyuri() for those inputs, and otplib's code made
 *     from the parsed URI is accepted as above (tests/compat/totp.js does the node side).
 *
 * The tools run through popen: oathtool with a hex key on its command line (test secrets only),
 * node with a JSON file of cases in a scratch folder.  A half whose tool is missing is left out
 * of the run, with a note (oathtool: `scripts/deps.sh test`; otplib: tests/compat/install.sh,
 * which scripts/test.sh runs before the unit suites; tests/compat/totp.js runs this test too),
 * unless GATEHOUSE_TOTP_INTEROP_REQUIRE=1, as totp.js sets, makes a missing tool a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>

#include "internal.h"

#include "helpers.h"

struct interop_case {
    const char *name;
    enum gh_totp_alg alg;
    unsigned digits;
    unsigned period_s;
    size_t secret_len;
    const char *issuer;
    const char *label;
};

/* SHA-512 secrets are at least 32 bytes: see the otplib quirk in tests/compat/totp.js. */
static const struct interop_case cases[] = {
    {"sha1-6-30", GH_TOTP_SHA1, 6, 30, 20, "Gatehouse", "alice@example.com"},
    {"sha1-8-30", GH_TOTP_SHA1, 8, 30, 20, "Acme Co", "bob+mfa@example.com"},
    {"sha1-7-60", GH_TOTP_SHA1, 7, 60, 16, "Ops: EU/West", "carol.o'neil@example.org"},
    {"sha1-6-30-64", GH_TOTP_SHA1, 6, 30, 64, "Gatehouse", "dave@example.com"},
    {"sha256-6-30", GH_TOTP_SHA256, 6, 30, 20, "Gatehouse", "erin@example.com"},
    {"sha256-8-30", GH_TOTP_SHA256, 8, 30, 32, "J\xc3\xbcrgen & Co", "frank@b\xc3\xa4r.example"},
    {"sha256-6-10", GH_TOTP_SHA256, 6, 10, 48, "100% Corp", "grace@example.com"},
    {"sha512-6-30", GH_TOTP_SHA512, 6, 30, 64, "Gatehouse", "heidi@example.com"},
    {"sha512-8-30", GH_TOTP_SHA512, 8, 30, 32, "Gatehouse", "ivan@example.com"},
    {"sha512-8-300", GH_TOTP_SHA512, 8, 300, 40, "Example?Inc#1", "judy@example.com"},
};

static const int64_t times[] = {
    0,          59,         1111111109, 1234567890,  1700000000,
    1700000029, 2000000000, 4102444800, 20000000000, 200000000000,
};

#define PER_CASE_TIMES (GH_ARRAY_LEN(times) + 3)

static int
required(void)
{
    const char *v = getenv("GATEHOUSE_TOTP_INTEROP_REQUIRE");

    return v != NULL && strcmp(v, "1") == 0;
}

/* A fixed secret for case i (BLAKE2b of its name), so a failure can be replayed. */
static void
case_secret(const struct interop_case *c, uint8_t out[GH_TOTP_SECRET_MAX])
{
    assert_int_equal(crypto_generichash(out, c->secret_len, (const unsigned char *)c->name,
                                        strlen(c->name), NULL, 0),
                     0);
}

static struct gh_totp_params
case_params(const struct interop_case *c)
{
    struct gh_totp_params p = {c->alg, c->digits, c->period_s};

    return p;
}

/* Times for case c: the shared ones, then three at step boundaries of its period. */
static int64_t
case_time(const struct interop_case *c, size_t k)
{
    if (k < GH_ARRAY_LEN(times)) {
        return times[k];
    }
    switch (k - GH_ARRAY_LEN(times)) {
    case 0:
        return (int64_t)c->period_s - 1; /* the last second of step 0 */
    case 1:
        return (int64_t)c->period_s; /* the first of step 1 */
    default:
        return INT64_C(1700000000) / c->period_s * c->period_s - 1; /* just before a boundary */
    }
}

/*
 * The rules for a code another implementation made for time t: Gatehouse makes the same code,
 * accepts it from its own step and the steps either side, refuses it two steps away (unless it
 * happens to be that step's code too), and calls it a replay once its step is spent.
 */
static void
judge(const struct gh_totp_params *p, const uint8_t *secret, size_t len, int64_t t,
      const char *theirs, const char *who)
{
    int64_t step = t / p->period_s;
    int64_t period = p->period_s;
    char mine[GH_TOTP_CODE_SIZE];
    enum gh_totp_verdict v = GH_TOTP_WRONG;
    int64_t matched = 0;

    assert_gh(gh_totp_code(p, secret, len, t, mine), GH_OK);
    if (strcmp(mine, theirs) != 0) {
        fail_msg("%s at t=%lld (%s, %u digits, %u s): theirs %s, ours %s", who, (long long)t,
                 gh_totp_alg_name(p->alg), p->digits, p->period_s, theirs, mine);
    }
    for (int64_t d = -1; d <= 1; d++) {
        int64_t now = t + d * period;

        if (now < 0) {
            continue;
        }
        assert_gh(gh_totp_verify(p, secret, len, theirs, now, GH_TOTP_NO_STEP, &v, &matched),
                  GH_OK);
        assert_int_equal(v, GH_TOTP_MATCH);
        assert_int_equal(matched, step);
        assert_gh(gh_totp_verify(p, secret, len, theirs, now, step, &v, &matched), GH_OK);
        assert_int_equal(v, GH_TOTP_REPLAYED);
    }
    for (int64_t d = -2; d <= 2; d += 4) {
        int64_t now = t + d * period;
        char other[GH_TOTP_CODE_SIZE];
        int collides = 0;

        if (now < 0) {
            continue;
        }
        /* A step in that window with the same code (about 3 in 10^6) would match it. */
        for (int64_t s = now / period - 1; s <= now / period + 1; s++) {
            assert_gh(gh_hotp_code(p, secret, len, (uint64_t)(s < 0 ? 0 : s), other), GH_OK);
            collides |= s >= 0 && strcmp(other, theirs) == 0;
        }
        assert_gh(gh_totp_verify(p, secret, len, theirs, now, GH_TOTP_NO_STEP, &v, &matched),
                  GH_OK);
        assert_int_equal(v, collides ? GH_TOTP_MATCH : GH_TOTP_WRONG);
    }
}

/* ---- oathtool ---- */

static int
have_tool(const char *name)
{
    char cmd[256];

    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

static int
have_oathtool(void)
{
    return have_tool("oathtool");
}

/* Runs a command; its first line of output (without the newline) into out; its exit status. */
static int
run(const char *cmd, char *out, size_t cap)
{
    FILE *f = popen(cmd, "r");
    int status;

    assert_non_null(f);
    out[0] = '\0';
    if (fgets(out, (int)cap, f) != NULL) {
        out[strcspn(out, "\n")] = '\0';
    }
    while (fgetc(f) != EOF) {
    }
    status = pclose(f);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The oathtool command that prints the code at t, or (otp given) checks otp at t's step only. */
static void
oathtool_command(const struct gh_totp_params *p, const uint8_t *secret, size_t len, int64_t t,
                 const char *otp, char *cmd, size_t cap)
{
    char hex[2 * GH_TOTP_SECRET_MAX + 1];
    int n;

    sodium_bin2hex(hex, sizeof(hex), secret, len);
    n = snprintf(cmd, cap,
                 "oathtool --totp=%s --digits=%u --time-step-size=%us --now=@%lld %s%s %s "
                 "2>/dev/null",
                 gh_totp_alg_name(p->alg), p->digits, p->period_s, (long long)t,
                 otp != NULL ? "--window=0 " : "", hex, otp != NULL ? otp : "");
    assert_true(n > 0 && (size_t)n < cap);
}

static void
agrees_with_oathtool(void **state)
{
    size_t checked = 0;

    (void)state;
    if (!have_oathtool()) {
        fail_msg("oathtool is not installed (Debian package oathtool)");
    }
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        const struct interop_case *c = &cases[i];
        struct gh_totp_params p = case_params(c);
        uint8_t secret[GH_TOTP_SECRET_MAX];

        case_secret(c, secret);
        for (size_t k = 0; k < PER_CASE_TIMES; k++) {
            int64_t t = case_time(c, k);
            char cmd[512], theirs[64], mine[GH_TOTP_CODE_SIZE], line[64];

            oathtool_command(&p, secret, c->secret_len, t, NULL, cmd, sizeof(cmd));
            assert_int_equal(run(cmd, theirs, sizeof(theirs)), 0);
            judge(&p, secret, c->secret_len, t, theirs, "oathtool");
            /* And the other way: oathtool accepts Gatehouse's code at its step. */
            assert_gh(gh_totp_code(&p, secret, c->secret_len, t, mine), GH_OK);
            oathtool_command(&p, secret, c->secret_len, t, mine, cmd, sizeof(cmd));
            assert_int_equal(run(cmd, line, sizeof(line)), 0);
            checked++;
        }
    }
    assert_int_equal(checked, GH_ARRAY_LEN(cases) * PER_CASE_TIMES);
}

/* ---- otplib (through tests/compat/totp.js) ---- */

/* out = <repository>/<rel>, found from this file's path as helpers.h finds the vectors. */
static void
repo_path(const char *rel, char out[PATH_MAX])
{
    char vectors[PATH_MAX];
    char *cut;
    int n;

    /* test_vectors_path gives <repo>/tests/unit/../../../shared/vectors/<name>. */
    test_vectors_path("", vectors);
    cut = strstr(vectors, "/tests/unit/../../../shared/vectors/");
    if (cut == NULL) {
        out[0] = '\0'; /* $GATEHOUSE_VECTORS points elsewhere */
        return;
    }
    *cut = '\0';
    n = snprintf(out, PATH_MAX, "%s/%s", vectors, rel);
    assert_true(n > 0 && n < PATH_MAX);
}

static int
have_otplib(void)
{
    char module[PATH_MAX];

    repo_path("tests/compat/node_modules/otplib/package.json", module);
    return have_tool("node") && module[0] != '\0' && test_exists(module);
}

static json_t *
otplib_cases(char uris[][GH_TOTP_URI_SIZE])
{
    json_t *all = json_array();

    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        const struct interop_case *c = &cases[i];
        struct gh_totp_params p = case_params(c);
        uint8_t secret[GH_TOTP_SECRET_MAX];
        char b32[GH_TOTP_SECRET_B32_SIZE];
        json_t *ts = json_array();

        case_secret(c, secret);
        assert_gh(
            gh_totp_uri(&p, secret, c->secret_len, c->issuer, c->label, uris[i], GH_TOTP_URI_SIZE),
            GH_OK);
        assert_gh(gh_base32_encode(secret, c->secret_len, b32, sizeof(b32)), GH_OK);
        for (size_t k = 0; k < PER_CASE_TIMES; k++) {
            json_array_append_new(ts, json_integer(case_time(c, k)));
        }
        json_array_append_new(all, json_pack("{s:s, s:s, s:s, s:s, s:o}", "uri", uris[i], "issuer",
                                             c->issuer, "label", c->label, "secret_b32", b32,
                                             "times", ts));
    }
    return json_pack("{s:o}", "cases", all);
}

/* A parsed key URI (either side's) says what case c was made from. */
static void
parsed_matches(const json_t *parsed, const struct interop_case *c, const uint8_t *secret,
               int with_secret_hex)
{
    char hex[2 * GH_TOTP_SECRET_MAX + 1];
    const json_t *names = json_object_get(parsed, "query_names");

    assert_string_equal(json_string_value(json_object_get(parsed, "scheme")), "otpauth:");
    assert_string_equal(json_string_value(json_object_get(parsed, "type")), "totp");
    assert_string_equal(json_string_value(json_object_get(parsed, "label_issuer")), c->issuer);
    assert_string_equal(json_string_value(json_object_get(parsed, "label")), c->label);
    assert_string_equal(json_string_value(json_object_get(parsed, "issuer")), c->issuer);
    assert_string_equal(json_string_value(json_object_get(parsed, "algorithm")),
                        gh_totp_alg_name(c->alg));
    assert_int_equal(json_number_value(json_object_get(parsed, "digits")), c->digits);
    assert_int_equal(json_number_value(json_object_get(parsed, "period")), c->period_s);
    assert_int_equal(json_array_size(names), 5);
    if (with_secret_hex) {
        sodium_bin2hex(hex, sizeof(hex), secret, c->secret_len);
        assert_string_equal(json_string_value(json_object_get(parsed, "secret_hex")), hex);
    }
}

static void
round_trips_through_otplib(void **state)
{
    char script[PATH_MAX], in_path[PATH_MAX], cmd[3 * PATH_MAX];
    static char uris[GH_ARRAY_LEN(cases)][GH_TOTP_URI_SIZE];
    struct test_dir dir;
    json_t *in, *out, *results;
    json_error_t err;
    FILE *f;
    size_t checked = 0;

    (void)state;
    if (!have_otplib()) {
        fail_msg("node or otplib is missing (tests/compat/install.sh installs otplib)");
    }
    repo_path("tests/compat/totp.js", script);
    test_dir_make(&dir);
    test_path(&dir, "cases.json", in_path);
    in = otplib_cases(uris);
    assert_int_equal(json_dump_file(in, in_path, JSON_COMPACT), 0);
    json_decref(in);
    assert_true(snprintf(cmd, sizeof(cmd), "node '%s' '%s'", script, in_path) < (int)sizeof(cmd));
    f = popen(cmd, "r");
    assert_non_null(f);
    out = json_loadf(f, 0, &err);
    assert_int_equal(pclose(f), 0);
    test_dir_remove(&dir);
    if (out == NULL) {
        fail_msg("totp.js printed no JSON: %s", err.text);
    }
    fprintf(stderr, "# otplib %s\n", json_string_value(json_object_get(out, "otplib_version")));
    results = json_object_get(out, "cases");
    assert_int_equal(json_array_size(results), GH_ARRAY_LEN(cases));
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        const struct interop_case *c = &cases[i];
        const json_t *r = json_array_get(results, i);
        const json_t *codes = json_object_get(r, "codes");
        struct gh_totp_params p = case_params(c);
        uint8_t secret[GH_TOTP_SECRET_MAX];

        case_secret(c, secret);
        /* Our URI, parsed by otplib's side, and otplib's own URI say the same thing. */
        parsed_matches(json_object_get(r, "parsed"), c, secret, 1);
        parsed_matches(json_object_get(r, "keyuri_parsed"), c, secret, 0);
        assert_int_equal(json_array_size(codes), PER_CASE_TIMES);
        for (size_t k = 0; k < PER_CASE_TIMES; k++) {
            judge(&p, secret, c->secret_len, case_time(c, k),
                  json_string_value(json_array_get(codes, k)), "otplib");
            checked++;
        }
    }
    json_decref(out);
    assert_int_equal(checked, GH_ARRAY_LEN(cases) * PER_CASE_TIMES);
}

/*
 * A half whose tool is missing is left out of the run (and says so), not skipped: the unit
 * suites count a skipped case as a failure, and the otplib half cannot run before
 * tests/compat/run.sh has installed otplib.  With GATEHOUSE_TOTP_INTEROP_REQUIRE=1 both run,
 * and a missing tool fails.
 */
int
main(void)
{
    struct CMUnitTest tests[2];
    size_t n = 0;

    test_tap_output();
    if (sodium_init() < 0) {
        return 1;
    }
    if (required() || have_oathtool()) {
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(agrees_with_oathtool);
    } else {
        printf("# oathtool is not installed: its half is left out (scripts/deps.sh test)\n");
    }
    if (required() || have_otplib()) {
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(round_trips_through_otplib);
    } else {
        printf("# otplib is not installed: left out (tests/compat/install.sh installs it)\n");
    }
    if (n == 0) {
        printf("1..0 # SKIP neither oathtool nor otplib is installed\n");
        return 0;
    }
    return _cmocka_run_group_tests("totp_interop", tests, n, NULL, NULL);
}
