/*
 * sessions.c -- human logins and their sessions.
 *
 * A login reads (throttle state, the user) in one read transaction, verifies the passphrase
 * outside any transaction (Argon2id, in a bounded pool), then records the outcome in one write
 * transaction: the failure counters, or the session.  Unknown e-mail, wrong passphrase and a
 * locked user cost one Argon2id verification each (the dummy hash stands in) and give the same
 * refusal.  A session token is "SE<32 hex>.<64 hex>": the SID finds the row, the 256-bit secret
 * is kept only as a keyed digest (under the master key named by the row: a master-key rotation
 * therefore ends every session).
 */
#include <sodium.h>

#include "service/service.h"

#define TOUCH_EVERY_MS (60 * 1000) /* a session's last_seen is written at most once a minute */

#define PENDING_TTL_MS (5 * 60 * 1000) /* to complete the second factor */

static const struct gh_throttle_rule user_rule = {15 * 60 * 1000, 5, 60 * 1000, 15 * 60 * 1000};
static const struct gh_throttle_rule addr_rule = {15 * 60 * 1000, 100, 15 * 60 * 1000,
                                                  15 * 60 * 1000};

static void
throttle_key(char out[GH_STORE_THROTTLE_KEY_MAX], const char *kind, const char *what)
{
    snprintf(out, GH_STORE_THROTTLE_KEY_MAX, "%s:%s", kind, what != NULL ? what : "-");
}

/* ---- login ---- */

struct login {
    const struct gh_origin *from;
    char email_key[GH_EMAIL_SIZE * 2];
    char user_key[GH_STORE_THROTTLE_KEY_MAX];
    char addr_key[GH_STORE_THROTTLE_KEY_MAX];
    struct gh_user user;
    char stored[GH_STORE_HASH_MAX];
    bool found;
    int64_t read_ms; /* the read transaction's time */
    int64_t user_locked;
    int64_t addr_locked;
    /* outcome */
    bool ok;
    const char *why;
    char rehash[GH_PWHASH_STR_SIZE]; /* "" unless the parameters rose */
    bool breached; /* the passphrase is in the breach index (checked after a success) */
    struct gh_session *session;
    char *token;
    int64_t locked_until; /* a lock this failure caused */
};

static gh_err
login_read_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct login *l = arg;
    int64_t now = l->read_ms = gh_ctx_now_ms(ctx);
    gh_err rc;

    GH_TRY(gh__throttle_locked(tx, l->addr_key, now, &l->addr_locked));
    rc = GH_ST(tx)->user_get_by_email(tx, l->email_key, &l->user, l->stored);
    l->found = rc == GH_OK;
    if (!l->found) {
        return rc == GH_E_NOT_FOUND ? GH_OK : rc;
    }
    throttle_key(l->user_key, "user", l->user.sid);
    return gh__throttle_locked(tx, l->user_key, now, &l->user_locked);
}

static gh_err
new_token(struct gh_ctx *ctx, struct gh_tx *tx, struct gh_session *s, char *token, uint32_t *key_id,
          uint8_t digest[32])
{
    unsigned char raw[32];
    char hex[65];
    gh_err rc;

    GH_TRY(gh_sid_new("SE", s->sid));
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
    *key_id = gh__seal_key_id(ctx);
    rc = gh__secret_digest(ctx, tx, *key_id, s->sid, hex, 64, digest);
    snprintf(token, GH_SESSION_TOKEN_SIZE, "%s.%s", s->sid, hex);
    sodium_memzero(raw, sizeof(raw));
    sodium_memzero(hex, sizeof(hex));
    return rc;
}

static bool
session_live(const struct gh_session *s, int64_t now)
{
    return now < s->expires_ms && now < s->idle_expires_ms;
}

/*
 * Before a new session: deletes the user's ended sessions, and the oldest live ones while the
 * user would otherwise hold more than GH_SESSIONS_MAX, so the table stays bounded.
 */
