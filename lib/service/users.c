/*
 * users.c -- human users: creation (with a membership), fetch, passphrase change, and the
 * policy check of POST /v1/Passphrases/Check.  Passphrases are NFKC-normalised, checked
 * against the policy (and, for a change, the last 5), and stored only as Argon2id strings.
 * The Argon2id work runs outside every transaction: a write transaction (which holds the
 * store's write lock) never waits for a hash.
 */
#include <sodium.h>

#include "service/service.h"

#define HISTORY_KEEP     5
/* POST /v1/Passphrases/Check: 60 checks per address per minute (the 61st locks for a minute). */
#define CHECK_RULE_LIMIT 61

static bool
email_char_ok(unsigned char c)
{
    return c > 0x20 && c != 0x7F && c != '<' && c != '>' && c != '(' && c != ')' && c != ',' &&
           c != ';' && c != '"' && c != '\\' && c != '[' && c != ']';
}

gh_err
gh__email_key(const char *email, char out[GH_EMAIL_SIZE * 2])
{
    const char *at;
    size_t len;

    out[0] = '\0';
    GH_ENSURE(email != NULL, GH_E_EMAIL);
    len = strlen(email);
    GH_ENSURE(len >= 3 && len <= GH_EMAIL_MAX && gh_utf8_count(email, len) > 0, GH_E_EMAIL);
    at = strchr(email, '@');
    GH_ENSURE(at != NULL && at != email && strchr(at + 1, '@') == NULL && at[1] != '\0',
              GH_E_EMAIL);
    for (const unsigned char *p = (const unsigned char *)email; *p != '\0'; p++) {
        GH_ENSURE(*p >= 0x80 || email_char_ok(*p), GH_E_EMAIL);
    }
    GH_ENSURE(gh_passphrase_normalize(email, len, out, GH_EMAIL_SIZE * 2) == GH_OK, GH_E_EMAIL);
    for (char *p = out; *p != '\0'; p++) {
        *p = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
    }
    return GH_OK;
}

static gh_err
check_name(const char *name)
{
    long chars;

    GH_ENSURE(name != NULL, GH_E_INVALID);
    chars = gh_utf8_count(name, strlen(name));
    GH_ENSURE(chars >= 1 && chars <= GH_NAME_MAX_CHARS, GH_E_INVALID);
    return GH_OK;
}

gh_err
gh__passphrase_acceptable(struct gh_ctx *ctx, const char *pass, size_t len,
                          const struct gh_passphrase_context *context,
                          struct gh_passphrase_report *report)
{
    GH_TRY(gh__passphrase_screen(ctx, pass, len, context, report));
    return report->accept ? GH_OK : GH_E_WEAK_PASSPHRASE;
}

gh_err
gh__passphrase_screen(struct gh_ctx *ctx, const char *pass, size_t len,
                      const struct gh_passphrase_context *context,
                      struct gh_passphrase_report *report)
{
    GH_TRY(gh_passphrase_check(&ctx->policy, pass, len, context, report));
    return gh__breach_screen(ctx, pass, len, report);
}

gh_err
gh__user_insert(struct gh_ctx *ctx, struct gh_tx *tx, const struct gh_origin *from,
                const char *actor, const struct gh_user *u, const char *email_key, const char *hash,
                const char *account_sid, enum gh_role role)
{
    char detail[64];

    GH_TRY(GH_ST(tx)->user_insert(tx, u, email_key, hash));
    GH_TRY(GH_ST(tx)->history_add(tx, u->sid, hash, u->passphrase_set_ms));
    GH_TRY(GH_ST(tx)->membership_put(tx, u->sid, account_sid, role, u->created_ms));
    snprintf(detail, sizeof(detail), "role %s on %.34s", gh_role_name(role), account_sid);
    struct gh_audit_entry e = {from, actor, "user.create", u->sid, true, detail};
    return gh__audit_account(ctx, tx, &e, account_sid);
}

