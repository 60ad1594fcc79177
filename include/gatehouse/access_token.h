/*
 * access_token.h -- Twilio Access Tokens (JWT, HS256/HS384/HS512, `cty: twilio-fpa;v=1`), the
 * pure part: building and signing a token, and taking one apart under RFC 8725's rules (the
 * algorithm comes from the key, never from the header; strict base64url; no duplicate JSON
 * keys; a size cap).  The checks that need the store (the issuing key, its account, the
 * revocation list) are gh_access_token_verify's, in service.h.
 */
#ifndef GATEHOUSE_ACCESS_TOKEN_H
#define GATEHOUSE_ACCESS_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gatehouse/api.h>
#include <gatehouse/credential.h>
#include <gatehouse/err.h>

#define GH_JWT_MAX           8192 /* bytes of a token, at most (8 KiB) */
#define GH_JWT_SIZE          (GH_JWT_MAX + 1)
#define GH_JWT_TTL_DEFAULT_S 3600
#define GH_JWT_TTL_MAX_S     86400 /* the hard cap: exp - (nbf or iat) */
#define GH_JWT_IDENTITY_MAX  256   /* bytes */
#define GH_JWT_GRANTS_MAX    4096  /* bytes of the Grants JSON given to the minter */
#define GH_JWT_JTI_SIZE      (GH_SID_LEN + 1 + 20 + 1)
#define GH_JWT_CLAIMS_MAX    GH_JWT_MAX

/* The HMAC algorithms, as bits (a key's allowed set is an OR of them). */
enum gh_jwt_alg {
    GH_JWT_HS256 = 1,
    GH_JWT_HS384 = 2,
    GH_JWT_HS512 = 4,
};
#define GH_JWT_ALGS_ALL (GH_JWT_HS256 | GH_JWT_HS384 | GH_JWT_HS512)

/** "HS256", "HS384", "HS512"; NULL for anything else. */
GH_API const char *gh_jwt_alg_name(enum gh_jwt_alg alg);
/** The algorithm named text (exactly "HS256", "HS384" or "HS512"); GH_E_INVALID otherwise. */
GH_API GH_MUST_CHECK gh_err gh_jwt_alg_parse(const char *text, enum gh_jwt_alg *out);

/* What a new token says. */
struct gh_access_token_spec {
    const char *account_sid; /* sub */
    const char *key_sid;     /* iss */
    const char *identity;    /* grants.identity; required, 1..GH_JWT_IDENTITY_MAX bytes */
    const char *grants_json; /* a JSON object of further grants ("video": {...}); NULL: none */
    int64_t iat;             /* Unix seconds */
    int64_t ttl_s;           /* exp = iat + ttl_s */
    int64_t nbf;             /* 0: none */
    enum gh_jwt_alg alg;
    const char *region; /* header "twr"; NULL: none */
};

/**
 * Builds and signs a token: header {"alg","typ":"JWT","cty":"twilio-fpa;v=1"[,"twr"]}, claims
 * in the order Twilio's library emits them (jti = "<key>-<iat>", grants {identity, ...}, nbf,
 * iat, exp, iss, sub).  GH_E_INVALID for a missing identity or key, grants that are not a JSON
 * object (or that set "identity"), a ttl outside 1..GH_JWT_TTL_MAX_S; GH_E_LIMIT when the token
 * would pass GH_JWT_MAX.  out holds GH_JWT_SIZE bytes.
 */
GH_API GH_MUST_CHECK gh_err gh_access_token_sign(const struct gh_access_token_spec *spec,
                                                 const char *secret, size_t secret_len,
                                                 char out[GH_JWT_SIZE]);

/* A token taken apart (nothing verified yet but its shape). */
struct gh_access_token {
    enum gh_jwt_alg alg; /* what the header claims: only compared with the key's */
    char jti[GH_JWT_JTI_SIZE];
    char iss[GH_SID_SIZE];
    char sub[GH_SID_SIZE];
    int64_t iat; /* 0 when absent */
    int64_t exp;
    int64_t nbf; /* 0 when absent */
    bool has_iat;
    bool has_nbf;
    char identity[GH_JWT_IDENTITY_MAX + 1];
    char claims[GH_JWT_CLAIMS_MAX + 1]; /* the payload's JSON text, as decoded */
    /* where the signature goes */
    const char *signing_input; /* into the token given to gh_access_token_parse */
    size_t signing_len;
    uint8_t sig[64];
    size_t sig_len;
};

/**
 * Parses a token's three parts: strict base64url without padding, header and payload JSON
 * objects without duplicate keys, `typ` "JWT", `cty` "twilio-fpa;v=1", `alg` one of HS256,
 * HS384, HS512 (`none` and every asymmetric algorithm are refused), `iss` a key SID, `sub` an
 * account SID, integer `exp` (and `iat`, `nbf` when present), a `grants` object.  Anything
 * else: GH_E_TOKEN_INVALID.  The token must outlive out (signing_input points into it).
 */
GH_API GH_MUST_CHECK gh_err gh_access_token_parse(const char *token, size_t len,
                                                  struct gh_access_token *out);

/**
 * Checks the signature with the key's secret under alg (the key's algorithm: GH_E_TOKEN_INVALID
 * when the header names another), in constant time: GH_E_TOKEN_SIGNATURE when it differs.
 */
GH_API GH_MUST_CHECK gh_err gh_access_token_check_signature(const struct gh_access_token *t,
                                                            enum gh_jwt_alg alg, const char *secret,
                                                            size_t secret_len);

/**
 * Checks the times as of now (Unix seconds): GH_E_TOKEN_EXPIRED when exp <= now,
 * GH_E_TOKEN_NOT_YET when nbf > now, GH_E_TOKEN_TTL when exp - (nbf, else iat, else now) is
 * more than max_ttl_s (at most GH_JWT_TTL_MAX_S).
 */
GH_API GH_MUST_CHECK gh_err gh_access_token_check_times(const struct gh_access_token *t,
                                                        int64_t now, int64_t max_ttl_s);

#endif
