/*
 * core_test.c -- lib/core: the error table, UTF-8 validation, bounded buffers and copies, the
 * clock and its date formats, and allocation-failure injection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sys/wait.h>
#include <time.h>

#include "internal.h"

#include "helpers.h"

/* ---- the error table ---- */

static void
err_every_code_has_a_row(void **state)
{
    (void)state;
    for (int i = 0; i < GH_ERR_COUNT_; i++) {
        gh_err e = (gh_err)i;
        const char *name = gh_err_name(e);
        const char *msg = gh_err_message(e);

        assert_non_null(name);
        assert_non_null(msg);
        assert_true(strlen(msg) > 0);
        assert_null(strchr(msg, '%')); /* fixed text, never a format */
        assert_string_not_equal(name, "GH_E_UNKNOWN");
        if (e == GH_OK) {
            assert_string_equal(name, "GH_OK");
            assert_int_equal(gh_err_http_status(e), 200);
            assert_int_equal(gh_err_twilio_code(e), 0);
            continue;
        }
        assert_int_equal(strncmp(name, "GH_E_", 5), 0);
        assert_in_range(gh_err_http_status(e), 400, 599);
        assert_in_range(gh_err_twilio_code(e), 10000, 99999);
    }
}

/* The name of each code is its enum spelling (checked against the table itself). */
static void
err_names_match_the_enum(void **state)
{
#define NAME_ROW_(name, http, code, msg) {name, #name},
    static const struct {
        gh_err e;
        const char *name;
    } rows[] = {GH_ERR_TABLE(NAME_ROW_)};
#undef NAME_ROW_

    (void)state;
    assert_int_equal(GH_ARRAY_LEN(rows), GH_ERR_COUNT_);
    for (size_t i = 0; i < GH_ARRAY_LEN(rows); i++) {
        assert_string_equal(gh_err_name(rows[i].e), rows[i].name);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(rows[i].name, rows[j].name);
        }
    }
}

static void
err_twilio_codes_of_security_errors(void **state)
{
    (void)state;
    assert_int_equal(gh_err_http_status(GH_E_DENIED), 401);
    assert_int_equal(gh_err_twilio_code(GH_E_DENIED), 20003);
    assert_string_equal(gh_err_message(GH_E_DENIED), "Authenticate");
    assert_int_equal(gh_err_http_status(GH_E_FORBIDDEN), 403);
    assert_int_equal(gh_err_twilio_code(GH_E_FORBIDDEN), 20403);
    assert_int_equal(gh_err_http_status(GH_E_KEY_RESTRICTED), 403);
    assert_int_equal(gh_err_twilio_code(GH_E_KEY_RESTRICTED), 70051);
    assert_int_equal(gh_err_http_status(GH_E_NOT_FOUND), 404);
    assert_int_equal(gh_err_twilio_code(GH_E_NOT_FOUND), 20404);
    assert_int_equal(gh_err_twilio_code(GH_E_NESTED), 21101);
    assert_int_equal(gh_err_twilio_code(GH_E_PARENT_SUSPENDED), 21476);
    assert_int_equal(gh_err_twilio_code(GH_E_SUBACCOUNT_LIMIT), 21480);
    assert_int_equal(gh_err_twilio_code(GH_E_PAGE_TOKEN), 21481);
    assert_int_equal(gh_err_twilio_code(GH_E_FRIENDLY_NAME), 20002);
    assert_int_equal(gh_err_http_status(GH_E_LIMIT), 429);
    assert_int_equal(gh_err_twilio_code(GH_E_LIMIT), 20429);
    assert_int_equal(gh_err_http_status(GH_E_CONFLICT), 409);
    /* Internal failures all look the same to a client. */
    assert_int_equal(gh_err_http_status(GH_E_STORE), 500);
    assert_int_equal(gh_err_http_status(GH_E_CRYPTO), 500);
    assert_string_equal(gh_err_message(GH_E_STORE), gh_err_message(GH_E_CRYPTO));
}

