/*
 * totp.h -- one-time codes, the pure part: RFC 4226 HOTP and RFC 6238 TOTP (HMAC-SHA1, -SHA256
 * or -SHA512; 6 to 8 digits; 30 s steps from the Unix epoch by default), verification over a
 * window of one step either side with the last accepted step refusing replays, RFC 4648 base32,
 * new 160-bit secrets and the otpauth:// key URI that authenticator apps scan.
 *
 * No I/O and nothing kept between calls; secrets are borrowed and every internal copy (keyed
 * HMAC states, decoded digits) is wiped before returning.  Storing the last accepted step
 * (atomically, so a code is accepted once) is the caller's: gh_totp_verify only says which step
 * a code matched.
 */
#ifndef GATEHOUSE_TOTP_H
#define GATEHOUSE_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include <gatehouse/api.h>
#include <gatehouse/err.h>

#define GH_TOTP_SECRET_LEN     20 /* bytes of a new secret (160 bits, RFC 4226 R6) */
#define GH_TOTP_SECRET_MIN     16 /* bytes accepted, at least (128 bits, RFC 4226 R6's MUST) */
#define GH_TOTP_SECRET_MAX     64 /* bytes accepted, at most (RFC 6238's SHA-512 seed) */
#define GH_TOTP_DIGITS_MIN     6
#define GH_TOTP_DIGITS_MAX     8
#define GH_TOTP_CODE_SIZE      (GH_TOTP_DIGITS_MAX + 1) /* a code and its NUL */
#define GH_TOTP_PERIOD_DEFAULT 30                       /* seconds per step (RFC 6238 §5.2) */
#define GH_TOTP_PERIOD_MIN     10
#define GH_TOTP_PERIOD_MAX     300
#define GH_TOTP_WINDOW         1    /* steps accepted either side of now's step */
#define GH_TOTP_NO_STEP        (-1) /* last_step for a factor that never accepted a code */
#define GH_TOTP_ISSUER_MAX     64   /* bytes of an issuer in a key URI */
#define GH_TOTP_LABEL_MAX      254  /* bytes of a label (an e-mail address, RFC 5321's limit) */

/* Base32 (RFC 4648 §6): characters for n bytes, without padding. */
#define GH_BASE32_LEN(n)        (((n)*8 + 4) / 5)
#define GH_BASE32_BYTES_MAX     1024 /* bytes gh_base32_encode takes, at most */
#define GH_TOTP_SECRET_B32_SIZE (GH_BASE32_LEN(GH_TOTP_SECRET_MAX) + 1)

/*
 * Room for any key URI gh_totp_uri writes: the issuer twice and the label percent-encoded (3
 * bytes per byte at worst), the largest secret in base32, the parameters, and the NUL.
 */
#define GH_TOTP_URI_SIZE                                                                           \
    (sizeof("otpauth://totp/:?secret=&issuer=&algorithm=SHA512&digits=8&period=300") +             \
     6 * GH_TOTP_ISSUER_MAX + 3 * GH_TOTP_LABEL_MAX + GH_BASE32_LEN(GH_TOTP_SECRET_MAX))

enum gh_totp_alg {
    GH_TOTP_SHA1 = 0, /* the default, and all that many authenticator apps implement */
    GH_TOTP_SHA256,
    GH_TOTP_SHA512,
};

/* A factor's parameters; the same for HOTP, which ignores period_s. */
struct gh_totp_params {
    enum gh_totp_alg alg;
    unsigned digits;   /* GH_TOTP_DIGITS_MIN..GH_TOTP_DIGITS_MAX */
    unsigned period_s; /* GH_TOTP_PERIOD_MIN..GH_TOTP_PERIOD_MAX; T0 is always the Unix epoch */
};

#define GH_TOTP_PARAMS_DEFAULT                                                                     \
    ((struct gh_totp_params){GH_TOTP_SHA1, GH_TOTP_DIGITS_MIN, GH_TOTP_PERIOD_DEFAULT})

/* What gh_totp_verify found. */
enum gh_totp_verdict {
    GH_TOTP_WRONG = 0, /* no step in the window has this code, or it is not `digits` digits */
    GH_TOTP_MATCH,     /* a step after last_step has it: accept, and store *matched_step */
    GH_TOTP_REPLAYED,  /* only steps at or before last_step have it: refuse */
};

/** "SHA1", "SHA256", "SHA512" (as otpauth URIs spell them); NULL for anything else. */
GH_API const char *gh_totp_alg_name(enum gh_totp_alg alg);
/** The algorithm named text (exactly one of the three names); GH_E_INVALID otherwise. */
GH_API GH_MUST_CHECK gh_err gh_totp_alg_parse(const char *text, enum gh_totp_alg *out);

/** GH_OK when p is within the bounds above; GH_E_INVALID otherwise (and for NULL). */
GH_API GH_MUST_CHECK gh_err gh_totp_params_check(const struct gh_totp_params *p);

