/*
 * passphrase_test.c -- lib/crypto/passphrase*.c: the keyspace vectors of ../shared/vectors,
 * NFKC and code-point counting, every refusal with its negative case, the context rule, the
 * blocklist, the fallback estimate for non-ASCII text, crack times and the generator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <time.h>

#include "internal.h"

#include "helpers.h"

#define BIT(r) (1u << (r))

static const char eff_list[] = GH_PASSPHRASE_WORDLIST_DEFAULT;

/* Checks text with the default policy and no context; the check itself must run. */
static void
check(const char *text, size_t len, struct gh_passphrase_report *r)
{
    assert_gh(gh_passphrase_check(NULL, text, len, NULL, r), GH_OK);
}

static void
check_z(const char *text, struct gh_passphrase_report *r)
{
    check(text, strlen(text), r);
}

/* text repeated n times into buf (NUL-terminated). */
static const char *
repeat(char *buf, size_t cap, const char *text, size_t n)
{
    size_t len = strlen(text);

    assert_true(len * n < cap);
    for (size_t i = 0; i < n; i++) {
        memcpy(buf + i * len, text, len);
    }
    buf[len * n] = '\0';
    return buf;
}

/* ---- the keyspace vectors (../shared/vectors/keyspace.json) ---- */

/* <build root>/<__FILE__> when __FILE__ is relative (Meson compiles from the build root). */

/* The text after "key": inside the object that starts at "section". */
static const char *
json_field(const char *json, const char *section, const char *key)
{
    char quoted[64];
    const char *s = strstr(json, section);

    assert_non_null(s);
    snprintf(quoted, sizeof(quoted), "\"%s\":", key);
    s = strstr(s, quoted);
    assert_non_null(s);
    s += strlen(quoted);
    while (*s == ' ') {
        s++;
    }
    return s;
}

static double
json_number(const char *json, const char *section, const char *key)
{
    const char *s = json_field(json, section, key);

    if (*s == '"') {
        s++;
    }
    return strtod(s, NULL);
}

/* "6.634e+15" -> "95^8 = 6.634 × 10^15", the notation the seed page uses. */
static void
expected_keyspace(const char *json, const char *section, char *out, size_t cap)
{
    const char *approx = json_field(json, section, "approx") + 1;
    const char *e = strchr(approx, 'e');
    unsigned pool = (unsigned)json_number(json, section, "alphabet");
    unsigned length = (unsigned)json_number(json, section, "length");

    assert_non_null(e);
    snprintf(out, cap, "%u^%u = %.*s \xc3\x97 10^%ld", pool, length, (int)(e - approx), approx,
             strtol(e + 1, NULL, 10));
}

static void
keyspace_matches_the_shared_vectors(void **state)
{
    char path[PATH_MAX], json[4096], want[64], got[GH_PASSPHRASE_KEYSPACE_TEXT];
    double ratio, exact_short, exact_long;

    (void)state;
    test_vectors_path("keyspace.json", path);
    test_read_file(path, json, sizeof(json));

    expected_keyspace(json, "\"printable_ascii_8\"", want, sizeof(want));
    gh_keyspace_text(95, 8, got, sizeof(got));
    assert_string_equal(got, "95^8 = 6.634 \xc3\x97 10^15");
    assert_string_equal(got, want);

    expected_keyspace(json, "\"mixed_case_letters_14\"", want, sizeof(want));
    gh_keyspace_text(52, 14, got, sizeof(got));
    assert_string_equal(got, "52^14 = 1.057 \xc3\x97 10^24");
    assert_string_equal(got, want);

    /* the exact values and their ratio */
    exact_short = json_number(json, "\"printable_ascii_8\"", "exact");
    exact_long = json_number(json, "\"mixed_case_letters_14\"", "exact");
    assert_true(exact_short == pow(95, 8));
    assert_true(fabs(exact_long / pow(52, 14) - 1) < 1e-15);
    ratio = pow(10, 14 * log10(52.0) - 8 * log10(95.0));
    /* the vector truncates to 3 decimals (exact: 159315477.13795...) */
    assert_true(fabs(ratio - json_number(json, "\"ratio\"", "value")) < 2e-3);
    assert_int_equal((int)floor(ratio / 1e6),
                     (int)json_number(json, "\"ratio\"", "approx_millions"));
    assert_true(fabs(8 * log2(95.0) - json_number(json, "\"ratio\"", "bits_8x95")) < 0.005);
    assert_true(fabs(14 * log2(52.0) - json_number(json, "\"ratio\"", "bits_14x52")) < 0.005);
}

/* The report of an all-printable-ASCII passphrase gives the same keyspace text. */
static void
keyspace_of_a_report(void **state)
{
    struct gh_passphrase_report r;

    (void)state;
    check_z("aB3$eF7*", &r);
    assert_int_equal(r.pool_size, 95);
    assert_string_equal(r.pool, "lowercase letters, uppercase letters, digits, symbols and space");
    assert_string_equal(r.keyspace, "95^8 = 6.634 \xc3\x97 10^15");
    assert_true(fabs(r.keyspace_log10 - 8 * log10(95.0)) < 1e-9);
    check_z("AbcdefghijklmN", &r);
    assert_int_equal(r.pool_size, 52);
    assert_string_equal(r.keyspace, "52^14 = 1.057 \xc3\x97 10^24");
}