static gh_err
prune_sessions(struct gh_tx *tx, const char *user_sid, int64_t now)
{
    struct gh_session *list = gh__calloc(GH_SESSIONS_MAX, sizeof(*list));
    size_t n = 0;
    size_t live = 0;
    gh_err rc;

    GH_ENSURE(list != NULL, GH_E_NOMEM);
    rc = GH_ST(tx)->session_list(tx, user_sid, list, GH_SESSIONS_MAX, &n);
    for (size_t i = 0; rc == GH_OK && i < n; i++) {
        live += session_live(&list[i], now);
    }
    for (size_t i = 0; rc == GH_OK && i < n; i++) { /* oldest first */
        bool ended = !session_live(&list[i], now);

        if (ended || live >= GH_SESSIONS_MAX) {
            rc = GH_ST(tx)->session_delete(tx, list[i].sid);
            live -= !ended;
        }
    }
    gh__free(list);
    return rc;
}

/*
 * What a right passphrase opens: a pending session when the user has a verified factor, an
 * enrol-only one when the main account requires MFA and the user has none, else a full one.
 */
static gh_err
second_factor_due(struct gh_tx *tx, const char *user_sid, enum gh_session_status *status)
{
    bool required = false;
    size_t verified = 0;

    *status = GH_SESSION_ACTIVE;
    GH_TRY(gh__mfa_verified(tx, user_sid, &verified));
    if (verified > 0) {
        *status = GH_SESSION_PENDING_MFA;
        return GH_OK;
    }
    GH_TRY(gh__mfa_required(tx, &required));
    *status = required ? GH_SESSION_ENROL_ONLY : GH_SESSION_ACTIVE;
    return GH_OK;
}

static gh_err
record_success(struct gh_ctx *ctx, struct gh_tx *tx, struct login *l)
{
    struct gh_session *s = l->session;
    int64_t now = gh_ctx_now_ms(ctx);
    uint8_t digest[32];
    uint32_t key_id = 0;

    GH_TRY(gh__throttle_reset(tx, l->user_key));
    if (l->rehash[0] != '\0' || (l->breached && !l->user.must_change)) {
        l->user.updated_ms = now;
        l->user.must_change = l->user.must_change || l->breached;
        GH_TRY(GH_ST(tx)->user_set_passphrase(tx, &l->user,
                                              l->rehash[0] != '\0' ? l->rehash : l->stored));
    }
    if (l->breached) {
        struct gh_audit_entry b = {
            l->from,     l->user.sid, "user.passphrase_breached",
            l->user.sid, true,        "found in the breach index at login: must change"};
        GH_TRY(gh__audit_append(ctx, tx, &b));
    }
    GH_TRY(prune_sessions(tx, l->user.sid, now));
    memset(s, 0, sizeof(*s));
    memcpy(s->user_sid, l->user.sid, sizeof(s->user_sid));
    s->created_ms = s->last_seen_ms = now;
    s->expires_ms = now + ctx->session_ttl_ms;
    s->idle_expires_ms = now + ctx->session_idle_ms;
    GH_TRY(second_factor_due(tx, l->user.sid, &s->status));
    if (s->status == GH_SESSION_PENDING_MFA) {
        s->expires_ms = s->idle_expires_ms = now + PENDING_TTL_MS;
    }
    GH_TRY(new_token(ctx, tx, s, l->token, &key_id, digest));
    GH_TRY(GH_ST(tx)->session_insert(tx, s, key_id, digest));
    s->must_change_passphrase = l->user.must_change;
    struct gh_audit_entry e = {l->from, l->user.sid,
                               "login", s->sid,
                               true,    l->rehash[0] != '\0' ? "passphrase rehashed" : ""};
    return gh__audit_append(ctx, tx, &e);
}