static void
err_unknown_values_are_internal(void **state)
{
    const gh_err bad[] = {(gh_err)GH_ERR_COUNT_, (gh_err)(GH_ERR_COUNT_ + 100), (gh_err)-1};

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(bad); i++) {
        assert_string_equal(gh_err_name(bad[i]), "GH_E_UNKNOWN");
        assert_int_equal(gh_err_http_status(bad[i]), 500);
        assert_int_equal(gh_err_twilio_code(bad[i]), 20500);
        assert_non_null(gh_err_message(bad[i]));
    }
}

/* ---- UTF-8 ---- */

static long
count_bytes(const char *s, size_t len)
{
    return gh_utf8_count(s, len);
}

static long
count_z(const char *s)
{
    return gh_utf8_count(s, strlen(s));
}

/* An independent decoder: RFC 3629 plus "no NUL, no C0 or C1 control, no DEL". */
static long
reference_count(const unsigned char *s, size_t len)
{
    size_t i = 0;
    long count = 0;

    while (i < len) {
        unsigned c = s[i];
        uint32_t cp;
        uint32_t min;
        size_t n;

        if (c < 0x80) {
            n = 1, cp = c, min = 0;
        } else if ((c & 0xE0) == 0xC0) {
            n = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return -1;
        }
        if (len - i < n) {
            return -1;
        }
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return -1;
            }
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return -1;
        }
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            return -1;
        }
        i += n;
        count++;
    }
    return count;
}

static void
utf8_counts_ascii_and_multibyte(void **state)
{
    (void)state;
    assert_int_equal(count_z(""), 0);
    assert_int_equal(count_z("hello"), 5);
    assert_int_equal(count_z(" ~"), 2);
    assert_int_equal(count_z("\xC3\xA9"), 1);         /* U+00E9 */
    assert_int_equal(count_z("\xC2\xA0"), 1);         /* U+00A0, the first after C1 */
    assert_int_equal(count_z("\xE2\x82\xAC"), 1);     /* U+20AC */
    assert_int_equal(count_z("\xED\x9F\xBF"), 1);     /* U+D7FF, below the surrogates */
    assert_int_equal(count_z("\xEE\x80\x80"), 1);     /* U+E000, above them */
    assert_int_equal(count_z("\xEF\xBF\xBF"), 1);     /* U+FFFF */
    assert_int_equal(count_z("\xF0\x90\x8D\x88"), 1); /* U+10348 */
    assert_int_equal(count_z("\xF4\x8F\xBF\xBF"), 1); /* U+10FFFF, the last */
    assert_int_equal(count_z("Caf\xC3\xA9 \xE2\x82\xAC"
                             "5 \xF0\x9F\x94\x92"),
                     9);
}

static void
utf8_refuses_overlong_forms(void **state)
{
    static const char *const overlong[] = {
        "\xC0\x80",     "\xC0\xAF",         "\xC1\xBF",         "\xE0\x80\x80",     "\xE0\x80\xAF",
        "\xE0\x9F\xBF", "\xF0\x80\x80\x80", "\xF0\x80\x80\xAF", "\xF0\x8F\xBF\xBF",
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(overlong); i++) {
        assert_int_equal(count_z(overlong[i]), -1);
    }
}

static void
utf8_refuses_surrogates(void **state)
{
    static const char *const surrogates[] = {
        "\xED\xA0\x80",             /* U+D800 */
        "\xED\xAD\xBF",             /* U+DB7F */
        "\xED\xB0\x80",             /* U+DC00 */
        "\xED\xBF\xBF",             /* U+DFFF */
        "\xED\xA0\xBD\xED\xB2\xA9", /* a CESU-8 pair */
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(surrogates); i++) {
        assert_int_equal(count_z(surrogates[i]), -1);
    }
}

static void
utf8_refuses_beyond_u10ffff(void **state)
{
    static const char *const beyond[] = {
        "\xF4\x90\x80\x80",
        "\xF4\xBF\xBF\xBF",
        "\xF5\x80\x80\x80",
        "\xF7\xBF\xBF\xBF",
        "\xF8\x88\x80\x80\x80",
        "\xFC\x84\x80\x80\x80\x80",
        "\xFE",
        "\xFF",
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(beyond); i++) {
        assert_int_equal(count_z(beyond[i]), -1);
    }
}