static void
keyspace_text_edges(void **state)
{
    char got[GH_PASSPHRASE_KEYSPACE_TEXT];
    char tiny[8];

    (void)state;
    gh_keyspace_text(26, 3, got, sizeof(got));
    assert_string_equal(got, "26^3 = 17576");
    gh_keyspace_text(10, 6, got, sizeof(got));
    assert_string_equal(got, "10^6 = 1.000 \xc3\x97 10^6");
    gh_keyspace_text(0, 0, got, sizeof(got));
    assert_string_equal(got, "0^0 = 1");
    gh_keyspace_text(95, 256, got, sizeof(got));
    assert_string_equal(got, "95^256 = 1.983 \xc3\x97 10^506");
    gh_keyspace_text(95, 8, tiny, sizeof(tiny)); /* truncated, terminated */
    assert_string_equal(tiny, "95^8 = ");
    gh_keyspace_text(95, 8, NULL, 10); /* no crash */
}

/* ---- verdicts ---- */

static void
password123456_is_refused_as_guessable(void **state)
{
    struct gh_passphrase_report r;

    (void)state;
    check_z("Password123456", &r);
    assert_false(r.accept);
    assert_int_equal(r.reasons, BIT(GH_PP_GUESSABLE));
    assert_int_equal(r.length, 14);
    assert_int_equal(r.pool_size, 62);
    assert_true(r.estimate_from_zxcvbn);
    assert_true(r.guesses_log10 < 3);
    assert_true(r.keyspace_log10 > 25); /* the arithmetic says strong; zxcvbn knows better */
    assert_non_null(strstr(r.message, "Refused: it is common or easy to guess (about 10^"));
    assert_non_null(strstr(r.message, "Try four or more unrelated words."));
}

static void
correct_horse_battery_staple_is_accepted(void **state)
{
    struct gh_passphrase_report r;

    (void)state;
    check_z("correct horse battery staple", &r);
    assert_true(r.accept);
    assert_int_equal(r.reasons, 0);
    assert_int_equal(r.length, 28);
    assert_int_equal(r.pool_size, 59);
    assert_string_equal(r.pool, "lowercase letters, symbols and space");
    assert_true(r.estimate_from_zxcvbn);
    assert_true(r.guesses_log10 > 15 && r.guesses_log10 < 30);
    assert_int_equal(strncmp(r.message, "Accepted: about 10^", 19), 0);
}

static void
crack_times_follow_the_rates(void **state)
{
    struct gh_passphrase_policy p = {0, 0, NULL, 0.5, 100};
    struct gh_passphrase_report r;
    double guesses;

    (void)state;
    check_z("correct horse battery staple", &r);
    guesses = pow(10, r.guesses_log10);
    assert_true(fabs(r.online_seconds / (guesses / 2 / (8.0 / 900.0)) - 1) < 1e-9);
    assert_true(fabs(r.offline_seconds / (guesses / 2 / 1e4) - 1) < 1e-9);
    assert_true(fabs(r.fast_hash_seconds / (guesses / 2 / 1e10) - 1) < 1e-9);
    assert_gh(gh_passphrase_check(&p, "correct horse battery staple", 28, NULL, &r), GH_OK);
    assert_true(fabs(r.online_seconds / (guesses / 2 / 0.5) - 1) < 1e-9);
    assert_true(fabs(r.offline_seconds / (guesses / 2 / 100) - 1) < 1e-9);
    assert_true(fabs(r.fast_hash_seconds / (guesses / 2 / 1e10) - 1) < 1e-9);
}

static void
the_guessable_threshold_is_configurable(void **state)
{
    struct gh_passphrase_policy strict = {0, 30, NULL, 0, 0};
    struct gh_passphrase_report r;

    (void)state;
    assert_gh(gh_passphrase_check(&strict, "correct horse battery staple", 28, NULL, &r), GH_OK);
    assert_false(r.accept);
    assert_int_equal(r.reasons, BIT(GH_PP_GUESSABLE));
}

static void
duration_text_in_human_units(void **state)
{
    char t[64];

    (void)state;
    gh_duration_text(0.4, t, sizeof(t));
    assert_string_equal(t, "less than a second");
    gh_duration_text(NAN, t, sizeof(t));
    assert_string_equal(t, "less than a second");
    gh_duration_text(1, t, sizeof(t));
    assert_string_equal(t, "1 second");
    gh_duration_text(90, t, sizeof(t));
    assert_string_equal(t, "2 minutes");
    gh_duration_text(3 * 3600, t, sizeof(t));
    assert_string_equal(t, "3 hours");
    gh_duration_text(45 * 86400.0, t, sizeof(t));
    assert_string_equal(t, "1 month");
    gh_duration_text(5 * 31557600.0, t, sizeof(t));
    assert_string_equal(t, "5 years");
    gh_duration_text(3 * 3155760000.0, t, sizeof(t));
    assert_string_equal(t, "3 centuries");
    gh_duration_text(9999 * 3155760000.0, t, sizeof(t));
    assert_string_equal(t, "9999 centuries");
    gh_duration_text(1e4 * 3155760000.0, t, sizeof(t));
    assert_string_equal(t, "about 10^6 years");
    gh_duration_text(1e30, t, sizeof(t));
    assert_string_equal(t, "about 10^22 years");
    gh_duration_text(DBL_MAX, t, sizeof(t));
    assert_string_equal(t, "about 10^300 years");
}

/* ---- normalisation and counting ---- */

static void
nfkc_equivalents_normalise_to_the_same_bytes(void **state)
{
    static const struct {
        const char *a, *b;
    } pairs[] = {
        {"\xef\xac\x81", "fi"},                                       /* U+FB01 ligature */
        {"\xef\xbd\x90\xef\xbd\x81\xef\xbd\x93\xef\xbd\x93", "pass"}, /* fullwidth */
        {"caf\xc3\xa9", "cafe\xcc\x81"},                              /* composed, decomposed */
        {"\xe2\x84\xab", "\xc3\x85"},                                 /* Angstrom sign, Å */
        {"x\xc2\xb2", "x2"},                                          /* superscript two */
        {"\xe3\x80\x80", " "},                                        /* ideographic space */
    };
    char a[64], b[64];

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(pairs); i++) {
        assert_gh(gh_passphrase_normalize(pairs[i].a, strlen(pairs[i].a), a, sizeof(a)), GH_OK);
        assert_gh(gh_passphrase_normalize(pairs[i].b, strlen(pairs[i].b), b, sizeof(b)), GH_OK);
        assert_string_equal(a, b);
    }
}

