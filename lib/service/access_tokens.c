/*
 * access_tokens.c -- Twilio Access Tokens as use cases: minting with a key's secret (opened
 * from the store, wiped after), verification against the store (the issuing key must exist, be
 * unrestricted, belong to the active account in `sub`; the algorithm is the key's; the jti must
 * not be revoked), revocation by jti (a deny-list row every server reads, kept until the token
 * would have expired and then swept), and the operator's token settings.  The JWT itself is
 * lib/crypto/access_token.c's.
 */
#include <inttypes.h>

#include <sodium.h>

#include "service/service.h"

#define ALGS_DEFAULT    GH_JWT_HS256
#define REVOKE_SLACK_MS (5 * 60 * 1000) /* a revocation outlives the token by this much */

static int64_t
now_s(struct gh_ctx *ctx)
{
    return gh_ctx_now_ms(ctx) / 1000;
}

/* The algorithms key_sid may sign with (HS256 unless the operator allowed others). */
static gh_err
key_algorithms(struct gh_tx *tx, const char *key_sid, unsigned *algs)
{
    int64_t v = 0;

    GH_TRY(GH_ST(tx)->setting_get(tx, key_sid, &v));
    *algs = v > 0 && v <= GH_JWT_ALGS_ALL ? (unsigned)v : ALGS_DEFAULT;
    return GH_OK;
}

/* The longest lifetime an account's tokens may have. */
static gh_err
account_max_ttl(struct gh_tx *tx, const char *account_sid, int64_t *ttl)
{
    int64_t v = 0;

    GH_TRY(GH_ST(tx)->setting_get(tx, account_sid, &v));
    *ttl = v > 0 && v < GH_JWT_TTL_MAX_S ? v : GH_JWT_TTL_MAX_S;
    return GH_OK;
}

/* ---- mint ---- */

struct mint_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    const struct gh_token_request *req;
    enum gh_jwt_alg alg;
    char key_sid[GH_SID_SIZE];
    char account_sid[GH_SID_SIZE];
    char secret[GH_SECRET_SIZE];
    int64_t max_ttl;
    const struct gh_token_issued *issued; /* for the audit event */
};

/* Which key signs: the one named (auth tokens, main keys), else the calling key itself. */
static gh_err
signing_key_sid(const struct mint_call *m, char out[GH_SID_SIZE])
{
    const struct gh_principal *who = m->who;

    if (m->req->key_sid == NULL) {
        GH_ENSURE(who->kind == GH_PRINCIPAL_KEY, GH_E_MISSING);
        memcpy(out, who->sid, GH_SID_SIZE);
        return GH_OK;
    }
    GH_ENSURE(gh_sid_parse(m->req->key_sid, "SK", out) == GH_OK, GH_E_NOT_FOUND);
    if (who->kind == GH_PRINCIPAL_KEY && who->key_type != GH_KEY_MAIN) {
        GH_ENSURE(strcmp(out, who->sid) == 0, GH_E_FORBIDDEN); /* a key signs only as itself */
    }
    return GH_OK;
}

static gh_err
mint_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct mint_call *m = arg;
    struct gh_account acct;
    struct gh_sealed row;
    struct gh_key key;
    const char *why = "";
    unsigned algs = 0;
    gh_err rc;

    GH_TRY(signing_key_sid(m, m->key_sid));
    memset(&row, 0, sizeof(row));
    rc = GH_ST(tx)->key_get(tx, m->key_sid, &key, &row);
    if (rc == GH_OK) {
        memcpy(m->account_sid, key.account_sid, GH_SID_SIZE);
        rc = key.type == GH_KEY_RESTRICTED ? GH_E_KEY_RESTRICTED : GH_OK;
    }
    if (rc == GH_OK) {
        rc = gh__reach_account(tx, m->who, key.account_sid, GH_REACH_PARENT, &acct);
    }
    if (rc == GH_OK && gh__account_usable(tx, key.account_sid, &acct, &why) != GH_OK) {
        rc = GH_E_FORBIDDEN; /* a suspended or closed account mints nothing */
    }
    if (rc == GH_OK) {
        rc = key_algorithms(tx, m->key_sid, &algs);
    }
    if (rc == GH_OK && (algs & (unsigned)m->alg) == 0) {
        rc = GH_E_INVALID; /* the key is not allowed this algorithm */
    }
    if (rc == GH_OK) {
        rc = account_max_ttl(tx, key.account_sid, &m->max_ttl);
    }
    if (rc == GH_OK) {
        rc = gh__secret_open(ctx, tx, &row, m->secret, sizeof(m->secret));
    }
    gh_wipe(&row, sizeof(row));
    gh_key_clear(&key);
    return rc;
}