/* ---- create ---- */

struct create_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    const struct gh_user_spec *spec;
    const char *email_key;
    const char *hash;
    struct gh_user *out;
};

/*
 * May who create a user with this role on acct?  It holds member.manage there (checked before)
 * and every permission of the role; the owner role is the operator's to give, once, to the
 * owner of a main account that has none (after that it moves only by a transfer).
 */
static gh_err
may_create(struct gh_tx *tx, const struct gh_principal *who, const struct gh_account *acct,
           enum gh_role role)
{
    char owner[GH_SID_SIZE];
    gh_err rc;

    if (role != GH_ROLE_OWNER) {
        return gh__may_grant(who, role);
    }
    GH_ENSURE(who->kind == GH_PRINCIPAL_OPERATOR && acct->parent_sid[0] == '\0', GH_E_OWNER);
    rc = GH_ST(tx)->membership_owner(tx, acct->sid, owner);
    GH_ENSURE(rc != GH_OK, GH_E_OWNER);
    return rc == GH_E_NOT_FOUND ? GH_OK : rc;
}

static gh_err
create_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct create_call *c = arg;
    char main_sid[GH_SID_SIZE];
    struct gh_account acct;
    const char *account = c->spec->account_sid;

    GH_TRY(GH_ST(tx)->meta_get(tx, GH_META_MAIN_ACCOUNT, main_sid, sizeof(main_sid)));
    account = account != NULL ? account : main_sid;
    GH_TRY(gh__reach_account(tx, c->who, account, GH_REACH_PARENT, &acct));
    GH_ENSURE(acct.status != GH_ACCOUNT_CLOSED, GH_E_CLOSED);
    GH_TRY(may_create(tx, c->who, &acct, c->spec->role));
    return gh__user_insert(ctx, tx, c->from, gh__actor_of(c->who), c->out, c->email_key, c->hash,
                           acct.sid, c->spec->role);
}

/* Fills the user record for a new user. */
static gh_err
new_user(struct gh_ctx *ctx, const struct gh_user_spec *spec, struct gh_user *u)
{
    int64_t now = gh_ctx_now_ms(ctx);

    memset(u, 0, sizeof(*u));
    GH_TRY(gh_sid_new("US", u->sid));
    GH_TRY(gh__strlcpy(u->email, spec->email, sizeof(u->email)));
    GH_TRY(gh__strlcpy(u->name, spec->name, sizeof(u->name)));
    u->passphrase_set_ms = u->created_ms = u->updated_ms = now;
    return GH_OK;
}

/* Normalises, checks and hashes a new passphrase (outside any transaction). */
static gh_err
hash_new_passphrase(struct gh_ctx *ctx, const char *pass, size_t len,
                    const struct gh_passphrase_context *context,
                    struct gh_passphrase_report *report, char hash[GH_PWHASH_STR_SIZE])
{
    char norm[GH_PASSPHRASE_MAX_BYTES * 2];
    struct gh_pwhasher *h;
    gh_err rc;

    GH_TRY(gh__passphrase_acceptable(ctx, pass, len, context, report));
    GH_TRY(gh__hasher(ctx, &h));
    rc = gh_passphrase_normalize(pass, len, norm, sizeof(norm));
    if (rc == GH_OK) {
        rc = gh_pwhash_hash(h, norm, strlen(norm), hash);
    }
    sodium_memzero(norm, sizeof(norm));
    return rc;
}

struct name_call {
    const char *sid; /* NULL: the main account */
    char name[GH_FRIENDLY_NAME_SIZE];
};