static void
utf8_refuses_truncated_sequences(void **state)
{
    (void)state;
    assert_int_equal(count_z("\xC3"), -1);
    assert_int_equal(count_z("\xE2\x82"), -1);
    assert_int_equal(count_z("\xF0\x90\x8D"), -1);
    assert_int_equal(count_z("abc\xE2"), -1);
    /* A valid string cut by len in the middle of a character. */
    assert_int_equal(count_bytes("\xE2\x82\xAC", 2), -1);
    assert_int_equal(count_bytes("a\xF0\x90\x8D\x88", 4), -1);
    /* Continuation bytes where a lead is expected, and leads where a continuation is. */
    assert_int_equal(count_z("\x80"), -1);
    assert_int_equal(count_z("\xBF"), -1);
    assert_int_equal(count_z("a\x80"
                             "b"),
                     -1);
    assert_int_equal(count_z("\xC3\x28"), -1);
    assert_int_equal(count_z("\xE2\x28\xA1"), -1);
    assert_int_equal(count_z("\xE2\x82\x28"), -1);
    assert_int_equal(count_z("\xF0\x90\x28\xBC"), -1);
    assert_int_equal(count_z("\xF0\x90\x8D\x28"), -1);
    assert_int_equal(count_z("\xC3\xC3\xA9"), -1);
}

static void
utf8_refuses_nul_and_controls(void **state)
{
    (void)state;
    assert_int_equal(count_bytes("a\0b", 3), -1);
    assert_int_equal(count_bytes("\0", 1), -1);
    for (int c = 0x01; c < 0x20; c++) {
        char s[2] = {(char)c, '\0'};

        assert_int_equal(count_bytes(s, 1), -1);
    }
    assert_int_equal(count_z("\x7F"), -1);      /* DEL */
    assert_int_equal(count_z("tab\there"), -1); /* even TAB */
    assert_int_equal(count_z("line\n"), -1);
    assert_int_equal(count_z("\xC2\x80"), -1); /* U+0080, C1 */
    assert_int_equal(count_z("\xC2\x85"), -1); /* NEL */
    assert_int_equal(count_z("\xC2\x9B"), -1); /* CSI */
    assert_int_equal(count_z("\xC2\x9F"), -1); /* U+009F, the last C1 */
    assert_int_equal(count_z("ok\xC2\x9Bok"), -1);
}

/* Every one- and two-byte input, and every three-byte input, against the reference decoder. */
/* gh_utf8_valid: the same UTF-8 rules, but control characters (not NUL) are allowed. */
static void
utf8_valid_allows_controls_but_not_nul(void **state)
{
    (void)state;
    assert_true(gh_utf8_valid("a\nb\tc\x7f", 6));
    assert_true(gh_utf8_valid("\xC2\x85", 2)); /* U+0085, a C1 control */
    assert_true(gh_utf8_valid("", 0));
    assert_false(gh_utf8_valid("a\0b", 3));
    assert_false(gh_utf8_valid("\xC0\x80", 2));     /* overlong NUL */
    assert_false(gh_utf8_valid("\xED\xA0\x80", 3)); /* a surrogate */
    assert_false(gh_utf8_valid("\xE2\x82", 2));     /* truncated */
    assert_false(gh_utf8_valid("\xFF", 1));
}

