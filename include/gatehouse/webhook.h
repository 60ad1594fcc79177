/*
 * webhook.h -- webhook request signatures in Twilio's format (X-Twilio-Signature, SPEC section 6):
 * Base64 of an HMAC over the full URL followed by each form parameter's name and value, sorted.
 * HMAC-SHA1 keyed with the account's auth token, or HMAC-SHA256 keyed with a SharedKey secret
 * when the request carries X-Twilio-Webhooks-Signature-Settings.  JSON bodies are covered by a
 * bodySHA256 query parameter (the body's SHA-256 in lowercase hex) in the signed URL.
 *
 * Pure functions: no I/O, nothing kept between calls.  Keys are borrowed; the library makes no
 * copy of its own (OpenSSL's keyed HMAC state is cleansed when freed).  Every text (URL,
 * parameter names and values) must be valid UTF-8, as Twilio's signing code reads it.
 */
#ifndef GATEHOUSE_WEBHOOK_H
#define GATEHOUSE_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

#include <gatehouse/api.h>
#include <gatehouse/err.h>

/* Bounds on every input (GH_E_LIMIT past them). */
#define GH_WEBHOOK_URL_MAX    (8 * 1024)    /* bytes of a URL */
#define GH_WEBHOOK_PARAMS_MAX 1000          /* form parameters */
#define GH_WEBHOOK_TEXT_MAX   (1024 * 1024) /* the URL, every name and value, repeats too */
#define GH_WEBHOOK_BODY_MAX   (1024 * 1024) /* bytes of a JSON body */
#define GH_WEBHOOK_KEY_MAX    1024          /* bytes of an HMAC key */

/* A signature: Base64 (standard alphabet, padded) of 20 or 32 bytes, and its NUL. */
#define GH_WEBHOOK_SIG_SIZE    45
/* The body's SHA-256 as 64 lowercase hex digits, and its NUL. */
#define GH_WEBHOOK_SHA256_SIZE 65
/* The query parameter that carries a JSON body's hash. */
#define GH_WEBHOOK_BODY_PARAM  "bodySHA256"

enum gh_webhook_alg {
    GH_WEBHOOK_HMAC_SHA1 = 0, /* X-Twilio-Signature keyed with the auth token (the default) */
    GH_WEBHOOK_HMAC_SHA256,   /* keyed with a SharedKey secret */
};

/* One form parameter, decoded (no percent-encoding, '+' already a space).  Borrowed. */
struct gh_webhook_param {
    const char *name;
    const char *value;
};

/**
 * The algorithm an X-Twilio-Webhooks-Signature-Settings header names ("key=...,algorithm=
 * HMAC_SHA256"): its algorithm= part, any case; HMAC_SHA1 when the header is NULL, empty or
 * names none.  GH_E_INVALID for an algorithm Gatehouse does not know (the request then fails
 * validation, as in Twilio's library).
 */
GH_API GH_MUST_CHECK gh_err gh_webhook_settings_alg(const char *header, enum gh_webhook_alg *alg);

/**
 * Writes the string Twilio signs into out (cap bytes, NUL-terminated; *len its length): url as
 * given, then name + value for each parameter, names in UTF-16 code-unit order (JavaScript's
 * sort; byte order for ASCII), a repeated name once per distinct value, values in the same
 * order.  p may be NULL when n is 0.  GH_E_INVALID for a NULL or empty url or text that is not
 * UTF-8; GH_E_LIMIT past the bounds above or when out is too small (out is then "").
 */
GH_API GH_MUST_CHECK gh_err gh_webhook_string_to_sign(const char *url,
                                                      const struct gh_webhook_param *p, size_t n,
                                                      char *out, size_t cap, size_t *len);

/**
 * Signs a request: out = Base64(HMAC(key, string to sign)), the X-Twilio-Signature value.
 * key is key_len bytes (1 to GH_WEBHOOK_KEY_MAX: an auth token or a SharedKey secret, as
 * given).  Errors as gh_webhook_string_to_sign, GH_E_INVALID for an empty key, GH_E_CRYPTO
 * when OpenSSL fails; out is then "".  The MAC is wiped from the stack.
 */
GH_API GH_MUST_CHECK gh_err gh_webhook_sign(enum gh_webhook_alg alg, const void *key,
                                            size_t key_len, const char *url,
                                            const struct gh_webhook_param *p, size_t n,
                                            char out[GH_WEBHOOK_SIG_SIZE]);

/**
 * Validates a request's signature as Twilio's library does: *valid is true when signature is
 * the signature over url as given, or over its port variant (SPEC section 6): the URL without
 * its port when it has one, else with the scheme's default port added (":443" for https, ":80"
 * otherwise).  Both candidates are always computed, and each comparison is constant-time (the
 * length first: it is fixed by alg, not secret).  An empty or malformed signature is simply
 * not valid.  Returns an error (and *valid false) only for inputs it cannot judge, as
 * gh_webhook_sign does.  Skipped: the library's further fallbacks through the WHATWG-
 * normalised URL and a legacy re-encoded query string.
 */
GH_API GH_MUST_CHECK gh_err gh_webhook_verify(enum gh_webhook_alg alg, const void *key,
                                              size_t key_len, const char *url,
                                              const struct gh_webhook_param *p, size_t n,
                                              const char *signature, bool *valid);

/** hex = the lowercase hex SHA-256 of len bytes of body (at most GH_WEBHOOK_BODY_MAX). */
GH_API GH_MUST_CHECK gh_err gh_webhook_body_sha256(const void *body, size_t len,
                                                   char hex[GH_WEBHOOK_SHA256_SIZE]);

/**
 * The URL Twilio signs for a JSON body: url with "bodySHA256=<hex>" added to its query (before
 * any '#'), or url unchanged when its query already carries a bodySHA256 equal to the body's
 * hash.  Into out (cap bytes, NUL-terminated).  GH_E_INVALID when the URL's bodySHA256 is not
 * the body's hash; GH_E_LIMIT when out is too small or an input is past its bound.
 */
GH_API GH_MUST_CHECK gh_err gh_webhook_url_add_body_hash(const char *url, const void *body,
                                                         size_t len, char *out, size_t cap);

/**
 * Validates a JSON-bodied request (Twilio's validateRequestWithBody): the signature over the
 * URL with no parameters (port rules as gh_webhook_verify) and the URL's first bodySHA256
 * query parameter (decoded) equal to the body's lowercase hex SHA-256.  No bodySHA256: not
 * valid.  Errors as gh_webhook_verify.
 */
GH_API GH_MUST_CHECK gh_err gh_webhook_verify_with_body(enum gh_webhook_alg alg, const void *key,
                                                        size_t key_len, const char *url,
                                                        const void *body, size_t len,
                                                        const char *signature, bool *valid);

#endif