static gh_err
record_mint(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    const struct mint_call *m = arg;
    const struct gh_token_issued *out = m->issued;
    char detail[128];

    snprintf(detail, sizeof(detail), "jti %s, %s, expires %" PRId64, out->jti,
             gh_jwt_alg_name(m->alg), out->exp);
    struct gh_audit_entry e = {m->from, gh__actor_of(m->who), "access_token.mint", m->key_sid, true,
                               detail};
    return gh__audit_account(ctx, tx, &e, m->account_sid);
}

gh_err
gh_access_token_mint(struct gh_ctx *ctx, const struct gh_origin *from,
                     const struct gh_principal *who, const struct gh_token_request *req,
                     struct gh_token_issued *out)
{
    struct mint_call m;
    struct gh_access_token_spec spec;
    int64_t ttl;
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && req != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(gh_principal_holds(who, GH_PERM_TOKEN_MINT));
    GH_ENSURE(req->identity != NULL && req->identity[0] != '\0', GH_E_MISSING);
    memset(&m, 0, sizeof(m));
    m.from = from;
    m.who = who;
    m.req = req;
    m.alg = GH_JWT_HS256;
    GH_ENSURE(req->alg == NULL || gh_jwt_alg_parse(req->alg, &m.alg) == GH_OK, GH_E_INVALID);
    ttl = req->ttl_s != 0 ? req->ttl_s : GH_JWT_TTL_DEFAULT_S;
    GH_ENSURE(ttl >= 1, GH_E_INVALID);
    rc = gh__transact(ctx, GH_TX_READ, mint_in_tx, &m);
    if (rc == GH_OK && ttl > m.max_ttl) {
        rc = GH_E_TOKEN_TTL;
    }
    if (rc == GH_OK) {
        memset(&spec, 0, sizeof(spec));
        spec.account_sid = m.account_sid;
        spec.key_sid = m.key_sid;
        spec.identity = req->identity;
        spec.grants_json = req->grants_json;
        spec.iat = now_s(ctx);
        spec.ttl_s = ttl;
        spec.nbf = req->nbf;
        spec.alg = m.alg;
        rc = gh_access_token_sign(&spec, m.secret, strlen(m.secret), out->token);
    }
    sodium_memzero(m.secret, sizeof(m.secret));
    if (rc == GH_OK) {
        snprintf(out->jti, sizeof(out->jti), "%s-%" PRId64, m.key_sid, spec.iat);
        memcpy(out->key_sid, m.key_sid, GH_SID_SIZE);
        memcpy(out->account_sid, m.account_sid, GH_SID_SIZE);
        out->iat = spec.iat;
        out->exp = spec.iat + ttl;
        m.issued = out;
        rc = gh__transact(ctx, GH_TX_WRITE, record_mint, &m);
    }
    if (rc != GH_OK) {
        sodium_memzero(out, sizeof(*out));
    }
    return rc;
}

/* ---- verify ---- */

struct verify_call {
    const struct gh_principal *who;
    struct gh_token_verdict *v;
    char secret[GH_SECRET_SIZE];
    unsigned algs;
    int64_t max_ttl;
    bool revoked;
};

/* The issuer: an unrestricted key of the (usable) account in sub, within who's reach. */
static gh_err
issuer_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct verify_call *c = arg;
    const struct gh_access_token *t = &c->v->token;
    struct gh_account acct;
    struct gh_sealed row;
    struct gh_key key;
    const char *why = "";
    gh_err rc;

    memset(&row, 0, sizeof(row));
    rc = GH_ST(tx)->key_get(tx, t->iss, &key, &row);
    if (rc == GH_E_NOT_FOUND) {
        return GH_E_TOKEN_ISSUER;
    }
    GH_TRY(rc);
    if (key.type == GH_KEY_RESTRICTED || strcmp(key.account_sid, t->sub) != 0) {
        rc = GH_E_TOKEN_ISSUER;
    }
    if (rc == GH_OK && c->who != NULL) {
        rc = gh__reach_account(tx, c->who, t->sub, GH_REACH_PARENT, &acct);
        rc = rc == GH_E_NOT_FOUND ? GH_E_TOKEN_ISSUER : rc;
    }
    if (rc == GH_OK && gh__account_usable(tx, t->sub, &acct, &why) != GH_OK) {
        rc = GH_E_TOKEN_ISSUER;
    }
    rc = rc == GH_OK ? key_algorithms(tx, t->iss, &c->algs) : rc;
    rc = rc == GH_OK ? account_max_ttl(tx, t->sub, &c->max_ttl) : rc;
    rc = rc == GH_OK ? GH_ST(tx)->revoked_get(tx, t->jti, &c->revoked) : rc;
    rc = rc == GH_OK ? gh__secret_open(ctx, tx, &row, c->secret, sizeof(c->secret)) : rc;
    gh_wipe(&row, sizeof(row));
    gh_key_clear(&key);
    return rc;
}

