/*
 * qr.c -- QR codes for enrolment (the otpauth:// URI an authenticator app scans): libqrencode
 * makes the module matrix; this file renders it.
 *
 * The PNG writer is hand-written because nothing else in Gatehouse needs libpng or zlib: a
 * 1-bit grayscale image of a few hundred pixels a side fits in "stored" (uncompressed) deflate
 * blocks, so the file is the signature, IHDR, one IDAT (zlib header, stored blocks, Adler-32)
 * and IEND, each chunk with its CRC-32 (PNG specification, RFC 1950, RFC 1951).  SVG and the
 * terminal's half blocks are text.
 */
#include <qrencode.h>

#include "internal.h"

#define STORED_MAX 65535u /* bytes in one stored deflate block */

static gh_err
encode(const char *text, QRcode **out)
{
    GH_ENSURE(text != NULL && text[0] != '\0', GH_E_INVALID);
    GH_ENSURE(strlen(text) <= GH_QR_TEXT_MAX, GH_E_LIMIT);
    *out = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    return *out != NULL ? GH_OK : GH_E_NOMEM;
}

/* Whether module (x, y) of the quiet-zoned symbol is dark. */
static bool
dark(const QRcode *q, int x, int y)
{
    x -= GH_QR_QUIET_ZONE;
    y -= GH_QR_QUIET_ZONE;
    if (x < 0 || y < 0 || x >= q->width || y >= q->width) {
        return false;
    }
    return (q->data[y * q->width + x] & 1) != 0;
}

void
gh_qr_free(void *p)
{
    gh__free(p);
}

/* ---- PNG ---- */

static uint32_t
crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

static void
put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Appends a chunk: length, type, data, CRC of type and data. */
static void
chunk(uint8_t **at, const char type[4], const uint8_t *data, size_t len)
{
    uint8_t *p = *at;

    put32(p, (uint32_t)len);
    memcpy(p + 4, type, 4);
    if (len > 0) {
        memcpy(p + 8, data, len);
    }
    put32(p + 8 + len, crc32_update(0, p + 4, len + 4));
    *at = p + 12 + len;
}

/* The raw scanlines: a filter byte (0) and the row's bits, dark = 0, light = 1. */
static void
scanlines(const QRcode *q, unsigned scale, size_t side, size_t row_bytes, uint8_t *raw)
{
    for (size_t y = 0; y < side; y++) {
        uint8_t *row = raw + y * (row_bytes + 1);

        row[0] = 0;
        memset(row + 1, 0, row_bytes);
        for (size_t x = 0; x < side; x++) {
            if (!dark(q, (int)(x / scale), (int)(y / scale))) {
                row[1 + x / 8] |= (uint8_t)(0x80u >> (x % 8));
            }
        }
    }
}