static void
nfkc_equivalents_count_the_same(void **state)
{
    struct gh_passphrase_report a, b;

    (void)state;
    /* "ﬁne ﬁsh ﬁght ﬁre" (ligatures) and "fine fish fight fire": 20 code points after NFKC */
    check_z("\xef\xac\x81ne \xef\xac\x81sh \xef\xac\x81ght \xef\xac\x81re", &a);
    check_z("fine fish fight fire", &b);
    assert_int_equal(a.length, 20);
    assert_int_equal(a.length, b.length);
    assert_int_equal(a.reasons, b.reasons);
    assert_true(a.estimate_from_zxcvbn); /* all ASCII once normalised */
    assert_true(a.guesses_log10 == b.guesses_log10);
    /* composed and decomposed é: the same 14 code points */
    check_z("r\xc3\xa9sum\xc3\xa9 p\xc3\xa2t\xc3\xa9 caf\xc3\xa9", &a);
    check_z("re\xcc\x81sume\xcc\x81 pa\xcc\x82te\xcc\x81 cafe\xcc\x81", &b);
    assert_int_equal(a.length, 16);
    assert_int_equal(b.length, 16);
    assert_int_equal(a.reasons, b.reasons);
    assert_true(a.guesses_log10 == b.guesses_log10);
}

static void
combining_marks_are_code_points(void **state)
{
    char buf[256];
    struct gh_passphrase_report r;

    (void)state;
    /* a + 13 combining acute accents: NFKC composes one (á), 12 remain: 13 code points */
    memcpy(buf, "a", 1);
    repeat(buf + 1, sizeof(buf) - 1, "\xcc\x81", 13);
    check_z(buf, &r);
    assert_int_equal(r.length, 13);
    assert_true((r.reasons & BIT(GH_PP_TOO_SHORT)) != 0);
    assert_true((r.reasons & BIT(GH_PP_GUESSABLE)) != 0); /* stacked marks are not strength */
    assert_false(r.estimate_from_zxcvbn);
    /* with a mark that does not compose (U+0333 double low line), every one counts */
    repeat(buf, sizeof(buf), "a\xcc\xb3", 7);
    check_z(buf, &r);
    assert_int_equal(r.length, 14);
    assert_false(r.accept);
}

static void
emoji_and_zwj_sequences_count_code_points(void **state)
{
    /* family: man ZWJ woman ZWJ girl ZWJ boy = 7 code points; flag of France = 2 */
    static const char family[] = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d"
                                 "\xf0\x9f\x91\xa7\xe2\x80\x8d\xf0\x9f\x91\xa6";
    static const char flag[] = "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7";
    char buf[256];
    struct gh_passphrase_report r;

    (void)state;
    check_z(family, &r);
    assert_int_equal(r.length, 7);
    assert_false(r.estimate_from_zxcvbn);
    check_z(flag, &r);
    assert_int_equal(r.length, 2);
    snprintf(buf, sizeof(buf), "%s%s%s", family, flag, family);
    check_z(buf, &r);
    assert_int_equal(r.length, 16);
    assert_int_equal(r.reasons, BIT(GH_PP_GUESSABLE)); /* long enough, but a repeat is cheap */
    assert_true(r.guesses_log10 < r.keyspace_log10);
    assert_non_null(strstr(r.pool, "General Punctuation")); /* where ZWJ lives */
    /* emoji among words count one code point each, and add to the words' strength */
    check_z("correct horse battery staple \xf0\x9f\x90\xb4", &r);
    assert_int_equal(r.length, 30);
    assert_true(r.accept);
    assert_false(r.estimate_from_zxcvbn);
}

static void
zero_width_characters_count_but_add_little(void **state)
{
    char buf[64], norm[64];
    struct gh_passphrase_report r;

    (void)state;
    /* "password" and six zero-width spaces: 14 code points, and still "password" */
    memcpy(buf, "password", 8);
    repeat(buf + 8, sizeof(buf) - 8, "\xe2\x80\x8b", 6);
    assert_gh(gh_passphrase_normalize(buf, strlen(buf), norm, sizeof(norm)), GH_OK);
    assert_string_equal(norm, buf); /* NFKC keeps them */
    check_z(buf, &r);
    assert_int_equal(r.length, 14);
    assert_int_equal(r.reasons, BIT(GH_PP_GUESSABLE));
    assert_false(r.estimate_from_zxcvbn);
    assert_true(r.guesses_log10 < 4);
    /* zero-width joiner and non-joiner, and a BOM, likewise */
    check_z("letmein\xe2\x80\x8c\xe2\x80\x8d\xef\xbb\xbfletmein", &r);
    assert_int_equal(r.length, 17);
    assert_true((r.reasons & BIT(GH_PP_GUESSABLE)) != 0);
}