/* The key's algorithm: the header's, when the key allows it; else the key's only one. */
static enum gh_jwt_alg
key_alg_for(unsigned algs, enum gh_jwt_alg claimed)
{
    if ((algs & (unsigned)claimed) != 0) {
        return claimed;
    }
    return (algs & GH_JWT_HS256) != 0 ? GH_JWT_HS256
           : (algs & GH_JWT_HS384)    ? GH_JWT_HS384
                                      : GH_JWT_HS512;
}

gh_err
gh_access_token_verify(struct gh_ctx *ctx, const struct gh_principal *who, const char *token,
                       size_t len, struct gh_token_verdict *out)
{
    struct verify_call c;
    gh_err rc;

    GH_ENSURE(ctx != NULL && out != NULL && token != NULL, GH_E_INVALID);
    out->active = false; /* out->token is reset by the parse (8 KiB: not zeroed needlessly) */
    out->why = GH_E_TOKEN_INVALID;
    memset(&c, 0, sizeof(c));
    if (who != NULL) {
        GH_TRY(gh_principal_holds(who, GH_PERM_TOKEN_VERIFY));
    }
    c.who = who != NULL && who->kind != GH_PRINCIPAL_OPERATOR ? who : NULL;
    c.v = out;
    rc = gh_access_token_parse(token, len, &out->token);
    if (rc == GH_OK) {
        rc = gh__transact(ctx, GH_TX_READ, issuer_in_tx, &c);
    }
    if (rc == GH_OK) {
        rc = gh_access_token_check_signature(&out->token, key_alg_for(c.algs, out->token.alg),
                                             c.secret, strlen(c.secret));
    }
    sodium_memzero(c.secret, sizeof(c.secret));
    if (rc == GH_OK && c.revoked) {
        rc = GH_E_TOKEN_REVOKED;
    }
    if (rc == GH_OK) {
        rc = gh_access_token_check_times(&out->token, now_s(ctx), c.max_ttl);
    }
    switch (rc) {
    case GH_OK:
    case GH_E_TOKEN_INVALID:
    case GH_E_TOKEN_ISSUER:
    case GH_E_TOKEN_EXPIRED:
    case GH_E_TOKEN_NOT_YET:
    case GH_E_TOKEN_SIGNATURE:
    case GH_E_TOKEN_REVOKED:
    case GH_E_TOKEN_TTL:
        out->active = rc == GH_OK;
        out->why = rc;
        return GH_OK;
    default:
        return rc; /* the check itself failed */
    }
}

/* ---- revoke ---- */

struct revoke_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    char key_sid[GH_SID_SIZE];
    const char *jti;
    int64_t iat;
};

/* "<KeySid>-<iat>": the key and the second it was minted. */
static gh_err
split_jti(const char *jti, char key_sid[GH_SID_SIZE], int64_t *iat)
{
    char sid[GH_SID_SIZE];
    const char *p;
    int64_t v = 0;

    GH_ENSURE(jti != NULL && strlen(jti) > GH_SID_LEN + 1 && strlen(jti) < GH_JWT_JTI_SIZE,
              GH_E_NOT_FOUND);
    memcpy(sid, jti, GH_SID_LEN);
    sid[GH_SID_LEN] = '\0';
    GH_ENSURE(jti[GH_SID_LEN] == '-' && gh_sid_parse(sid, "SK", key_sid) == GH_OK, GH_E_NOT_FOUND);
    for (p = jti + GH_SID_LEN + 1; *p != '\0'; p++) {
        GH_ENSURE(*p >= '0' && *p <= '9' && v < INT64_C(100000000000), GH_E_NOT_FOUND);
        v = v * 10 + (*p - '0');
    }
    *iat = v;
    return GH_OK;
}