static void
utf8_agrees_with_reference_exhaustively(void **state)
{
    unsigned char s[4];

    (void)state;
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        assert_int_equal(gh_utf8_count((const char *)s, 1), reference_count(s, 1));
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            assert_int_equal(gh_utf8_count((const char *)s, 2), reference_count(s, 2));
        }
    }
    for (unsigned a = 0xE0; a <= 0xEF; a++) {
        for (unsigned b = 0; b < 256; b++) {
            for (unsigned c = 0; c < 256; c++) {
                s[0] = (unsigned char)a;
                s[1] = (unsigned char)b;
                s[2] = (unsigned char)c;
                if (gh_utf8_count((const char *)s, 3) != reference_count(s, 3)) {
                    fail_msg("%02x %02x %02x", a, b, c);
                }
            }
        }
    }
    /* Four-byte leads with every second byte, then every fourth byte. */
    for (unsigned a = 0xF0; a <= 0xFF; a++) {
        for (unsigned b = 0; b < 256; b++) {
            s[0] = (unsigned char)a;
            s[1] = (unsigned char)b;
            s[2] = 0x80;
            s[3] = 0x80;
            assert_int_equal(gh_utf8_count((const char *)s, 4), reference_count(s, 4));
            s[1] = 0x90;
            s[3] = (unsigned char)b;
            assert_int_equal(gh_utf8_count((const char *)s, 4), reference_count(s, 4));
        }
    }
}

/* ---- bounded buffers ---- */