static void
right_to_left_text(void **state)
{
    /* Hebrew: four words, with a right-to-left mark; Arabic: four words */
    static const char hebrew[] = "\xd7\xa1\xd7\x95\xd7\xa1 \xd7\xa9\xd7\x9e\xd7\xa9 "
                                 "\xd7\x99\xd7\xa8\xd7\x95\xd7\xa7 \xd7\x92\xd7\xa9\xd7\x9d"
                                 "\xe2\x80\x8f \xd7\xa9\xd7\x95\xd7\x9c\xd7\x97\xd7\x9f";
    static const char arabic[] = "\xd8\xad\xd8\xb5\xd8\xa7\xd9\x86 \xd8\xb4\xd9\x85\xd8\xb3 "
                                 "\xd8\xa8\xd8\xb7\xd8\xa7\xd8\xb1\xd9\x8a\xd8\xa9 "
                                 "\xd9\x85\xd8\xb4\xd8\xa8\xd9\x83";
    struct gh_passphrase_report r;

    (void)state;
    check_z(hebrew, &r);
    assert_int_equal(r.length, 23);
    assert_false(r.estimate_from_zxcvbn);
    assert_true(r.accept);
    assert_non_null(strstr(r.pool, "Hebrew"));
    check_z(arabic, &r);
    assert_int_equal(r.length, 20);
    assert_true(r.accept);
    assert_non_null(strstr(r.pool, "Arabic"));
    /* one Hebrew word repeated is a repeat, not four words */
    check_z("\xd7\xa1\xd7\x95\xd7\xa1 \xd7\xa1\xd7\x95\xd7\xa1 \xd7\xa1\xd7\x95\xd7\xa1 "
            "\xd7\xa1\xd7\x95\xd7\xa1",
            &r);
    assert_int_equal(r.reasons, BIT(GH_PP_GUESSABLE));
}

static void
words_in_other_scripts_are_words(void **state)
{
    struct gh_passphrase_report r;
    char buf[256];

    (void)state;
    /* "правильная лошадь батарея скоба": four Russian words */
    check_z("\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xb8\xd0\xbb\xd1\x8c\xd0\xbd\xd0\xb0\xd1\x8f "
            "\xd0\xbb\xd0\xbe\xd1\x88\xd0\xb0\xd0\xb4\xd1\x8c "
            "\xd0\xb1\xd0\xb0\xd1\x82\xd0\xb0\xd1\x80\xd0\xb5\xd1\x8f "
            "\xd1\x81\xd0\xba\xd0\xbe\xd0\xb1\xd0\xb0",
            &r);
    assert_true(r.accept);
    assert_false(r.estimate_from_zxcvbn);
    /* at most 16 bits a word: two long words are not four words' worth */
    assert_true(r.guesses_log10 < 4 * 16 * 0.302 + 2);
    /* "парольпароль12": one word twice and digits */
    check_z("\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe"
            "\xd0\xbb\xd1\x8c"
            "12",
            &r);
    assert_int_equal(r.reasons, BIT(GH_PP_GUESSABLE));
    /* accented Latin goes to zxcvbn through its base letters: "pässwörd" is "password" */
    check_z("p\xc3\xa4ssw\xc3\xb6rd p\xc3\xa4ssw\xc3\xb6rd", &r);
    assert_false(r.estimate_from_zxcvbn);
    assert_true((r.reasons & BIT(GH_PP_GUESSABLE)) != 0);
    /* CJK: 14 distinct ideographs pass; one repeated 14 times does not */
    check_z("\xe6\x88\x91\xe7\x9a\x84\xe7\x8c\xab\xe5\x96\x9c\xe6\xac\xa2\xe5\x9c\xa8\xe9\x98"
            "\xb3\xe5\x85\x89\xe4\xb8\x8b\xe7\x9d\xa1\xe8\xa7\x89\xe5\x92\x8c\xe5\x90\x83\xe9"
            "\xb1\xbc",
            &r);
    assert_int_equal(r.length, 14);
    assert_true(r.accept);
    check_z(repeat(buf, sizeof(buf), "\xe7\x8c\xab", 14), &r);
    assert_int_equal(r.reasons, BIT(GH_PP_GUESSABLE));
}

static void
repeated_emoji_are_not_strong(void **state)
{
    char buf[256];
    struct gh_passphrase_report r;

    (void)state;
    check_z(repeat(buf, sizeof(buf), "\xf0\x9f\x98\x80", 14), &r); /* 14 x U+1F600 */
    assert_int_equal(r.length, 14);
    assert_int_equal(r.reasons, BIT(GH_PP_GUESSABLE));
    assert_true(r.guesses_log10 < 7);
    assert_true(r.keyspace_log10 > 20); /* 80^14: the arithmetic alone would call it strong */
    assert_non_null(strstr(r.pool, "Emoticons (80)"));
    assert_int_equal(r.pool_size, 80);
    check_z(repeat(buf, sizeof(buf), "\xf0\x9f\x98\x80\xf0\x9f\x98\x81", 7), &r);
    assert_int_equal(r.reasons, BIT(GH_PP_GUESSABLE));
    /* with a skin tone, each one is two code points and still one choice */
    check_z(repeat(buf, sizeof(buf), "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", 7), &r);
    assert_int_equal(r.length, 14);
    assert_int_equal(r.reasons, BIT(GH_PP_GUESSABLE));
}

static void
the_fallback_never_exceeds_the_keyspace(void **state)
{
    char buf[256];
    size_t len = 0;
    struct gh_passphrase_report r;

    (void)state;
    /* 20 distinct emoji of one 80-character block: 7 bits each would beat 80^20 */
    for (unsigned i = 0; i < 20; i++) {
        buf[len++] = (char)0xF0;
        buf[len++] = (char)0x9F;
        buf[len++] = (char)0x98;
        buf[len++] = (char)(0x80 + i);
    }
    check(buf, len, &r);
    assert_int_equal(r.length, 20);
    assert_true(r.guesses_log10 <= r.keyspace_log10);
    /* random-looking Greek letters: bounded like words, never above the keyspace */
    check_z("\xce\xb6\xcf\x88\xce\xbb\xce\xbe\xce\xb8\xcf\x83\xce\xbc\xce\xb2\xce\xb3\xcf\x87"
            "\xce\xb4\xcf\x80\xce\xba\xce\xbd",
            &r);
    assert_int_equal(r.length, 14);
    assert_true(r.guesses_log10 <= r.keyspace_log10);
    assert_true(r.guesses_log10 < 6); /* one 14-letter "word" is 16 bits */
}