static gh_err
revoke_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct revoke_call *r = arg;
    char account[GH_SID_SIZE];
    struct gh_account acct;
    struct gh_key key;
    int64_t swept = 0;
    char detail[128];
    gh_err rc = GH_ST(tx)->key_get(tx, r->key_sid, &key, NULL);

    GH_TRY(rc);
    memcpy(account, key.account_sid, sizeof(account));
    rc = gh__reach_account(tx, r->who, key.account_sid, GH_REACH_PARENT, &acct);
    if (rc == GH_OK) {
        /* Until the longest lifetime the token can have had, then swept. */
        rc = GH_ST(tx)->revoked_put(tx, r->jti, key.account_sid,
                                    (r->iat + GH_JWT_TTL_MAX_S) * 1000 + REVOKE_SLACK_MS);
    }
    gh_key_clear(&key);
    GH_TRY(rc);
    GH_TRY(GH_ST(tx)->revoked_sweep(tx, gh_ctx_now_ms(ctx), &swept));
    snprintf(detail, sizeof(detail), "jti %s; %" PRId64 " expired revocations swept", r->jti,
             swept);
    struct gh_audit_entry e = {
        r->from, gh__actor_of(r->who), "access_token.revoke", r->key_sid, true, detail};
    return gh__audit_account(ctx, tx, &e, account);
}

gh_err
gh_access_token_revoke(struct gh_ctx *ctx, const struct gh_origin *from,
                       const struct gh_principal *who, const char *jti)
{
    struct revoke_call r;

    GH_ENSURE(ctx != NULL && who != NULL, GH_E_INVALID);
    GH_TRY(gh_principal_holds(who, GH_PERM_TOKEN_REVOKE));
    memset(&r, 0, sizeof(r));
    r.from = from;
    r.who = who;
    r.jti = jti;
    GH_TRY(split_jti(jti, r.key_sid, &r.iat));
    return gh__transact(ctx, GH_TX_WRITE, revoke_in_tx, &r);
}

/* ---- settings ---- */

struct setting_call {
    const struct gh_origin *from;
    const char *sid;
    int64_t value;
    const char *what;
};

static gh_err
setting_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct setting_call *s = arg;
    char detail[64];

    if (s->sid[0] == 'S') {
        struct gh_key key;

        GH_TRY(GH_ST(tx)->key_get(tx, s->sid, &key, NULL));
        gh_key_clear(&key);
    } else {
        struct gh_account acct;

        GH_TRY(GH_ST(tx)->account_get(tx, s->sid, &acct));
    }
    GH_TRY(GH_ST(tx)->setting_put(tx, s->sid, s->value));
    snprintf(detail, sizeof(detail), "%s = %" PRId64, s->what, s->value);
    struct gh_audit_entry e = {s->from, "operator", "access_token.settings", s->sid, true, detail};
    return gh__audit_append(ctx, tx, &e);
}

gh_err
gh_token_key_algorithms(struct gh_ctx *ctx, const struct gh_origin *from, const char *key_sid,
                        unsigned algs)
{
    char sid[GH_SID_SIZE];
    struct setting_call s = {from, sid, (int64_t)algs, "algorithms"};

    GH_ENSURE(ctx != NULL && algs != 0 && (algs & ~(unsigned)GH_JWT_ALGS_ALL) == 0, GH_E_INVALID);
    GH_ENSURE(key_sid != NULL && gh_sid_parse(key_sid, "SK", sid) == GH_OK, GH_E_NOT_FOUND);
    return gh__transact(ctx, GH_TX_WRITE, setting_in_tx, &s);
}

gh_err
gh_token_account_max_ttl(struct gh_ctx *ctx, const struct gh_origin *from, const char *account_sid,
                         int64_t max_ttl_s)
{
    char sid[GH_SID_SIZE];
    struct setting_call s = {from, sid, max_ttl_s, "max_ttl"};

    GH_ENSURE(ctx != NULL && max_ttl_s >= 0 && max_ttl_s <= GH_JWT_TTL_MAX_S, GH_E_INVALID);
    GH_ENSURE(account_sid != NULL && gh_sid_parse(account_sid, "AC", sid) == GH_OK, GH_E_NOT_FOUND);
    return gh__transact(ctx, GH_TX_WRITE, setting_in_tx, &s);
}