/* The friendly name of an account, for the passphrase's context ("" when there is none). */
static gh_err
account_name_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct name_call *n = arg;
    char sid[GH_SID_SIZE];
    struct gh_account acct;
    gh_err rc;

    (void)ctx;
    n->name[0] = '\0';
    if (n->sid == NULL) {
        GH_TRY(GH_ST(tx)->meta_get(tx, GH_META_MAIN_ACCOUNT, sid, sizeof(sid)));
    } else if (gh_sid_parse(n->sid, "AC", sid) != GH_OK) {
        return GH_OK; /* the write will say it names nothing */
    }
    rc = GH_ST(tx)->account_get(tx, sid, &acct);
    if (rc == GH_OK) {
        memcpy(n->name, acct.friendly_name, sizeof(n->name));
    }
    return rc == GH_E_NOT_FOUND ? GH_OK : rc;
}

gh_err
gh__user_prepare(struct gh_ctx *ctx, const struct gh_user_spec *spec, const char *account_name,
                 struct gh_passphrase_report *report, char email_key[GH_EMAIL_SIZE * 2],
                 char hash[GH_PWHASH_STR_SIZE], struct gh_user *out)
{
    GH_ENSURE((unsigned)spec->role <= GH_ROLE_SUPPORT, GH_E_INVALID);
    GH_TRY(gh__email_key(spec->email, email_key));
    GH_TRY(check_name(spec->name));
    GH_ENSURE(spec->passphrase != NULL, GH_E_MISSING);
    struct gh_passphrase_context context = {spec->email, spec->name, account_name};
    GH_TRY(
        hash_new_passphrase(ctx, spec->passphrase, spec->passphrase_len, &context, report, hash));
    return new_user(ctx, spec, out);
}

gh_err
gh_user_create(struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
               const struct gh_user_spec *spec, struct gh_user *out,
               struct gh_passphrase_report *report)
{
    struct gh_passphrase_report local = {0};
    struct gh_passphrase_report *r = report != NULL ? report : &local;
    char email_key[GH_EMAIL_SIZE * 2];
    char hash[GH_PWHASH_STR_SIZE] = "";
    struct create_call c = {from, who, spec, email_key, hash, out};
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && spec != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    memset(r, 0, sizeof(*r));
    GH_TRY(gh_principal_holds(who, GH_PERM_MEMBER_MANAGE));
    struct name_call account = {spec->account_sid, ""};
    rc = gh__transact(ctx, GH_TX_READ, account_name_in_tx, &account);
    if (rc == GH_OK) {
        rc = gh__user_prepare(ctx, spec, account.name, r, email_key, hash, out);
    }
    if (rc == GH_OK) {
        rc = gh__transact(ctx, GH_TX_WRITE, create_in_tx, &c);
    }
    sodium_memzero(hash, sizeof(hash));
    if (rc != GH_OK) {
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

/* ---- fetch ---- */

struct fetch_call {
    const struct gh_principal *who;
    const char *sid;
    struct gh_user *out;
};

static gh_err
fetch_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct fetch_call *c = arg;
    char sid[GH_SID_SIZE];

    (void)ctx;
    GH_ENSURE(gh_sid_parse(c->sid, "US", sid) == GH_OK, GH_E_NOT_FOUND);
    if (c->who->kind == GH_PRINCIPAL_SESSION && strcmp(sid, c->who->user_sid) != 0) {
        return GH_E_NOT_FOUND; /* a session reads only its own user */
    }
    return GH_ST(tx)->user_get(tx, sid, c->out, NULL);
}

gh_err
gh_user_fetch(struct gh_ctx *ctx, const struct gh_principal *who, const char *sid,
              struct gh_user *out)
{
    struct fetch_call c = {who, sid, out};

    GH_ENSURE(ctx != NULL && who != NULL && sid != NULL && out != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    GH_TRY(gh_principal_holds(who, GH_PERM_USER_SELF));
    return gh__transact(ctx, GH_TX_READ, fetch_in_tx, &c);
}

/* ---- passphrase change ---- */

struct change_call {
    const struct gh_origin *from;
    const struct gh_principal *who;
    struct gh_user user;
    char stored[GH_STORE_HASH_MAX];
    char history[HISTORY_KEEP][GH_STORE_HASH_MAX];
    size_t n_history;
    const char *hash;                         /* the new one */
    char account_name[GH_FRIENDLY_NAME_SIZE]; /* the main account's, for the context */
};

static gh_err
load_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct change_call *c = arg;