static void
invalid_text_is_refused(void **state)
{
    static const struct {
        const char *text;
        size_t len;
    } bad[] = {
        {"correct horse\xc3\x28 battery", 22},          /* bad continuation */
        {"correct horse \xc0\xaf battery", 23},         /* overlong '/' */
        {"correct horse \xed\xa0\x80 battery", 24},     /* surrogate */
        {"correct horse \xf4\x90\x80\x80 battery", 25}, /* above U+10FFFF */
        {"correct horse battery \xe2\x82", 24},         /* truncated */
        {"correct horse\0battery staple", 28},          /* NUL */
        {"correct horse\tbattery staple", 28},          /* tab */
        {"correct horse\nbattery staple", 28},          /* newline */
        {"correct horse\x7f"
         "battery staple",
         28}, /* DEL */
        {"correct horse\xc2\x85"
         "battery staple",
         29},                                   /* C1: NEXT LINE */
        {"correct horse battery staple\r", 29}, /* CR */
    };
    struct gh_passphrase_report r;
    char norm[64];

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        check(bad[i].text, bad[i].len, &r);
        assert_false(r.accept);
        assert_int_equal(r.reasons, BIT(GH_PP_INVALID_TEXT));
        assert_true(r.guesses_log10 == 0);
        assert_int_equal(strncmp(r.message, "Refused: it is not valid text", 29), 0);
        assert_gh(gh_passphrase_normalize(bad[i].text, bad[i].len, norm, sizeof(norm)),
                  GH_E_INVALID);
        assert_string_equal(norm, "");
    }
}

static void
thirteen_code_points_are_too_short_fourteen_are_not(void **state)
{
    struct gh_passphrase_report r;

    (void)state;
    check_z("vK8#qW3!zR6@m", &r); /* 13 */
    assert_int_equal(r.length, 13);
    assert_int_equal(r.reasons, BIT(GH_PP_TOO_SHORT));
    assert_string_equal(r.message,
                        "Refused: it has 13 characters and the minimum is 14. Add more words.");
    check_z("vK8#qW3!zR6@mT", &r); /* 14 */
    assert_int_equal(r.length, 14);
    assert_int_equal(r.reasons, 0);
    assert_true(r.accept);
    /* code points, not bytes: 13 two-byte letters are still 13 */
    check_z("\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0\xc3\xa2\xc3\xae\xc3\xaf\xc3\xb4\xc3\xb6"
            "\xc3\xb9\xc3\xbb\xc3\xbc",
            &r);
    assert_int_equal(r.length, 13);
    assert_true((r.reasons & BIT(GH_PP_TOO_SHORT)) != 0);
}

/* n code points of random-looking ASCII (a fixed pattern, so the test is deterministic). */
static void
ascii_of_length(char *buf, size_t n)
{
    static const char alphabet[] = "q7W!e9R#t1Y$u3I%o5P^a8S&d2F*g4H(j6K)l0Z_x";
    uint32_t x = 12345;

    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
    }
    buf[n] = '\0';
}

static void
two_hundred_fifty_six_code_points_pass_257_do_not(void **state)
{
    char buf[2048];
    struct gh_passphrase_report r;

    (void)state;
    ascii_of_length(buf, 256);
    check(buf, 256, &r);
    assert_int_equal(r.length, 256);
    assert_int_equal(r.reasons, 0);
    ascii_of_length(buf, 257);
    check(buf, 257, &r);
    assert_int_equal(r.length, 257);
    assert_int_equal(r.reasons, BIT(GH_PP_TOO_LONG));
    assert_string_equal(r.message,
                        "Refused: it is longer than 256 characters. Use a shorter passphrase.");
    /* four-byte code points: 256 of them are 1024 bytes, the most ever read */
    repeat(buf, sizeof(buf), "\xf0\x9f\x98\x80\xf0\x9f\x98\x81\xf0\x9f\x98\x82\xf0\x9f\x98\x83",
           64);
    check(buf, 1024, &r);
    assert_int_equal(r.length, 256);
    assert_true((r.reasons & BIT(GH_PP_TOO_LONG)) == 0);
    memcpy(buf + 1024, "\xf0\x9f\x98\x84", 4);
    check(buf, 1028, &r);
    assert_int_equal(r.reasons, BIT(GH_PP_TOO_LONG));
}

static double
seconds_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
one_mib_is_refused_without_being_read(void **state)
{
    size_t len = (size_t)1 << 20;
    char *big = malloc(len);
    struct gh_passphrase_report r;
    double start;

    (void)state;
    assert_non_null(big);
    memset(big, 'a', len);
    start = seconds_now();
    for (int i = 0; i < 100; i++) {
        check(big, len, &r);
    }
    assert_true(seconds_now() - start < 0.5); /* a full read would be ~100 MiB of work */
    assert_int_equal(r.reasons, BIT(GH_PP_TOO_LONG));
    assert_int_equal(r.length, 0);
    memset(big, 0xFF, len); /* invalid too: refused as too long before anything is read */
    check(big, len, &r);
    assert_int_equal(r.reasons, BIT(GH_PP_TOO_LONG));
    /* the byte bound is exact: 1024 is read, 1025 is not */
    memset(big, 'a', len);
    check(big, GH_PASSPHRASE_MAX_BYTES, &r);
    assert_int_equal(r.length, GH_PASSPHRASE_MAX_BYTES);
    check(big, GH_PASSPHRASE_MAX_BYTES + 1, &r);
    assert_int_equal(r.length, 0);
    assert_int_equal(r.reasons, BIT(GH_PP_TOO_LONG));
    free(big);
}

