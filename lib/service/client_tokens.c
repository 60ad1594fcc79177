/*
 * client_tokens.c -- OAuth 2.0 client credentials (RFC 6749 section 4.4): an API key's SID and
 * secret buy a bearer token that authenticates REST calls as that key for an hour.
 *
 * The token is an HS256 JWT {"alg":"HS256","typ":"JWT","kid":"<master key id>"}.{"iss":
 * "gatehouse","sub":"<KeySid>","iat","exp","jti"} signed with a key derived from the master key
 * (the keyed lookup digest of a fixed label: a PRF under the master key named by kid), so the
 * store keeps nothing per token.  Every use re-reads the key: deleting the key (or suspending
 * its account) ends its tokens at once, on every server; a master-key rotation ends them all.
 */
#include <inttypes.h>

#include <jansson.h>
#include <sodium.h>

#include "crypto/jws.h"
#include "service/service.h"

#define LABEL_SID    "client-credentials"
#define LABEL_SECRET "token-signing-key-v1"
#define ISSUER       "gatehouse"

/* The signing key of master key kid. */
static gh_err
signing_key(struct gh_ctx *ctx, struct gh_tx *tx, uint32_t kid, uint8_t out[GH_LOOKUP_BYTES])
{
    return gh__secret_digest(ctx, tx, kid, LABEL_SID, LABEL_SECRET, strlen(LABEL_SECRET), out);
}

struct issue_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    char *token;
    int64_t now;
};

static gh_err
issue_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct issue_call *c = arg;
    uint32_t kid = gh__seal_key_id(ctx);
    uint8_t key[GH_LOOKUP_BYTES];
    uint8_t nonce[16];
    char jti[33];
    char header[64];
    char payload[256];
    gh_err rc;

    randombytes_buf(nonce, sizeof(nonce));
    sodium_bin2hex(jti, sizeof(jti), nonce, sizeof(nonce));
    snprintf(header, sizeof(header), "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%u\"}", kid);
    snprintf(payload, sizeof(payload),
             "{\"iss\":\"" ISSUER "\",\"sub\":\"%s\",\"iat\":%" PRId64 ",\"exp\":%" PRId64
             ",\"jti\":\"%s\"}",
             c->who->sid, c->now, c->now + GH_CLIENT_TOKEN_TTL_S, jti);
    GH_TRY(signing_key(ctx, tx, kid, key));
    rc = gh__jws_compact(GH_JWT_HS256, key, sizeof(key), header, payload, c->token);
    sodium_memzero(key, sizeof(key));
    GH_TRY(rc);
    struct gh_audit_entry e = {c->from, c->who->sid, "client_token.issue", jti, true, ""};
    return gh__audit_account(ctx, tx, &e, c->who->account_sid);
}

gh_err
gh_client_token_issue(struct gh_ctx *ctx, const struct gh_origin *from, const char *client_id,
                      const char *secret, size_t secret_len, char token[GH_JWT_SIZE],
                      int64_t *expires_in)
{
    struct gh_principal who;
    struct issue_call c;
    gh_err rc;

    GH_ENSURE(ctx != NULL && token != NULL && expires_in != NULL, GH_E_INVALID);
    token[0] = '\0';
    *expires_in = 0;
    GH_ENSURE(client_id != NULL && strncmp(client_id, "SK", 2) == 0, GH_E_DENIED);
    GH_TRY(gh_authenticate_basic(ctx, from, client_id, secret, secret_len, &who));
    c.from = from;
    c.who = &who;
    c.token = token;
    c.now = gh_ctx_now_ms(ctx) / 1000;
    rc = gh__transact(ctx, GH_TX_WRITE, issue_in_tx, &c);
    if (rc == GH_OK) {
        *expires_in = GH_CLIENT_TOKEN_TTL_S;
    } else {
        sodium_memzero(token, GH_JWT_SIZE);
    }
    return rc;
}

/* ---- authentication ---- */

struct claims {
    uint32_t kid;
    char sub[GH_SID_SIZE];
    int64_t exp;
};

static gh_err
decode_part(const char *p, size_t len, json_t **out)
{
    uint8_t buf[512];
    size_t n = 0;

    *out = NULL;
    GH_TRY(gh__b64url_decode(p, len, buf, sizeof(buf), &n));
    *out = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, NULL);
    return json_is_object(*out) ? GH_OK : GH_E_DENIED;
}