static gh_err
record_failure(struct gh_ctx *ctx, struct gh_tx *tx, struct login *l)
{
    int64_t now = gh_ctx_now_ms(ctx);
    int64_t addr_lock = 0;

    l->locked_until = 0;
    if (l->found && l->user_locked == 0) {
        GH_TRY(gh__throttle_fail(tx, l->user_key, &user_rule, now, &l->locked_until));
    }
    GH_TRY(gh__throttle_fail(tx, l->addr_key, &addr_rule, now, &addr_lock));
    struct gh_audit_entry e = {l->from, l->found ? l->user.sid : "", "login", "", false, l->why};
    GH_TRY(gh__audit_append(ctx, tx, &e));
    if (l->locked_until != 0) {
        char detail[64];

        snprintf(detail, sizeof(detail), "locked for %lld s",
                 (long long)((l->locked_until - now) / 1000));
        struct gh_audit_entry lock = {l->from, "", "user.lock", l->user.sid, true, detail};
        GH_TRY(gh__audit_append(ctx, tx, &lock));
    }
    return GH_OK;
}

static gh_err
login_write_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct login *l = arg;

    return l->ok ? record_success(ctx, tx, l) : record_failure(ctx, tx, l);
}

/* Verifies (or, for an unknown or locked user, pretends to, at the same cost). */
static gh_err
verify(struct gh_ctx *ctx, struct login *l, const char *pass, size_t len)
{
    char norm[GH_PASSPHRASE_MAX_BYTES * 2];
    bool rehash = false;
    bool real = l->found && l->user_locked == 0;
    struct gh_pwhasher *h;
    gh_err rc;

    GH_TRY(gh__hasher(ctx, &h));
    rc = len <= GH_PASSPHRASE_MAX_BYTES ? gh_passphrase_normalize(pass, len, norm, sizeof(norm))
                                        : GH_E_INVALID;
    if (rc != GH_OK || strlen(norm) > GH_PASSPHRASE_MAX_BYTES) {
        norm[0] = '\0'; /* unusable text: still one verification, against the dummy */
        real = false;
    }
    rc = gh_pwhash_verify(h, real ? l->stored : NULL, norm, strlen(norm), &rehash);
    l->ok = rc == GH_OK && real;
    /* Re-checked at every login against the index as it is now: it may have grown since. */
    l->breached = l->ok && gh__breach_holds(ctx, pass, len);
    l->why = !l->found ? "unknown_user" : l->user_locked != 0 ? "locked" : "wrong_passphrase";
    if (rc == GH_OK && rehash) {
        rc = gh_pwhash_hash(h, norm, strlen(norm), l->rehash);
        rc = rc == GH_E_LIMIT ? GH_OK : rc; /* rehash next time: the login stands */
    }
    sodium_memzero(norm, sizeof(norm));
    return rc == GH_E_DENIED ? GH_OK : rc;
}

