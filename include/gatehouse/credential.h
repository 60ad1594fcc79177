/*
 * credential.h -- identifiers and secrets in Twilio's shapes.
 *
 * SIDs are a two-letter type prefix and 32 lowercase hex digits; auth tokens are 32 lowercase
 * hex digits; API key secrets are 32 characters drawn uniformly from [A-Za-z0-9].  All randomness
 * comes from libsodium's CSPRNG.
 */
#ifndef GATEHOUSE_CREDENTIAL_H
#define GATEHOUSE_CREDENTIAL_H

#include <stddef.h>

#include <gatehouse/api.h>
#include <gatehouse/err.h>

#define GH_SID_LEN        34
#define GH_SID_SIZE       (GH_SID_LEN + 1)
#define GH_AUTH_TOKEN_LEN 32
#define GH_KEY_SECRET_LEN 32
/* Room for either secret and its terminating NUL. */
#define GH_SECRET_SIZE    33

/** Writes prefix (two upper-case letters) and 32 random lowercase hex digits into out. */
GH_API GH_MUST_CHECK gh_err gh_sid_new(const char *prefix, char out[GH_SID_SIZE]);

/**
 * Checks that in is a SID with the given two-letter prefix (NULL: any two upper-case letters)
 * and writes its canonical form (lowercase hex) into out.  GH_E_INVALID otherwise; out is then
 * the empty string.
 */
GH_API GH_MUST_CHECK gh_err gh_sid_parse(const char *in, const char *prefix, char out[GH_SID_SIZE]);

/** True when in is a SID with the given prefix (either hex case). */
GH_API int gh_sid_valid(const char *in, const char *prefix);

/** A new auth token: 32 lowercase hex digits (128 bits). */
GH_API GH_MUST_CHECK gh_err gh_auth_token_new(char out[GH_SECRET_SIZE]);

/** A new API key secret: 32 characters uniform over [A-Za-z0-9] (about 190 bits). */
GH_API GH_MUST_CHECK gh_err gh_key_secret_new(char out[GH_SECRET_SIZE]);

/**
 * Decodes an HTTP Basic "Authorization" value ("Basic " + base64(user ":" password)).  user
 * receives at most user_cap - 1 bytes, password at most pass_cap - 1 (NUL-terminated; pass_len is
 * its length).  GH_E_DENIED for anything malformed or too long.  Decoding runs without lookup
 * tables; the decoded buffer is wiped.
 */
GH_API GH_MUST_CHECK gh_err gh_basic_auth_decode(const char *value, char *user, size_t user_cap,
                                                 char *password, size_t pass_cap, size_t *pass_len);

/** Wipes len bytes at p in a way the compiler cannot remove. */
GH_API void gh_wipe(void *p, size_t len);

#endif