/* zlib stream of raw in stored blocks. */
static size_t
zlib_stored(const uint8_t *raw, size_t n, uint8_t *out)
{
    uint32_t a = 1;
    uint32_t b = 0;
    size_t o = 0;

    out[o++] = 0x78; /* deflate, 32 KiB window */
    out[o++] = 0x01; /* no dictionary, fastest; (0x78 << 8 | 0x01) % 31 == 0 */
    for (size_t at = 0; at < n || n == 0;) {
        size_t len = n - at < STORED_MAX ? n - at : STORED_MAX;

        out[o++] = at + len == n ? 1 : 0; /* BFINAL, BTYPE 00 */
        out[o++] = (uint8_t)len;
        out[o++] = (uint8_t)(len >> 8);
        out[o++] = (uint8_t)~len;
        out[o++] = (uint8_t)(~len >> 8);
        memcpy(out + o, raw + at, len);
        o += len;
        at += len;
        if (n == 0) {
            break;
        }
    }
    for (size_t i = 0; i < n; i++) {
        a = (a + raw[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    put32(out + o, (b << 16) | a);
    return o + 4;
}

gh_err
gh_qr_png(const char *text, unsigned scale, uint8_t **out, size_t *len)
{
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    QRcode *q = NULL;
    uint8_t ihdr[13];
    size_t side, row_bytes, raw_len, z_cap;
    uint8_t *raw;
    uint8_t *z;
    uint8_t *png;
    uint8_t *at;
    size_t z_len;

    GH_ENSURE(out != NULL && len != NULL && scale >= 1 && scale <= GH_QR_SCALE_MAX, GH_E_INVALID);
    *out = NULL;
    *len = 0;
    GH_TRY(encode(text, &q));
    side = (size_t)(q->width + 2 * GH_QR_QUIET_ZONE) * scale;
    row_bytes = (side + 7) / 8;
    raw_len = side * (row_bytes + 1);
    z_cap = 2 + raw_len + 5 * (raw_len / STORED_MAX + 1) + 4;
    raw = gh__alloc(raw_len);
    z = gh__alloc(z_cap);
    png = gh__alloc(sizeof(signature) + 25 + 12 + z_cap + 12);
    if (raw == NULL || z == NULL || png == NULL) {
        gh__free(raw);
        gh__free(z);
        gh__free(png);
        QRcode_free(q);
        return GH_E_NOMEM;
    }
    scanlines(q, scale, side, row_bytes, raw);
    QRcode_free(q);
    z_len = zlib_stored(raw, raw_len, z);
    put32(ihdr, (uint32_t)side);
    put32(ihdr + 4, (uint32_t)side);
    ihdr[8] = 1;  /* bit depth */
    ihdr[9] = 0;  /* grayscale */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering (every row: none) */
    ihdr[12] = 0; /* no interlace */
    memcpy(png, signature, sizeof(signature));
    at = png + sizeof(signature);
    chunk(&at, "IHDR", ihdr, sizeof(ihdr));
    chunk(&at, "IDAT", z, z_len);
    chunk(&at, "IEND", NULL, 0);
    gh__free(raw);
    gh__free(z);
    *out = png;
    *len = (size_t)(at - png);
    return GH_OK;
}

/* ---- SVG and terminal text ---- */

gh_err
gh_qr_svg(const char *text, char **out, size_t *len)
{
    QRcode *q = NULL;
    struct gh_buf b;
    char piece[160];
    int side;
    gh_err rc;

    GH_ENSURE(out != NULL && len != NULL, GH_E_INVALID);
    *out = NULL;
    GH_TRY(encode(text, &q));
    side = q->width + 2 * GH_QR_QUIET_ZONE;
    gh__buf_init(&b, (size_t)1 << 20);
    snprintf(piece, sizeof(piece),
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
             "shape-rendering=\"crispEdges\">",
             side, side);
    rc = gh__buf_appendz(&b, piece);
    snprintf(piece, sizeof(piece), "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path d=\"",
             side, side);
    rc = rc == GH_OK ? gh__buf_appendz(&b, piece) : rc;
    for (int y = 0; rc == GH_OK && y < side; y++) {
        for (int x = 0; rc == GH_OK && x < side; x++) {
            int run = 0;

            while (x + run < side && dark(q, x + run, y)) {
                run++;
            }
            if (run > 0) {
                snprintf(piece, sizeof(piece), "M%d %dh%dv1h-%dz", x, y, run, run);
                rc = gh__buf_appendz(&b, piece);
                x += run;
            }
        }
    }
    rc = rc == GH_OK ? gh__buf_appendz(&b, "\" fill=\"#000\"/></svg>\n") : rc;
    QRcode_free(q);
    if (rc == GH_OK) {
        *out = b.data;
        *len = b.len;
        return GH_OK;
    }
    gh__buf_clear(&b);
    return rc;
}

gh_err
gh_qr_terminal(const char *text, char **out, size_t *len)
{
    /* indexed by (top light) | (bottom light) << 1 */
    static const char *const cell[4] = {" ", "\xe2\x96\x80", "\xe2\x96\x84", "\xe2\x96\x88"};
    QRcode *q = NULL;
    struct gh_buf b;
    int side;
    gh_err rc = GH_OK;

    GH_ENSURE(out != NULL && len != NULL, GH_E_INVALID);
    *out = NULL;
    GH_TRY(encode(text, &q));
    side = q->width + 2 * GH_QR_QUIET_ZONE;
    gh__buf_init(&b, (size_t)1 << 20);
    for (int y = 0; rc == GH_OK && y < side; y += 2) {
        for (int x = 0; rc == GH_OK && x < side; x++) {
            unsigned top = !dark(q, x, y);
            unsigned bottom = y + 1 < side ? !dark(q, x, y + 1) : 1; /* past the edge: light */

            rc = gh__buf_appendz(&b, cell[top | bottom << 1]);
        }
        rc = rc == GH_OK ? gh__buf_appendz(&b, "\n") : rc;
    }
    QRcode_free(q);
    if (rc == GH_OK) {
        *out = b.data;
        *len = b.len;
        return GH_OK;
    }
    gh__buf_clear(&b);
    return rc;
}