static void
buf_appends_and_terminates(void **state)
{
    struct gh_buf b;

    (void)state;
    gh__buf_init(&b, 2000);
    assert_gh(gh__buf_appendz(&b, "key "), GH_OK);
    assert_gh(gh__buf_append(&b, "12345", 3), GH_OK);
    assert_gh(gh__buf_append(&b, "", 0), GH_OK);
    assert_int_equal(b.len, 7);
    assert_string_equal(b.data, "key 123");
    /* Grows past the first allocation and keeps what it held. */
    for (int i = 0; i < 100; i++) {
        assert_gh(gh__buf_appendz(&b, "0123456789"), GH_OK);
    }
    assert_int_equal(b.len, 1007);
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(memcmp(b.data, "key 1230123456789", 17), 0);
    gh__buf_clear(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void
buf_enforces_its_cap(void **state)
{
    struct gh_buf b;

    (void)state;
    gh__buf_init(&b, 10);
    assert_gh(gh__buf_appendz(&b, "0123456789"), GH_OK); /* exactly the cap */
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    assert_gh(gh__buf_appendz(&b, "x"), GH_E_LIMIT);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    assert_gh(gh__buf_append(&b, "", 0), GH_OK);
    gh__buf_clear(&b);

    gh__buf_init(&b, 10);
    assert_gh(gh__buf_appendz(&b, "0123456789A"), GH_E_LIMIT);
    assert_null(b.data); /* refused before allocating */
    assert_gh(gh__buf_appendz(&b, "01234"), GH_OK);
    assert_gh(gh__buf_appendz(&b, "567890"), GH_E_LIMIT);
    assert_string_equal(b.data, "01234");
    assert_int_equal(b.len, 5);
    gh__buf_clear(&b);
}

/* A length that would wrap len + n around must be refused, not wrapped. */
static void
buf_refuses_wrapping_lengths(void **state)
{
    struct gh_buf b;

    (void)state;
    gh__buf_init(&b, 100);
    assert_gh(gh__buf_appendz(&b, "abc"), GH_OK);
    assert_gh(gh__buf_append(&b, "x", SIZE_MAX), GH_E_LIMIT);
    assert_gh(gh__buf_append(&b, "x", SIZE_MAX - 2), GH_E_LIMIT);
    assert_int_equal(b.len, 3);
    gh__buf_clear(&b);
}

static void
buf_clear_accepts_null_and_reuse(void **state)
{
    struct gh_buf b;

    (void)state;
    gh__buf_clear(NULL);
    gh__buf_init(&b, 32);
    gh__buf_clear(&b); /* never allocated */
    assert_gh(gh__buf_appendz(&b, "again"), GH_OK);
    assert_string_equal(b.data, "again");
    gh__buf_clear(&b);
    assert_int_equal(b.cap, 32);
}

static void
buf_reports_allocation_failure(void **state)
{
    struct gh_buf b;
    char big[200];

    (void)state;
    memset(big, 'z', sizeof(big));
    gh__buf_init(&b, 1000);
    gh__alloc_fail_after(1);
    assert_gh(gh__buf_appendz(&b, "first"), GH_E_NOMEM);
    assert_null(b.data);
    assert_gh(gh__buf_appendz(&b, "first"), GH_OK);
    gh__alloc_fail_after(1);
    assert_gh(gh__buf_append(&b, big, sizeof(big)), GH_E_NOMEM); /* must grow */
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "first");
    assert_gh(gh__buf_append(&b, big, sizeof(big)), GH_OK);
    assert_int_equal(b.len, 205);
    gh__alloc_fail_after(0);
    gh__buf_clear(&b);
}

/*
 * Regression (lib/core/buf.c, grow): with cap == SIZE_MAX ("no limit"), "b->cap + 1" once
 * wrapped to 0, so grow() allocated 1 byte and gh__buf_append wrote past it.  Run in a child so
 * a heap overflow cannot take the other tests with it.
 */
static void
buf_cap_size_max_allocates_enough(void **state)
{
    pid_t pid;
    int status = 0;

    (void)state;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct gh_buf b;
        char text[100];
        gh_err rc;

        memset(text, 'q', sizeof(text));
        gh__buf_init(&b, SIZE_MAX);
        rc = gh__buf_append(&b, text, sizeof(text));
        _exit(rc == GH_OK && b.alloc >= b.len + 1 ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail_msg("gh__buf with cap SIZE_MAX: alloc smaller than len + 1 (heap overflow)");
    }
}

/* ---- bounded copies ---- */

static void
strlcpy_copies_what_fits(void **state)
{
    char dst[8];

    (void)state;
    assert_gh(gh__strlcpy(dst, "abc", sizeof(dst)), GH_OK);
    assert_string_equal(dst, "abc");
    assert_gh(gh__strlcpy(dst, "1234567", sizeof(dst)), GH_OK); /* cap - 1 */
    assert_string_equal(dst, "1234567");
    assert_gh(gh__strlcpy(dst, "", sizeof(dst)), GH_OK);
    assert_string_equal(dst, "");
}

static void
strlcpy_refuses_what_does_not(void **state)
{
    char dst[8];

    (void)state;
    memcpy(dst, "garbage", 8);
    assert_gh(gh__strlcpy(dst, "12345678", sizeof(dst)), GH_E_INVALID);
    assert_string_equal(dst, ""); /* never a truncated copy */
    memcpy(dst, "garbage", 8);
    assert_gh(gh__strlcpy(dst, "a much longer string", sizeof(dst)), GH_E_INVALID);
    assert_string_equal(dst, "");
    memcpy(dst, "garbage", 8);
    assert_gh(gh__strlcpy(dst, "x", 0), GH_E_INVALID);
    assert_string_equal(dst, "garbage"); /* cap 0: nothing written */
    assert_gh(gh__strlcpy(dst, "", 1), GH_OK);
    assert_string_equal(dst, "");
}

/* ---- the clock and the date formats ---- */

static void
time_formats_known_values(void **state)
{
    static const struct {
        int64_t ms;
        const char *rfc2822;
        const char *iso8601;
    } cases[] = {
        {INT64_C(1465858208000), "Mon, 13 Jun 2016 22:50:08 +0000", "2016-06-13T22:50:08Z"},
        {INT64_C(1465858208999), "Mon, 13 Jun 2016 22:50:08 +0000", "2016-06-13T22:50:08Z"},
        {0, "Thu, 01 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z"},
        {INT64_C(951782400000), "Tue, 29 Feb 2000 00:00:00 +0000", "2000-02-29T00:00:00Z"},
        {INT64_C(1582934399000), "Fri, 28 Feb 2020 23:59:59 +0000", "2020-02-28T23:59:59Z"},
        {INT64_C(1609459199000), "Thu, 31 Dec 2020 23:59:59 +0000", "2020-12-31T23:59:59Z"},
        {INT64_C(2147483648000), "Tue, 19 Jan 2038 03:14:08 +0000", "2038-01-19T03:14:08Z"},
        {INT64_C(253402300799000), "Fri, 31 Dec 9999 23:59:59 +0000", "9999-12-31T23:59:59Z"},
    };

    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(cases); i++) {
        char rfc[GH_RFC2822_SIZE];
        char iso[GH_ISO8601_SIZE];

        gh_time_rfc2822(cases[i].ms, rfc);
        gh_time_iso8601(cases[i].ms, iso);
        assert_string_equal(rfc, cases[i].rfc2822);
        assert_string_equal(iso, cases[i].iso8601);
    }
}