/**
 * Base32 (RFC 4648 §6, upper case, no padding) of len bytes into out (cap bytes, NUL-terminated;
 * GH_BASE32_LEN(len) + 1 are needed).  GH_E_LIMIT when out is too small or len passes
 * GH_BASE32_BYTES_MAX (out is then ""); GH_E_INVALID for NULL.  Runs without lookup tables.
 */
GH_API GH_MUST_CHECK gh_err gh_base32_encode(const uint8_t *in, size_t len, char *out, size_t cap);

/**
 * Decodes len characters of base32: the RFC 4648 alphabet in either case, with the padding
 * either omitted or complete (a multiple of 8 characters), and the unused bits of the last
 * character zero.  Nothing is skipped: a space, a hyphen, a NUL or padding inside the data is
 * GH_E_INVALID, and so is an impossible length (1, 3 or 6 characters past a multiple of 8).
 * GH_E_LIMIT when the bytes would pass cap.  *out_len is 0 on failure.  Runs without lookup
 * tables; the caller wipes out.
 */
GH_API GH_MUST_CHECK gh_err gh_base32_decode(const char *in, size_t len, uint8_t *out, size_t cap,
                                             size_t *out_len);

/** A new secret: GH_TOTP_SECRET_LEN bytes from libsodium's CSPRNG.  GH_E_INVALID for NULL. */
GH_API GH_MUST_CHECK gh_err gh_totp_secret_new(uint8_t out[GH_TOTP_SECRET_LEN]);

/**
 * The HOTP code (RFC 4226 §5.3: HMAC of the 8-byte big-endian counter, dynamic truncation,
 * p->digits decimal digits with leading zeros) of secret (len bytes, GH_TOTP_SECRET_MIN..
 * GH_TOTP_SECRET_MAX) into out.  GH_E_INVALID for bad parameters or secret (out is then "").
 */
GH_API GH_MUST_CHECK gh_err gh_hotp_code(const struct gh_totp_params *p, const uint8_t *secret,
                                         size_t len, uint64_t counter, char out[GH_TOTP_CODE_SIZE]);

/** The step of now_s (Unix seconds, >= 0): floor(now_s / p->period_s); -1 for bad input. */
GH_API int64_t gh_totp_step(const struct gh_totp_params *p, int64_t now_s);

/** The TOTP code (RFC 6238 §4) at now_s: the HOTP code of its step.  Errors as gh_hotp_code. */
GH_API GH_MUST_CHECK gh_err gh_totp_code(const struct gh_totp_params *p, const uint8_t *secret,
                                         size_t len, int64_t now_s, char out[GH_TOTP_CODE_SIZE]);

/**
 * Checks code against the steps of now_s and GH_TOTP_WINDOW steps either side (RFC 6238 §5.2),
 * refusing every step at or before last_step (GH_TOTP_NO_STEP, or any negative, when none was
 * accepted yet), so a code is accepted once and an older one never after a newer one.
 *
 * *verdict says what was found (see enum gh_totp_verdict); *matched_step is the step the code
 * matched (the latest, when several did), or -1 when GH_TOTP_WRONG.  On GH_TOTP_MATCH the
 * caller stores *matched_step as the new last step -- in the same transaction that read
 * last_step, and only when it is still greater than the stored one.
 *
 * Constant time in the code and the secret: every candidate is computed and compared with
 * sodium_memcmp, without an early exit, and a code of the wrong length or with a character
 * other than a digit costs the same and is GH_TOTP_WRONG.  GH_E_INVALID (verdict WRONG) for
 * NULL arguments, bad parameters, a secret outside GH_TOTP_SECRET_MIN..MAX bytes, or now_s < 0.
 */
GH_API GH_MUST_CHECK gh_err gh_totp_verify(const struct gh_totp_params *p, const uint8_t *secret,
                                           size_t len, const char *code, int64_t now_s,
                                           int64_t last_step, enum gh_totp_verdict *verdict,
                                           int64_t *matched_step);

/**
 * The key URI of Google Authenticator's Key Uri Format:
 * otpauth://totp/<issuer>:<label>?secret=<base32>&issuer=<issuer>&algorithm=<alg>&digits=<d>&period=<s>
 * with issuer and label percent-encoded (every byte but RFC 3986's unreserved characters; the
 * ':' between them is literal) and the secret in base32 without padding.  issuer (1 to
 * GH_TOTP_ISSUER_MAX bytes) and label (the e-mail address; 1 to GH_TOTP_LABEL_MAX bytes) must be
 * UTF-8 without control characters.  GH_E_INVALID for bad input, GH_E_LIMIT when the URI does
 * not fit cap (GH_TOTP_URI_SIZE always does); out is "" on failure.  The URI holds the secret:
 * the caller wipes it.
 */
GH_API GH_MUST_CHECK gh_err gh_totp_uri(const struct gh_totp_params *p, const uint8_t *secret,
                                        size_t len, const char *issuer, const char *label,
                                        char *out, size_t cap);

#endif