static void
min_length_never_goes_below_eight(void **state)
{
    struct gh_passphrase_policy p = {4, 0, NULL, 0, 0};
    struct gh_passphrase_report r;

    (void)state;
    assert_gh(gh_passphrase_check(&p, "vK8#qW3", 7, NULL, &r), GH_OK);
    assert_int_equal(r.min_length, 8);
    assert_int_equal(r.reasons, BIT(GH_PP_TOO_SHORT));
    assert_gh(gh_passphrase_check(&p, "vK8#qW3!zR6@", 12, NULL, &r), GH_OK);
    assert_int_equal(r.reasons, 0);
    p.min_length = 0; /* the default */
    assert_gh(gh_passphrase_check(&p, "vK8#qW3!zR6@", 12, NULL, &r), GH_OK);
    assert_int_equal(r.min_length, 14);
    assert_int_equal(r.reasons, BIT(GH_PP_TOO_SHORT));
    p.min_length = 20;
    assert_gh(gh_passphrase_check(&p, "correct horse battery", 21, NULL, &r), GH_OK);
    assert_int_equal(r.min_length, 20);
    assert_true((r.reasons & BIT(GH_PP_TOO_SHORT)) == 0);
    p.min_length = 257; /* nothing could pass */
    assert_gh(gh_passphrase_check(&p, "correct horse battery", 21, NULL, &r), GH_E_INVALID);
}

static void
impossible_arguments_are_errors(void **state)
{
    struct gh_passphrase_policy nan_rate = {0, 0, NULL, NAN, 0};
    struct gh_passphrase_policy negative = {0, -1, NULL, 0, 0};
    struct gh_passphrase_context bad_name = {NULL, "Al\xc3", NULL};
    struct gh_passphrase_report r;
    char norm[8];

    (void)state;
    assert_gh(gh_passphrase_check(NULL, "x", 1, NULL, NULL), GH_E_INVALID);
    assert_gh(gh_passphrase_check(NULL, NULL, 3, NULL, &r), GH_E_INVALID);
    assert_false(r.accept);
    assert_gh(gh_passphrase_check(&nan_rate, "x", 1, NULL, &r), GH_E_INVALID);
    assert_gh(gh_passphrase_check(&negative, "x", 1, NULL, &r), GH_E_INVALID);
    assert_gh(gh_passphrase_check(NULL, "correct horse battery staple", 28, &bad_name, &r),
              GH_E_INVALID);
    assert_false(r.accept);
    check(NULL, 0, &r); /* the empty passphrase is text, just too short */
    assert_int_equal(r.reasons, BIT(GH_PP_TOO_SHORT) | BIT(GH_PP_GUESSABLE));
    assert_gh(gh_passphrase_normalize("abc", 3, NULL, 8), GH_E_INVALID);
    assert_gh(gh_passphrase_normalize("abcdefgh", 8, norm, sizeof(norm)), GH_E_LIMIT);
    assert_string_equal(norm, "");
    assert_gh(gh_passphrase_normalize("\xef\xac\x83", 3, norm, 3), GH_E_LIMIT); /* ﬃ: 3 bytes */
    assert_gh(gh_passphrase_normalize("\xef\xac\x83", 3, norm, 4), GH_OK);
    assert_string_equal(norm, "ffi");
}

/* ---- context words ---- */

static void
email_words_are_context(void **state)
{
    struct gh_passphrase_context ctx = {"alice.smith@example.com", NULL, NULL};
    struct gh_passphrase_report r;

    (void)state;
    assert_gh(gh_passphrase_check(NULL, "alicesmith2024example", 21, &ctx, &r), GH_OK);
    assert_false(r.accept);
    assert_true((r.reasons & BIT(GH_PP_CONTEXT)) != 0);
    assert_gh(gh_passphrase_check(NULL, "ExampleAlice-Smith!!", 20, &ctx, &r), GH_OK);
    assert_true((r.reasons & BIT(GH_PP_CONTEXT)) != 0);
    /* negative: the same passphrases without that context */
    check_z("ExampleAlice-Smith!!", &r);
    assert_true((r.reasons & BIT(GH_PP_CONTEXT)) == 0);
    /* negative: a context word among enough other words is fine */
    assert_gh(gh_passphrase_check(NULL, "correct horse battery staple alice", 34, &ctx, &r), GH_OK);
    assert_true(r.accept);
}

static void
names_and_products_are_context(void **state)
{
    struct gh_passphrase_context ctx = {NULL, "Zo\xc3\xab Bront\xc3\xab", "Acme Widgets"};
    struct gh_passphrase_report r;

    (void)state;
    /* the product names, always; zxcvbn alone would let this one through */
    check_z("Gatehouse-Twilio-2024", &r);
    assert_int_equal(r.reasons, BIT(GH_PP_CONTEXT));
    assert_non_null(strstr(r.message, "your e-mail, your name or the account's name"));
    /* a non-ASCII name, case-insensitively and after NFKC (decomposed ë) */
    assert_gh(gh_passphrase_check(NULL, "BRONTE\xcc\x88 zoe\xcc\x88 bront\xc3\xab!", 17, &ctx, &r),
              GH_OK);
    assert_true((r.reasons & BIT(GH_PP_CONTEXT)) != 0);
    /* the account's friendly name, and l33t through zxcvbn's user dictionary */
    assert_gh(gh_passphrase_check(NULL, "acmewidgets acme 2024", 21, &ctx, &r), GH_OK);
    assert_true((r.reasons & BIT(GH_PP_CONTEXT)) != 0);
    assert_gh(gh_passphrase_check(NULL, "4cm3W1dg3ts#2024", 16, &ctx, &r), GH_OK);
    assert_true((r.reasons & BIT(GH_PP_CONTEXT)) != 0);
    /* negative: short name parts (< 4 code points) are not removed by rule (a) */
    ctx.name = "Al Bo";
    ctx.account_name = NULL;
    assert_gh(gh_passphrase_check(NULL, "vK8#qW3!zR6@mT al", 17, &ctx, &r), GH_OK);
    assert_int_equal(r.reasons, 0);
}