/* Every day of the week and month name appears, in English whatever the locale. */
static void
time_names_cover_the_week_and_year(void **state)
{
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const int64_t day_ms = INT64_C(86400000);
    /* Monday 2024-01-01T12:00:00Z */
    const int64_t monday = INT64_C(1704110400000);
    char rfc[GH_RFC2822_SIZE];

    (void)state;
    for (int i = 0; i < 7; i++) {
        gh_time_rfc2822(monday + i * day_ms, rfc);
        assert_memory_equal(rfc, days[i], 3);
    }
    for (int m = 0; m < 12; m++) {
        /* The 15th of each month of 2024. */
        struct tm tm = {.tm_year = 124, .tm_mon = m, .tm_mday = 15, .tm_hour = 12};
        char iso[GH_ISO8601_SIZE];

        gh_time_rfc2822((int64_t)timegm(&tm) * 1000, rfc);
        assert_memory_equal(rfc + 8, months[m], 3);
        gh_time_iso8601((int64_t)timegm(&tm) * 1000, iso);
        assert_int_equal(iso[5] - '0', (m + 1) / 10);
        assert_int_equal(iso[6] - '0', (m + 1) % 10);
    }
}

/*
 * Regression (lib/core/clock.c, utc_of): ms / 1000 truncated toward zero, so instants before the
 * epoch that are not whole seconds formatted one second late (-1 ms printed 1970-01-01T00:00:00Z).
 */
/* The hand-written calendar agrees with gmtime_r + strftime from 1900 to 2200. */
static void
time_agrees_with_gmtime(void **state)
{
    char want[64];
    char got[GH_RFC2822_SIZE];
    char iso_want[64];
    char iso_got[GH_ISO8601_SIZE];

    (void)state;
    /* Steps of 1 day, 1 hour, 1 minute and 7 seconds walk every date and many times of day. */
    for (int64_t s = -2208988800LL; s < 7258118400LL; s += 86400 + 3600 + 60 + 7) {
        time_t t = (time_t)s;
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S +0000", &tm);
        strftime(iso_want, sizeof(iso_want), "%Y-%m-%dT%H:%M:%SZ", &tm);
        gh_time_rfc2822(s * 1000 + 999, got);
        gh_time_iso8601(s * 1000, iso_got);
        assert_string_equal(got, want);
        assert_string_equal(iso_got, iso_want);
    }
}

static void
time_before_epoch_rounds_down(void **state)
{
    char rfc[GH_RFC2822_SIZE];
    char iso[GH_ISO8601_SIZE];

    (void)state;
    gh_time_iso8601(-1000, iso);
    assert_string_equal(iso, "1969-12-31T23:59:59Z"); /* whole seconds are right */
    gh_time_iso8601(-1, iso);
    gh_time_rfc2822(-1, rfc);
    assert_string_equal(iso, "1969-12-31T23:59:59Z");
    assert_string_equal(rfc, "Wed, 31 Dec 1969 23:59:59 +0000");
}

static void
clock_uses_the_injected_clock(void **state)
{
    struct test_clock c;
    struct gh_clock no_fn = {NULL, NULL};
    int64_t sys;

    (void)state;
    test_clock_init(&c, TEST_EPOCH_MS);
    assert_int_equal(gh_clock_now_ms(&c.clock), TEST_EPOCH_MS);
    test_clock_advance(&c, 1234);
    assert_int_equal(gh_clock_now_ms(&c.clock), TEST_EPOCH_MS + 1234);
    /* No clock (or no function): the system's, which is after this code was written. */
    sys = gh_clock_now_ms(NULL);
    assert_true(sys > INT64_C(1700000000000));
    assert_true(gh_clock_now_ms(&no_fn) >= sys);
}