    (void)ctx;
    struct name_call main = {NULL, ""};
    GH_TRY(account_name_in_tx(ctx, tx, &main));
    memcpy(c->account_name, main.name, sizeof(c->account_name));
    GH_TRY(GH_ST(tx)->user_get(tx, c->who->user_sid, &c->user, c->stored));
    return GH_ST(tx)->history_list(tx, c->user.sid, c->history, HISTORY_KEEP, &c->n_history);
}

static gh_err
store_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct change_call *c = arg;
    char detail[64];
    int64_t revoked = 0;

    c->user.passphrase_set_ms = c->user.updated_ms = gh_ctx_now_ms(ctx);
    c->user.must_change = false;
    GH_TRY(GH_ST(tx)->user_set_passphrase(tx, &c->user, c->hash));
    GH_TRY(GH_ST(tx)->history_add(tx, c->user.sid, c->hash, c->user.passphrase_set_ms));
    GH_TRY(GH_ST(tx)->history_trim(tx, c->user.sid, HISTORY_KEEP));
    GH_TRY(GH_ST(tx)->session_delete_user(tx, c->user.sid, c->who->sid, &revoked));
    snprintf(detail, sizeof(detail), "%lld other sessions revoked", (long long)revoked);
    struct gh_audit_entry e = {c->from,     c->who->sid, "user.passphrase.change",
                               c->user.sid, true,        detail};
    return gh__audit_append(ctx, tx, &e);
}

/* True when norm matches one of the stored history hashes (every one is checked). */
static gh_err
in_history(struct gh_pwhasher *h, const struct change_call *c, const char *norm, bool *found)
{
    *found = false;
    for (size_t i = 0; i < c->n_history; i++) {
        gh_err rc = gh_pwhash_verify(h, c->history[i], norm, strlen(norm), NULL);

        if (rc == GH_OK) {
            *found = true;
        } else if (rc != GH_E_DENIED) {
            return rc;
        }
    }
    return GH_OK;
}

