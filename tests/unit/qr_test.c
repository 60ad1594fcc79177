/*
 * qr_test.c -- lib/crypto/qr.c against Debian's `qrencode` tool (the same libqrencode, its own
 * renderers): the terminal text equals `qrencode -t UTF8` byte for byte; the PNG is taken apart
 * (signature, chunk CRCs, IHDR, the zlib stream's stored blocks and Adler-32) and its pixels
 * equal the modules of `qrencode -t ASCII`; the SVG path covers exactly those dark modules.
 * Skipped when `qrencode` is not installed (scripts/deps.sh test installs it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"

#include "helpers.h"

#define URI      "otpauth://totp/Gatehouse:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Gatehouse"
#define SIDE_MAX 200

static const char *const texts[] = {"hi", URI, "a somewhat longer text, to reach a larger version"};

/* Output of a shell command (text has no quote). */
static char *
run(const char *cmd)
{
    static char buf[1 << 18];
    FILE *p = popen(cmd, "r");
    size_t n;

    assert_non_null(p);
    n = fread(buf, 1, sizeof(buf) - 1, p);
    buf[n] = '\0';
    assert_int_equal(pclose(p), 0);
    return buf;
}

static bool
have_qrencode(void)
{
    return system("command -v qrencode >/dev/null 2>&1") == 0;
}

/* qrencode's ASCII rendering as a module matrix (1 = dark); returns the side. */
static int
reference(const char *text, uint8_t m[SIDE_MAX][SIDE_MAX])
{
    char cmd[512];
    char *out;
    int y = 0;

    snprintf(cmd, sizeof(cmd), "qrencode -t ASCII -l M -m 4 '%s'", text);
    out = run(cmd);
    for (char *line = out; *line != '\0' && y < SIDE_MAX; y++) {
        char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);

        for (size_t x = 0; x < len / 2 && x < SIDE_MAX; x++) {
            m[y][x] = line[2 * x] == '#';
        }
        line = nl != NULL ? nl + 1 : line + len;
    }
    return y;
}

static void
terminal_matches_qrencode(void **state)
{
    char cmd[512];
    char *mine;
    size_t len;

    (void)state;
    if (!have_qrencode()) {
        skip();
    }
    for (size_t i = 0; i < GH_ARRAY_LEN(texts); i++) {
        assert_gh(gh_qr_terminal(texts[i], &mine, &len), GH_OK);
        snprintf(cmd, sizeof(cmd), "qrencode -t UTF8 -l M -m 4 '%s'", texts[i]);
        assert_string_equal(mine, run(cmd));
        assert_int_equal(strlen(mine), len);
        gh_qr_free(mine);
    }
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
        }
    }
    return ~c;
}

/* Inflates a zlib stream of stored blocks into out; returns its length. */
static size_t
inflate_stored(const uint8_t *z, size_t n, uint8_t *out)
{
    size_t at = 2, o = 0;
    uint32_t a = 1, b = 0;
    int final = 0;

    assert_int_equal(z[0], 0x78);
    assert_int_equal((z[0] << 8 | z[1]) % 31, 0);
    while (!final) {
        size_t len;

        final = z[at] & 1;
        assert_int_equal(z[at] & 6, 0); /* stored */
        len = (size_t)z[at + 1] | (size_t)z[at + 2] << 8;
        assert_int_equal(len ^ 0xffff, (size_t)z[at + 3] | (size_t)z[at + 4] << 8);
        memcpy(out + o, z + at + 5, len);
        o += len;
        at += 5 + len;
    }
    for (size_t i = 0; i < o; i++) {
        a = (a + out[i]) % 65521;
        b = (b + a) % 65521;
    }
    assert_int_equal(get32(z + at), b << 16 | a);
    assert_int_equal(at + 4, n);
    return o;
}