/* Header and payload of a token of ours; nothing is trusted until the signature is checked. */
static gh_err
read_claims(const char *token, const char *dot1, const char *dot2, struct claims *c)
{
    json_t *h = NULL;
    json_t *p = NULL;
    const char *kid;
    const char *sub;
    char *end = NULL;
    unsigned long id;
    gh_err rc = decode_part(token, (size_t)(dot1 - token), &h);

    rc = rc == GH_OK ? decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1), &p) : rc;
    kid = rc == GH_OK ? json_string_value(json_object_get(h, "kid")) : NULL;
    sub = rc == GH_OK ? json_string_value(json_object_get(p, "sub")) : NULL;
    if (rc == GH_OK && (kid == NULL || sub == NULL || !json_is_integer(json_object_get(p, "exp")) ||
                        gh_sid_parse(sub, "SK", c->sub) != GH_OK)) {
        rc = GH_E_DENIED;
    }
    if (rc == GH_OK) {
        id = strtoul(kid, &end, 10);
        rc = kid[0] >= '0' && kid[0] <= '9' && *end == '\0' && id <= UINT32_MAX ? GH_OK
                                                                                : GH_E_DENIED;
        c->kid = (uint32_t)id;
        c->exp = (int64_t)json_integer_value(json_object_get(p, "exp"));
    }
    json_decref(h);
    json_decref(p);
    return rc;
}

struct auth_call {
    const char *token;
    size_t signed_len;
    const char *sig;
    size_t sig_len;
    struct claims claims;
    struct gh_principal *out;
    const char *why;
};

static gh_err
auth_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct auth_call *a = arg;
    uint8_t key[GH_LOOKUP_BYTES];
    uint8_t mac[64];
    uint8_t sig[64];
    size_t mac_len = 0;
    size_t sig_len = 0;
    struct gh_account acct;
    struct gh_key k;
    gh_err rc = signing_key(ctx, tx, a->claims.kid, key);

    if (rc == GH_E_WRONG_KEY || rc == GH_E_KEYFILE) {
        a->why = "client_token_unknown_master_key";
        return GH_E_DENIED;
    }
    GH_TRY(rc);
    rc = gh__jws_hmac(GH_JWT_HS256, key, sizeof(key), a->token, a->signed_len, mac, &mac_len);
    sodium_memzero(key, sizeof(key));
    GH_TRY(rc);
    if (gh__b64url_decode(a->sig, a->sig_len, sig, sizeof(sig), &sig_len) != GH_OK ||
        sig_len != mac_len || sodium_memcmp(sig, mac, mac_len) != 0) {
        a->why = "client_token_bad_signature";
        return GH_E_DENIED;
    }
    if (a->claims.exp <= gh_ctx_now_ms(ctx) / 1000) {
        a->why = "client_token_expired";
        return GH_E_DENIED;
    }
    rc = GH_ST(tx)->key_get(tx, a->claims.sub, &k, NULL);
    if (rc == GH_E_NOT_FOUND) {
        a->why = "client_token_key_gone";
        return GH_E_DENIED;
    }
    GH_TRY(rc);
    rc = gh__account_usable(tx, k.account_sid, &acct, &a->why);
    if (rc == GH_OK) {
        rc = gh__key_principal(&k, &acct, a->out);
    }
    gh_key_clear(&k);
    return rc;
}

gh_err
gh_authenticate_client_token(struct gh_ctx *ctx, const struct gh_origin *from, const char *token,
                             struct gh_principal *out)
{
    struct auth_call a;
    const char *dot1;
    const char *dot2;
    size_t len;
    gh_err rc;

    GH_ENSURE(ctx != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    memset(&a, 0, sizeof(a));
    a.why = "malformed_client_token";
    len = token != NULL ? strnlen(token, GH_JWT_MAX + 1) : 0;
    dot1 = len > 0 && len <= GH_JWT_MAX ? memchr(token, '.', len) : NULL;
    dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (dot2 == NULL || read_claims(token, dot1, dot2, &a.claims) != GH_OK) {
        gh__audit_auth_failure(ctx, from, "", a.why);
        return GH_E_DENIED;
    }
    a.token = token;
    a.signed_len = (size_t)(dot2 - token);
    a.sig = dot2 + 1;
    a.sig_len = len - a.signed_len - 1;
    a.out = out;
    rc = gh__transact(ctx, GH_TX_READ, auth_in_tx, &a);
    if (rc != GH_OK) {
        memset(out, 0, sizeof(*out));
    }
    if (rc == GH_E_DENIED) {
        gh__audit_auth_failure(ctx, from, a.claims.sub, a.why);
    }
    return rc;
}