gh_err
gh_session_login(struct gh_ctx *ctx, const struct gh_origin *from, const char *email,
                 const char *passphrase, size_t passphrase_len, struct gh_session *out,
                 char token[GH_SESSION_TOKEN_SIZE], int64_t *retry_after_s)
{
    struct login *l;
    gh_err rc;

    GH_ENSURE(ctx != NULL && out != NULL && token != NULL && retry_after_s != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    token[0] = '\0';
    *retry_after_s = 0;
    l = gh__calloc(1, sizeof(*l));
    GH_ENSURE(l != NULL, GH_E_NOMEM);
    l->from = from;
    l->session = out;
    l->token = token;
    if (email == NULL || gh__email_key(email, l->email_key) != GH_OK) {
        snprintf(l->email_key, sizeof(l->email_key), "%s", "-invalid-");
    }
    throttle_key(l->addr_key, "addr", from != NULL ? from->remote_addr : NULL);
    rc = gh__transact(ctx, GH_TX_READ, login_read_in_tx, l);
    if (rc == GH_OK && l->addr_locked != 0) {
        *retry_after_s = (l->addr_locked - l->read_ms + 999) / 1000;
        rc = GH_E_LIMIT;
    }
    if (rc == GH_OK) {
        rc = verify(ctx, l, passphrase != NULL ? passphrase : "",
                    passphrase != NULL ? passphrase_len : 0);
        *retry_after_s = rc == GH_E_LIMIT ? 1 : 0;
    }
    if (rc == GH_OK) {
        rc = gh__transact(ctx, GH_TX_WRITE, login_write_in_tx, l);
    }
    if (rc == GH_OK && !l->ok) {
        rc = GH_E_DENIED;
    }
    if (rc != GH_OK) {
        memset(out, 0, sizeof(*out));
        sodium_memzero(token, GH_SESSION_TOKEN_SIZE);
    }
    sodium_memzero(l, sizeof(*l));
    gh__free(l);
    return rc;
}

/* ---- bearer authentication ---- */

struct bearer {
    char sid[GH_SID_SIZE];
    const char *secret; /* 64 hex */
    struct gh_session session;
    struct gh_user user;
    bool touch;
    const char *why;
};

static gh_err
bearer_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct bearer *b = arg;
    uint8_t stored[32];
    uint8_t digest[32];
    uint32_t key_id = 0;
    int64_t now = gh_ctx_now_ms(ctx);
    gh_err rc = GH_ST(tx)->session_get(tx, b->sid, &b->session, &key_id, stored);
    bool found = rc == GH_OK;

    if (rc != GH_OK && rc != GH_E_NOT_FOUND) {
        return rc;
    }
    /* Unknown sessions cost the same digest as known ones. */
    rc = gh__secret_digest(ctx, tx, found ? key_id : gh__seal_key_id(ctx), b->sid, b->secret, 64,
                           digest);
    if (rc == GH_E_WRONG_KEY && found) {
        rc = GH_OK; /* sealed under a retired key: the session ended with the rotation */
        found = false;
    }
    GH_TRY(rc);
    if (!found || sodium_memcmp(digest, stored, sizeof(digest)) != 0) {
        b->why = found ? "bad_session_token" : "unknown_session";
        return GH_E_DENIED;
    }
    if (now >= b->session.expires_ms || now >= b->session.idle_expires_ms) {
        b->why = "session_expired";
        return GH_E_DENIED;
    }
    GH_TRY(GH_ST(tx)->user_get(tx, b->session.user_sid, &b->user, NULL));
    b->touch = now - b->session.last_seen_ms >= TOUCH_EVERY_MS;
    return GH_OK;
}

static gh_err
touch_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct bearer *b = arg;
    int64_t now = gh_ctx_now_ms(ctx);
    int64_t idle = now + ctx->session_idle_ms;

    return GH_ST(tx)->session_touch(tx, b->sid, now,
                                    idle < b->session.expires_ms ? idle : b->session.expires_ms);
}

gh_err
gh_authenticate_bearer(struct gh_ctx *ctx, const struct gh_origin *from, const char *token,
                       struct gh_principal *out)
{
    struct bearer b;
    gh_err rc;

    GH_ENSURE(ctx != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    memset(&b, 0, sizeof(b));
    b.why = "malformed_session_token";
    if (token != NULL && strnlen(token, GH_SESSION_TOKEN_LEN + 1) == GH_SESSION_TOKEN_LEN) {
        memcpy(b.sid, token, GH_SID_LEN);
        b.sid[GH_SID_LEN] = '\0';
    }
    if (b.sid[0] == '\0' || token[GH_SID_LEN] != '.' || gh_sid_valid(b.sid, "SE") == 0 ||
        !gh__lower_hex(token + GH_SID_LEN + 1, 64)) {
        gh__audit_auth_failure(ctx, from, "", b.why);
        return GH_E_DENIED;
    }
    b.secret = token + GH_SID_LEN + 1;
    rc = gh__transact(ctx, GH_TX_READ, bearer_in_tx, &b);
    if (rc == GH_OK && b.touch) {
        rc = gh__transact(ctx, GH_TX_WRITE, touch_in_tx, &b);
    }
    if (rc == GH_E_DENIED || rc == GH_E_NOT_FOUND) {
        gh__audit_auth_failure(ctx, from, b.sid, rc == GH_E_NOT_FOUND ? "user_gone" : b.why);
        return GH_E_DENIED;
    }
    GH_TRY(rc);
    out->kind = GH_PRINCIPAL_SESSION;
    memcpy(out->sid, b.sid, sizeof(out->sid));
    memcpy(out->user_sid, b.user.sid, sizeof(out->user_sid));
    out->must_change_passphrase = b.user.must_change;
    out->session_status = b.session.status;
    return GH_OK;
}

/* ---- the caller's sessions ---- */

struct mine {
    const struct gh_origin *from;
    const struct gh_principal *who;
    const char *sid;
    struct gh_session *out;
    size_t cap;
    size_t *n;
    int64_t revoked;
};

/* The live sessions (an ended one stays in the store until the user's next login). */
static gh_err
list_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct mine *m = arg;
    int64_t now = gh_ctx_now_ms(ctx);
    size_t kept = 0;