/* ---- allocation and its failure injection ---- */

static void
alloc_fails_the_nth_allocation_only(void **state)
{
    void *p[4];

    (void)state;
    gh__alloc_fail_after(3);
    p[0] = gh__alloc(16);
    p[1] = gh__calloc(2, 8);
    p[2] = gh__alloc(16); /* the third */
    p[3] = gh__alloc(16);
    assert_non_null(p[0]);
    assert_non_null(p[1]);
    assert_null(p[2]);
    assert_non_null(p[3]);
    for (size_t i = 0; i < 4; i++) {
        gh__free(p[i]);
    }
}

static void
alloc_failure_reaches_calloc_and_strdup(void **state)
{
    char *s;

    (void)state;
    gh__alloc_fail_after(1);
    assert_null(gh__calloc(4, 4));
    gh__alloc_fail_after(1);
    assert_null(gh__strdup("secret"));
    s = gh__strdup("secret");
    assert_non_null(s);
    assert_string_equal(s, "secret");
    gh__free(s);
    gh__free(NULL);
}

static void
alloc_zero_disables_injection(void **state)
{
    void *p;
    void *q;

    (void)state;
    gh__alloc_fail_after(2);
    gh__alloc_fail_after(0);
    p = gh__alloc(0); /* size 0 still gives a pointer to free */
    q = gh__calloc(0, 0);
    assert_non_null(p);
    assert_non_null(q);
    gh__free(p);
    gh__free(q);
}

static void
library_init_is_repeatable(void **state)
{
    const char *v;

    (void)state;
    assert_gh(gh_library_init(), GH_OK);
    assert_gh(gh_library_init(), GH_OK);
    v = gh_library_versions();
    assert_non_null(strstr(v, "libsodium "));
    assert_non_null(strstr(v, "openssl "));
}

static int
reset_alloc(void **state)
{
    (void)state;
    gh__alloc_fail_after(0);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(err_every_code_has_a_row),
        cmocka_unit_test(err_names_match_the_enum),
        cmocka_unit_test(err_twilio_codes_of_security_errors),
        cmocka_unit_test(err_unknown_values_are_internal),
        cmocka_unit_test(utf8_counts_ascii_and_multibyte),
        cmocka_unit_test(utf8_refuses_overlong_forms),
        cmocka_unit_test(utf8_refuses_surrogates),
        cmocka_unit_test(utf8_refuses_beyond_u10ffff),
        cmocka_unit_test(utf8_refuses_truncated_sequences),
        cmocka_unit_test(utf8_refuses_nul_and_controls),
        cmocka_unit_test(utf8_valid_allows_controls_but_not_nul),
        cmocka_unit_test(utf8_agrees_with_reference_exhaustively),
        cmocka_unit_test(buf_appends_and_terminates),
        cmocka_unit_test(buf_enforces_its_cap),
        cmocka_unit_test(buf_refuses_wrapping_lengths),
        cmocka_unit_test(buf_clear_accepts_null_and_reuse),
        cmocka_unit_test_teardown(buf_reports_allocation_failure, reset_alloc),
        cmocka_unit_test(buf_cap_size_max_allocates_enough),
        cmocka_unit_test(strlcpy_copies_what_fits),
        cmocka_unit_test(strlcpy_refuses_what_does_not),
        cmocka_unit_test(time_formats_known_values),
        cmocka_unit_test(time_names_cover_the_week_and_year),
        cmocka_unit_test(time_agrees_with_gmtime),
        cmocka_unit_test(time_before_epoch_rounds_down),
        cmocka_unit_test(clock_uses_the_injected_clock),
        cmocka_unit_test_teardown(alloc_fails_the_nth_allocation_only, reset_alloc),
        cmocka_unit_test_teardown(alloc_failure_reaches_calloc_and_strdup, reset_alloc),
        cmocka_unit_test_teardown(alloc_zero_disables_injection, reset_alloc),
        cmocka_unit_test(library_init_is_repeatable),
    };

    test_tap_output();
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