static void
png_pixels_match_the_modules(void **state)
{
    static uint8_t m[SIDE_MAX][SIDE_MAX];
    static uint8_t raw[1 << 20];
    const unsigned scale = 3;

    (void)state;
    if (!have_qrencode()) {
        skip();
    }
    for (size_t t = 0; t < GH_ARRAY_LEN(texts); t++) {
        int side = reference(texts[t], m);
        uint8_t *png;
        size_t len, at = 8, raw_len = 0;
        uint32_t w = 0;

        assert_gh(gh_qr_png(texts[t], scale, &png, &len), GH_OK);
        assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
        while (at < len) {
            uint32_t n = get32(png + at);
            const uint8_t *type = png + at + 4;

            assert_int_equal(crc32_of(type, n + 4), get32(png + at + 8 + n));
            if (memcmp(type, "IHDR", 4) == 0) {
                w = get32(type + 4);
                assert_int_equal(w, (uint32_t)side * scale);
                assert_int_equal(get32(type + 8), w);
                assert_int_equal(type[12], 1); /* 1 bit */
                assert_int_equal(type[13], 0); /* grayscale */
            } else if (memcmp(type, "IDAT", 4) == 0) {
                raw_len = inflate_stored(type + 4, n, raw);
            }
            at += 12 + n;
        }
        assert_int_equal(at, len);
        assert_int_equal(raw_len, (size_t)w * ((w + 7) / 8 + 1));
        for (uint32_t y = 0; y < w; y++) {
            const uint8_t *row = raw + y * ((w + 7) / 8 + 1);

            assert_int_equal(row[0], 0);
            for (uint32_t x = 0; x < w; x++) {
                int light = (row[1 + x / 8] >> (7 - x % 8)) & 1;

                assert_int_equal(light, !m[y / scale][x / scale]);
            }
        }
        gh_qr_free(png);
    }
}

static void
svg_path_covers_the_dark_modules(void **state)
{
    static uint8_t m[SIDE_MAX][SIDE_MAX];
    static uint8_t seen[SIDE_MAX][SIDE_MAX];

    (void)state;
    if (!have_qrencode()) {
        skip();
    }
    for (size_t t = 0; t < GH_ARRAY_LEN(texts); t++) {
        int side = reference(texts[t], m);
        char *svg;
        size_t len;
        const char *p;
        int x, y, run, run2;

        memset(seen, 0, sizeof(seen));
        assert_gh(gh_qr_svg(texts[t], &svg, &len), GH_OK);
        assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
        p = strstr(svg, " d=\"") + 4;
        while (sscanf(p, "M%d %dh%dv1h-%dz", &x, &y, &run, &run2) == 4) {
            assert_int_equal(run, run2);
            for (int i = 0; i < run; i++) {
                seen[y][x + i] = 1;
            }
            p = strchr(p, 'z') + 1;
        }
        assert_int_equal(*p, '"');
        for (y = 0; y < side; y++) {
            for (x = 0; x < side; x++) {
                assert_int_equal(seen[y][x], m[y][x]);
            }
        }
        gh_qr_free(svg);
    }
}

static void
bad_inputs_are_refused(void **state)
{
    char big[GH_QR_TEXT_MAX + 2];
    uint8_t *png = NULL;
    char *text = NULL;
    size_t len = 0;

    (void)state;
    assert_gh(gh_qr_png("", 4, &png, &len), GH_E_INVALID);
    assert_gh(gh_qr_png(NULL, 4, &png, &len), GH_E_INVALID);
    assert_gh(gh_qr_png("x", 0, &png, &len), GH_E_INVALID);
    assert_gh(gh_qr_png("x", GH_QR_SCALE_MAX + 1, &png, &len), GH_E_INVALID);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_gh(gh_qr_svg(big, &text, &len), GH_E_LIMIT);
    assert_gh(gh_qr_terminal(big, &text, &len), GH_E_LIMIT);
    assert_null(png);
    assert_null(text);
}

int
main(void)
{
#define T(fn) cmocka_unit_test(fn)
    const struct CMUnitTest tests[] = {
        T(terminal_matches_qrencode),
        T(png_pixels_match_the_modules),
        T(svg_path_covers_the_dark_modules),
        T(bad_inputs_are_refused),
    };
#undef T

    test_tap_output();
    return cmocka_run_group_tests_name("qr", tests, NULL, NULL);
}