static gh_err
change_checked(struct gh_ctx *ctx, struct change_call *c, const char *current, size_t current_len,
               const char *next, size_t next_len, struct gh_passphrase_report *r)
{
    char norm[GH_PASSPHRASE_MAX_BYTES * 2];
    char hash[GH_PWHASH_STR_SIZE] = "";
    struct gh_passphrase_context context = {c->user.email, c->user.name, c->account_name};
    bool reused = false;
    struct gh_pwhasher *h;
    gh_err rc;

    GH_TRY(gh__hasher(ctx, &h));
    rc = gh_passphrase_normalize(current, current_len, norm, sizeof(norm));
    if (rc == GH_OK) {
        rc = gh_pwhash_verify(h, c->stored, norm, strlen(norm), NULL);
    }
    if (rc == GH_E_INVALID) {
        rc = GH_E_DENIED;
    }
    if (rc == GH_OK) {
        rc = gh__passphrase_screen(ctx, next, next_len, &context, r);
    }
    if (rc == GH_OK) {
        rc = gh_passphrase_normalize(next, next_len, norm, sizeof(norm));
    }
    if (rc == GH_OK) {
        rc = in_history(h, c, norm, &reused);
    }
    if (rc == GH_OK && reused) {
        gh_passphrase_refuse(r, GH_PP_REUSED);
    }
    if (rc == GH_OK && !r->accept) {
        rc = GH_E_WEAK_PASSPHRASE;
    }
    if (rc == GH_OK) {
        rc = gh_pwhash_hash(h, norm, strlen(norm), hash);
    }
    if (rc == GH_OK) {
        c->hash = hash;
        rc = gh__transact(ctx, GH_TX_WRITE, store_in_tx, c);
    }
    sodium_memzero(norm, sizeof(norm));
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

gh_err
gh_user_change_passphrase(struct gh_ctx *ctx, const struct gh_origin *from,
                          const struct gh_principal *who, const char *user_sid, const char *current,
                          size_t current_len, const char *next, size_t next_len,
                          struct gh_passphrase_report *report)
{
    struct gh_passphrase_report local = {0};
    struct gh_passphrase_report *r = report != NULL ? report : &local;
    struct change_call *c;
    char sid[GH_SID_SIZE];
    gh_err rc;

    GH_ENSURE(ctx != NULL && who != NULL && user_sid != NULL, GH_E_INVALID);
    memset(r, 0, sizeof(*r));
    GH_TRY(gh_principal_holds(who, GH_PERM_SESSION_SELF));
    GH_ENSURE(who->kind == GH_PRINCIPAL_SESSION, GH_E_FORBIDDEN);
    GH_ENSURE(gh_sid_parse(user_sid, "US", sid) == GH_OK && strcmp(sid, who->user_sid) == 0,
              GH_E_NOT_FOUND);
    GH_ENSURE(current != NULL && next != NULL, GH_E_MISSING);
    c = gh__calloc(1, sizeof(*c));
    GH_ENSURE(c != NULL, GH_E_NOMEM);
    c->from = from;
    c->who = who;
    rc = gh__transact(ctx, GH_TX_READ, load_in_tx, c);
    if (rc == GH_OK) {
        rc = change_checked(ctx, c, current, current_len, next, next_len, r);
    }
    if (rc == GH_E_DENIED) {
        gh__audit_auth_failure(ctx, from, who->sid, "passphrase_change_wrong_current");
    }
    sodium_memzero(c, sizeof(*c));
    gh__free(c);
    return rc;
}

/* ---- POST /v1/Passphrases/Check ---- */

static const struct gh_throttle_rule check_rule = {60 * 1000, CHECK_RULE_LIMIT, 60 * 1000,
                                                   60 * 1000};

struct check_call {
    const struct gh_origin *from;
    int64_t now; /* the transaction's time */
    int64_t locked_until;
};

static gh_err
check_count_in_tx(struct gh_ctx *ctx, struct gh_tx *tx, void *arg)
{
    struct check_call *c = arg;
    char key[GH_STORE_THROTTLE_KEY_MAX];
    int64_t now = c->now = gh_ctx_now_ms(ctx);

    snprintf(key, sizeof(key), "check:%s",
             c->from != NULL && c->from->remote_addr != NULL ? c->from->remote_addr : "-");
    GH_TRY(gh__throttle_locked(tx, key, now, &c->locked_until));
    if (c->locked_until != 0) {
        return GH_OK;
    }
    /* Every check counts, as a "failure" of the rule: 60 a minute, then a minute's wait. */
    return gh__throttle_fail(tx, key, &check_rule, now, &c->locked_until);
}

gh_err
gh_passphrase_check_for(struct gh_ctx *ctx, const struct gh_origin *from, const char *text,
                        size_t len, const struct gh_passphrase_context *context,
                        struct gh_passphrase_report *out, int64_t *retry_after_s)
{
    struct check_call c = {from, 0, 0};

    GH_ENSURE(ctx != NULL && text != NULL && out != NULL && retry_after_s != NULL, GH_E_INVALID);
    memset(out, 0, sizeof(*out));
    *retry_after_s = 0;
    GH_TRY(gh__transact(ctx, GH_TX_WRITE, check_count_in_tx, &c));
    if (c.locked_until != 0 && c.locked_until > c.now) {
        *retry_after_s = (c.locked_until - c.now + 999) / 1000;
        return GH_E_LIMIT;
    }
    return gh__passphrase_screen(ctx, text, len, context, out);
}
