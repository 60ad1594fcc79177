/*
 * jws.h (internal) -- the JWS pieces the access tokens (access_token.c) and the
 * client-credentials tokens (service/client_tokens.c) share: strict base64url and HMAC.
 */
#ifndef GATEHOUSE_JWS_H
#define GATEHOUSE_JWS_H

#include "internal.h"

/* Decodes base64url without padding, refusing any byte outside its alphabet (GH_E_TOKEN_INVALID). */
GH_MUST_CHECK gh_err gh__b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap,
                                       size_t *out_len);
/* Appends data as base64url without padding. */
GH_MUST_CHECK gh_err gh__b64url_append(struct gh_buf *b, const void *data, size_t len);
/*
 * The compact JWS base64url(header).base64url(payload).base64url(HMAC) of two JSON texts, into
 * out (GH_JWT_SIZE bytes).  GH_E_LIMIT when it would pass GH_JWT_MAX.
 */
GH_MUST_CHECK gh_err gh__jws_compact(enum gh_jwt_alg alg, const void *key, size_t key_len,
                                     const char *header, const char *payload,
                                     char out[GH_JWT_SIZE]);
/* HMAC-SHA256/384/512 of data under key; out_len receives 32, 48 or 64. */
GH_MUST_CHECK gh_err gh__jws_hmac(enum gh_jwt_alg alg, const void *key, size_t key_len,
                                  const char *data, size_t len, uint8_t out[64], size_t *out_len);

#endif