/* ---- blocklist ---- */

static void
blocklist_hits_after_nfkc_and_case_folding(void **state)
{
    struct test_dir d;
    char path[PATH_MAX], longline[3000], text[4096];
    struct gh_passphrase_policy p = {0, 0, NULL, 0, 0};
    struct gh_passphrase_report r;

    (void)state;
    test_dir_make(&d);
    test_path(&d, "blocklist.txt", path);
    memset(longline, 'x', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    snprintf(text, sizeof(text),
             "%s\n"                                  /* over-long: skipped */
             "bad \xc3\x28 line\n"                   /* invalid: skipped */
             "Correct Horse Battery Staple Pony\r\n" /* CRLF */
             "\xef\xac\x81nal answer is forty two\n" /* ligature */
             "STRASSE UND WEG UND PLATZ\n"           /* ß folds to ss */
             "\n"
             "last line without newline words",
             longline);
    test_write_file(path, text, 0600);
    p.blocklist_path = path;

    assert_gh(gh_passphrase_check(&p, "correct horse battery staple pony", 33, NULL, &r), GH_OK);
    assert_int_equal(r.reasons, BIT(GH_PP_BLOCKLISTED));
    assert_non_null(strstr(r.message, "forbidden passphrases"));
    assert_gh(gh_passphrase_check(&p, "FINAL ANSWER IS FORTY TWO", 25, NULL, &r), GH_OK);
    assert_true((r.reasons & BIT(GH_PP_BLOCKLISTED)) != 0);
    assert_gh(gh_passphrase_check(&p,
                                  "Stra\xc3\x9f"
                                  "e und Weg und Platz",
                                  25, NULL, &r),
              GH_OK);
    assert_true((r.reasons & BIT(GH_PP_BLOCKLISTED)) != 0);
    assert_gh(gh_passphrase_check(&p,
                                  "\xef\xbc\xac"
                                  "ast line without newline words",
                                  33, NULL, &r),
              GH_OK); /* fullwidth L */
    assert_true((r.reasons & BIT(GH_PP_BLOCKLISTED)) != 0);
    /* negative: near misses are not hits */
    assert_gh(gh_passphrase_check(&p, "correct horse battery staple pony!", 34, NULL, &r), GH_OK);
    assert_int_equal(r.reasons, 0);
    assert_gh(gh_passphrase_check(&p, "correct horse battery staple", 28, NULL, &r), GH_OK);
    assert_int_equal(r.reasons, 0);
    test_dir_remove(&d);
}

static void
an_unreadable_blocklist_is_an_error(void **state)
{
    struct test_dir d;
    char path[PATH_MAX];
    struct gh_passphrase_policy p = {0, 0, NULL, 0, 0};
    struct gh_passphrase_report r;

    (void)state;
    test_dir_make(&d);
    test_path(&d, "missing.txt", path);
    p.blocklist_path = path;
    assert_gh(gh_passphrase_check(&p, "correct horse battery staple", 28, NULL, &r), GH_E_IO);
    assert_false(r.accept);
    assert_int_equal(r.reasons, 0);
    p.blocklist_path = d.path; /* a folder */
    assert_gh(gh_passphrase_check(&p, "correct horse battery staple", 28, NULL, &r), GH_E_IO);
    assert_false(r.accept);
    /* a passphrase refused before the blocklist is read needs no blocklist */
    p.blocklist_path = path;
    assert_gh(gh_passphrase_check(&p, "short", 5, NULL, &r), GH_E_IO);
    test_dir_remove(&d);
}

/* ---- reasons and refusals added by callers ---- */

static void
reason_codes_and_sentences(void **state)
{
    (void)state;
    assert_string_equal(gh_passphrase_reason_code(GH_PP_TOO_SHORT), "too_short");
    assert_string_equal(gh_passphrase_reason_code(GH_PP_INVALID_TEXT), "invalid_text");
    assert_string_equal(gh_passphrase_reason_code(GH_PP_REUSED), "reused");
    assert_string_equal(gh_passphrase_reason_sentence(GH_PP_BREACHED),
                        "It has appeared in a data breach.");
    assert_string_equal(gh_passphrase_reason_code(GH_PP_COUNT_), "unknown");
    assert_string_equal(gh_passphrase_reason_code((enum gh_passphrase_reason) - 1), "unknown");
    for (int i = 0; i < GH_PP_COUNT_; i++) {
        assert_true(strlen(gh_passphrase_reason_sentence((enum gh_passphrase_reason)i)) > 10);
    }
}

static void
refuse_adds_a_reason_and_flips_the_verdict(void **state)
{
    struct gh_passphrase_report r;

    (void)state;
    check_z("correct horse battery staple", &r);
    assert_true(r.accept);
    gh_passphrase_refuse(&r, GH_PP_BREACHED);
    assert_false(r.accept);
    assert_int_equal(r.reasons, BIT(GH_PP_BREACHED));
    assert_string_equal(r.message, "Refused: it has appeared in a data breach. "
                                   "Choose one you have never used anywhere.");
    gh_passphrase_refuse(&r, GH_PP_REUSED);
    assert_int_equal(r.reasons, BIT(GH_PP_BREACHED) | BIT(GH_PP_REUSED));
    assert_non_null(strstr(r.message, "data breach")); /* breached comes first */
    /* negative: unknown reasons and NULL change nothing */
    check_z("correct horse battery staple", &r);
    gh_passphrase_refuse(&r, GH_PP_COUNT_);
    assert_true(r.accept);
    assert_int_equal(r.reasons, 0);
    gh_passphrase_refuse(NULL, GH_PP_REUSED);
}

/* ---- generate ---- */

/* Whether word is a line's word in the EFF list ("11111\tabacus"). */
static bool
in_eff_list(const char *list, const char *word, size_t len)
{
    char needle[80];

    snprintf(needle, sizeof(needle), "\t%.*s\n", (int)len, word);
    return strstr(list, needle) != NULL;
}

static void
generate_draws_words_from_the_list(void **state)
{
    static char list[128 * 1024];
    char out[512];
    double bits;

    (void)state;
    test_read_file(eff_list, list, sizeof(list));
    for (unsigned words = 4; words <= 20; words += 16) {
        const char *p = out;
        unsigned n = 0;

        assert_gh(gh_passphrase_generate(NULL, words, out, sizeof(out), &bits), GH_OK);
        while (*p != '\0') {
            size_t len = strcspn(p, " ");

            assert_true(in_eff_list(list, p, len));
            n++;
            p += len + (p[len] == ' ');
        }
        assert_int_equal(n, words);
        assert_true(fabs(bits - words * log2(7776.0)) < 1e-9);
    }
    assert_gh(gh_passphrase_generate(eff_list, 0, out, sizeof(out), &bits), GH_OK);
    assert_true(fabs(bits - 77.548) < 0.001); /* the default: 6 words */
    assert_int_equal(strncmp(out, "", 1) != 0, 1);
}

static void
generate_refuses_what_it_cannot_do_honestly(void **state)
{
    struct test_dir d;
    char path[PATH_MAX], out[512];
    double bits = 1;

    (void)state;
    assert_gh(gh_passphrase_generate(NULL, 3, out, sizeof(out), &bits), GH_E_INVALID);
    assert_gh(gh_passphrase_generate(NULL, 21, out, sizeof(out), &bits), GH_E_INVALID);
    assert_gh(gh_passphrase_generate(NULL, 6, NULL, 10, &bits), GH_E_INVALID);
    assert_gh(gh_passphrase_generate(NULL, 6, out, sizeof(out), NULL), GH_E_INVALID);
    assert_gh(gh_passphrase_generate(NULL, 20, out, 40, &bits), GH_E_LIMIT);
    assert_string_equal(out, "");
    assert_true(bits == 0);
    test_dir_make(&d);
    test_path(&d, "words.txt", path);
    assert_gh(gh_passphrase_generate(path, 6, out, sizeof(out), &bits), GH_E_IO);
    test_write_file(path, "11111\tapple\n11112\tpear\n11113\tapple\n", 0600); /* a repeat */
    assert_gh(gh_passphrase_generate(path, 6, out, sizeof(out), &bits), GH_E_INVALID);
    assert_string_equal(out, "");
    test_write_file(path, "apple\n", 0600); /* one word: no entropy */
    assert_gh(gh_passphrase_generate(path, 6, out, sizeof(out), &bits), GH_E_INVALID);
    test_write_file(path, "apple pie\nbanana\n", 0600); /* a word with a space */
    assert_gh(gh_passphrase_generate(path, 6, out, sizeof(out), &bits), GH_E_INVALID);
    /* a plain list of four words, CRLF: 2 bits a word */
    test_write_file(path, "apple\r\npear\r\nplum\r\nfig\r\n", 0600);
    assert_gh(gh_passphrase_generate(path, 5, out, sizeof(out), &bits), GH_OK);
    assert_true(bits == 10.0);
    assert_int_equal(strlen(out) >= 5 * 3 + 4, 1);
    test_dir_remove(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keyspace_matches_the_shared_vectors),
        cmocka_unit_test(keyspace_of_a_report),
        cmocka_unit_test(keyspace_text_edges),
        cmocka_unit_test(password123456_is_refused_as_guessable),
        cmocka_unit_test(correct_horse_battery_staple_is_accepted),
        cmocka_unit_test(crack_times_follow_the_rates),
        cmocka_unit_test(the_guessable_threshold_is_configurable),
        cmocka_unit_test(duration_text_in_human_units),
        cmocka_unit_test(nfkc_equivalents_normalise_to_the_same_bytes),
        cmocka_unit_test(nfkc_equivalents_count_the_same),
        cmocka_unit_test(combining_marks_are_code_points),
        cmocka_unit_test(emoji_and_zwj_sequences_count_code_points),
        cmocka_unit_test(zero_width_characters_count_but_add_little),
        cmocka_unit_test(right_to_left_text),
        cmocka_unit_test(words_in_other_scripts_are_words),
        cmocka_unit_test(repeated_emoji_are_not_strong),
        cmocka_unit_test(the_fallback_never_exceeds_the_keyspace),
        cmocka_unit_test(invalid_text_is_refused),
        cmocka_unit_test(thirteen_code_points_are_too_short_fourteen_are_not),
        cmocka_unit_test(two_hundred_fifty_six_code_points_pass_257_do_not),
        cmocka_unit_test(one_mib_is_refused_without_being_read),
        cmocka_unit_test(min_length_never_goes_below_eight),
        cmocka_unit_test(impossible_arguments_are_errors),
        cmocka_unit_test(email_words_are_context),
        cmocka_unit_test(names_and_products_are_context),
        cmocka_unit_test(blocklist_hits_after_nfkc_and_case_folding),
        cmocka_unit_test(an_unreadable_blocklist_is_an_error),
        cmocka_unit_test(reason_codes_and_sentences),
        cmocka_unit_test(refuse_adds_a_reason_and_flips_the_verdict),
        cmocka_unit_test(generate_draws_words_from_the_list),
        cmocka_unit_test(generate_refuses_what_it_cannot_do_honestly),
    };

    test_tap_output();
    if (gh_library_init() != GH_OK) {
        return 1;
    }
    return cmocka_run_group_tests_name("passphrase", tests, NULL, NULL);
}
