/*
 * qr.h -- QR codes (libqrencode) of short texts such as otpauth:// URIs, rendered three ways: a
 * PNG (1-bit grayscale), an SVG (one path), and UTF-8 half blocks for a terminal.  Every
 * rendering keeps the 4-module quiet zone scanners need; error correction level M.
 */
#ifndef GATEHOUSE_QR_H
#define GATEHOUSE_QR_H

#include <stddef.h>
#include <stdint.h>

#include <gatehouse/api.h>
#include <gatehouse/err.h>

#define GH_QR_TEXT_MAX   1024 /* bytes encoded, at most */
#define GH_QR_SCALE_MAX  32   /* PNG pixels per module, at most */
#define GH_QR_QUIET_ZONE 4    /* modules of margin on each side */

/**
 * A PNG of text's QR code, scale pixels per module (1..GH_QR_SCALE_MAX); *out is allocated
 * (gh_qr_free) and *len its size.  GH_E_INVALID for empty text or a bad scale, GH_E_LIMIT past
 * GH_QR_TEXT_MAX, GH_E_NOMEM.
 */
GH_API GH_MUST_CHECK gh_err gh_qr_png(const char *text, unsigned scale, uint8_t **out, size_t *len);
/** An SVG document of text's QR code (one unit per module); NUL-terminated. */
GH_API GH_MUST_CHECK gh_err gh_qr_svg(const char *text, char **out, size_t *len);
/**
 * text's QR code for a terminal: two modules per character (U+2580, U+2584, U+2588, space),
 * light modules drawn as blocks as `qrencode -t UTF8` does, so it reads on a dark background.
 */
GH_API GH_MUST_CHECK gh_err gh_qr_terminal(const char *text, char **out, size_t *len);
/** Frees what gh_qr_png, gh_qr_svg and gh_qr_terminal returned. */
GH_API void gh_qr_free(void *p);

#endif