    GH_TRY(GH_ST(tx)->session_list(tx, m->who->user_sid, m->out, m->cap, m->n));
    for (size_t i = 0; i < *m->n; i++) {
        if (session_live(&m->out[i], now)) {
            m->out[kept] = m->out[i];
            m->out[kept++].must_change_passphrase = m->who->must_change_passphrase;
        }
    }
    *m->n = kept;
    return GH_OK;
}

gh_err
gh_session_list(struct gh_ctx *ctx, const struct gh_principal *who, struct gh_session *out,
                size_t cap, size_t *n)
{
    struct mine m = {NULL, who, NULL, out, cap, n, 0};

    GH_ENSURE(ctx != NULL && who != NULL && out != NULL && n != NULL, GH_E_INVALID);
    *n = 0;
    GH_TRY(gh_principal_holds(who, GH_PERM_SESSION_SELF));
    return gh__transact(ctx, GH_TX_READ, list_in_tx, &m);
}

static gh_err
logout_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct mine *m = arg;
    struct gh_session s;
    uint8_t digest[32];
    uint32_t key_id;
    char sid[GH_SID_SIZE];

    GH_ENSURE(gh_sid_parse(m->sid, "SE", sid) == GH_OK, GH_E_NOT_FOUND);
    GH_TRY(GH_ST(tx)->session_get(tx, sid, &s, &key_id, digest));
    GH_ENSURE(strcmp(s.user_sid, m->who->user_sid) == 0, GH_E_NOT_FOUND);
    GH_TRY(GH_ST(tx)->session_delete(tx, sid));
    struct gh_audit_entry e = {m->from, m->who->sid, "session.revoke",
                               sid,     true,        strcmp(sid, m->who->sid) == 0 ? "logout" : ""};
    return gh__audit_append(ctx, tx, &e);
}

gh_err
gh_session_logout(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
                  const char *sid)
{
    struct mine m = {from, who, sid, NULL, 0, NULL, 0};

    GH_ENSURE(ctx != NULL && who != NULL && sid != NULL, GH_E_INVALID);
    GH_TRY(gh_principal_holds(who, GH_PERM_SESSION_SELF));
    return gh__transact(ctx, GH_TX_WRITE, logout_in_tx, &m);
}

static gh_err
others_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct mine *m = arg;
    char detail[64];

    GH_TRY(GH_ST(tx)->session_delete_user(tx, m->who->user_sid, m->who->sid, &m->revoked));
    snprintf(detail, sizeof(detail), "%lld other sessions", (long long)m->revoked);
    struct gh_audit_entry e = {m->from,          m->who->sid, "session.revoke_others",
                               m->who->user_sid, true,        detail};
    return gh__audit_append(ctx, tx, &e);
}

gh_err
gh_session_revoke_others(struct gh_ctx *ctx, const struct gh_origin *from,
                         const struct gh_principal *who, int64_t *n)
{
    struct mine m = {from, who, NULL, NULL, 0, NULL, 0};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && n != NULL, GH_E_INVALID);
    *n = 0;
    GH_TRY(gh_principal_holds(who, GH_PERM_SESSION_SELF));
    rc = gh__transact(ctx, GH_TX_WRITE, others_in_tx, &m);
    *n = m.revoked;
    return rc;
}
