/*
 * cache.c -- a read cache in front of a backend that keeps a store-wide change counter (SQLite:
 * a word mapped by every process on the machine, revision.h; PostgreSQL: the revision of the
 * write_lock row, which every write transaction updates).  It holds account rows, key rows
 * (with their sealed secrets) and auth-token rows, never a decrypted secret, and serves them
 * only while the counter still has the value it had when they were read: any commit by any
 * process or server (a revocation, a promotion, a status change) changes the counter before it
 * is acknowledged, and every transaction reads the counter first, so no cached row outlives the
 * change and no revocation is delayed.  Read transactions begin the backend's transaction only
 * on a miss; write transactions bypass the cache.
 *
 * Why: a warm authenticated GET otherwise spends most of its time beginning and ending read
 * transactions (SQLite's file locks; PostgreSQL's round trips); see bench/api-auth.
 */
#include <pthread.h>

#include "store/store.h"

#define SLOTS    4096 /* power of two */
#define FILL_MAX (SLOTS / 2)

enum entry_kind {
    E_EMPTY = 0,
    E_ACCOUNT,
    E_KEY,
    E_TOKENS,
};

struct entry {
    enum entry_kind kind;
    char sid[GH_SID_SIZE];
    union {
        struct gh_account account;
        struct {
            struct gh_key key; /* permissions owned by the cache */
            struct gh_sealed secret;
        } key;
        struct {
            struct gh_sealed rows[2];
            bool present[2];
        } tokens;
    } u;
};

struct cache_store {
    struct gh_store base;
    struct gh_store *inner;
    pthread_mutex_t lock;
    uint64_t rev; /* the counter value every entry was read at */
    size_t used;
    struct entry *slots; /* SLOTS entries */
};

struct cache_tx {
    struct gh_tx base;
    struct gh_tx *inner; /* begun on the first miss (reads) or at once (writes) */
    uint64_t rev;
    bool cacheable; /* the counter was even (no write landing) when this tx began */
};

static const struct gh_store_ops cache_ops;

static struct cache_store *
cs_of(struct gh_tx *tx)
{
    return (struct cache_store *)tx->store;
}

static struct cache_tx *
ctx_of(struct gh_tx *tx)
{
    return (struct cache_tx *)tx;
}

/* The counter now (tx NULL), or as tx's backend transaction sees it. */
static uint64_t
current_rev(struct cache_store *cs, struct gh_tx *tx)
{
    uint64_t rev = 1; /* odd: unknown, never cached */

    (void)cs->inner->ops->revision(cs->inner, tx, &rev);
    return rev;
}

/* ---- the table (callers hold cs->lock) ---- */

static void
entry_clear(struct entry *e)
{
    if (e->kind == E_KEY) {
        gh_key_clear(&e->u.key.key);
    }
    gh_wipe(e, sizeof(*e));
}

static void
flush(struct cache_store *cs, uint64_t rev)
{
    for (size_t i = 0; cs->used > 0 && i < SLOTS; i++) {
        if (cs->slots[i].kind != E_EMPTY) {
            entry_clear(&cs->slots[i]);
            cs->used--;
        }
    }
    cs->used = 0;
    cs->rev = rev;
}

/* FNV-1a over kind and SID. */
static size_t
slot_of(enum entry_kind kind, const char *sid)
{
    uint32_t h = 2166136261u ^ (uint32_t)kind;

    for (const char *p = sid; *p != '\0'; p++) {
        h = (h ^ (unsigned char)*p) * 16777619u;
    }
    return h & (SLOTS - 1);
}

/* The entry for (kind, sid), or the empty slot where it would go. */
static struct entry *
probe(struct cache_store *cs, enum entry_kind kind, const char *sid)
{
    size_t i = slot_of(kind, sid);

    for (;;) {
        struct entry *e = &cs->slots[i];

        if (e->kind == E_EMPTY || (e->kind == kind && strcmp(e->sid, sid) == 0)) {
            return e;
        }
        i = (i + 1) & (SLOTS - 1);
    }
}

/* Locks the table for tx; false when tx may not use it (then nothing is locked). */
static bool
lock_for(struct cache_tx *t)
{
    struct cache_store *cs = cs_of(&t->base);

    if (!t->cacheable) {
        return false;
    }
    pthread_mutex_lock(&cs->lock);
    if (t->rev > cs->rev) {
        flush(cs, t->rev);
    }
    if (t->rev != cs->rev) {
        pthread_mutex_unlock(&cs->lock); /* an older tx: the table moved on */
        return false;
    }
    return true;
}

/* Finds (kind, sid); copies the entry into out on a hit. */
static bool
lookup(struct cache_tx *t, enum entry_kind kind, const char *sid, struct entry *out)
{
    struct cache_store *cs = cs_of(&t->base);
    struct entry *e;
    bool hit;

    if (!lock_for(t)) {
        return false;
    }
    e = probe(cs, kind, sid);
    hit = e->kind == kind;
    if (hit) {
        *out = *e;
        if (kind == E_KEY && e->u.key.key.permissions != NULL) {
            out->u.key.key.permissions = gh__strdup(e->u.key.key.permissions);
            hit = out->u.key.key.permissions != NULL;
        }
    }
    pthread_mutex_unlock(&cs->lock);
    return hit;
}

/* Stores a row read by t's backend transaction, if no commit landed since t began. */
static void
insert(struct cache_tx *t, const struct entry *in)
{
    struct cache_store *cs = cs_of(&t->base);
    struct entry *e;

    if (current_rev(cs, t->inner) != t->rev || !lock_for(t)) {
        return;
    }
    if (cs->used >= FILL_MAX) {
        flush(cs, cs->rev);
    }
    e = probe(cs, in->kind, in->sid);
    if (e->kind == E_EMPTY) {
        *e = *in;
        if (in->kind == E_KEY && in->u.key.key.permissions != NULL) {
            e->u.key.key.permissions = gh__strdup(in->u.key.key.permissions);
        }
        if (in->kind == E_KEY && in->u.key.key.permissions != NULL &&
            e->u.key.key.permissions == NULL) {
            gh_wipe(e, sizeof(*e)); /* out of memory: simply do not cache */
        } else {
            cs->used++;
        }
    }
    pthread_mutex_unlock(&cs->lock);
}

/* ---- transactions ---- */

static gh_err
inner_tx(struct gh_tx *tx, struct gh_tx **out)
{
    struct cache_tx *t = ctx_of(tx);
    struct gh_store *inner = cs_of(tx)->inner;

    if (t->inner == NULL) {
        GH_TRY(inner->ops->begin(inner, tx->mode, &t->inner));
    }
    *out = t->inner;
    return GH_OK;
}

static gh_err
cache_begin(struct gh_store *st, enum gh_tx_mode mode, struct gh_tx **out)
{
    struct cache_store *cs = (struct cache_store *)st;
    struct cache_tx *t = gh__calloc(1, sizeof(*t));
    struct gh_tx *unused;

    *out = NULL;
    GH_ENSURE(t != NULL, GH_E_NOMEM);
    t->base.store = st;
    t->base.mode = mode;
    t->rev = current_rev(cs, NULL);
    t->cacheable = mode == GH_TX_READ && (t->rev & 1) == 0;
    if (mode == GH_TX_WRITE && inner_tx(&t->base, &unused) != GH_OK) {
        gh__free(t);
        return GH_E_BUSY;
    }
    *out = &t->base;
    return GH_OK;
}

static gh_err
cache_commit(struct gh_tx *tx)
{
    struct cache_tx *t = ctx_of(tx);
    gh_err rc = t->inner != NULL ? GH_ST(t->inner)->commit(t->inner) : GH_OK;

    gh__free(t);
    return rc;
}

static void
cache_rollback(struct gh_tx *tx)
{
    struct cache_tx *t = ctx_of(tx);

    if (t == NULL) {
        return;
    }
    if (t->inner != NULL) {
        GH_ST(t->inner)->rollback(t->inner);
    }
    gh__free(t);
}

/* ---- cached reads ---- */

static gh_err
cache_account_get(struct gh_tx *tx, const char *sid, struct gh_account *out)
{
    struct cache_tx *t = ctx_of(tx);
    struct entry e;
    struct gh_tx *in;

    if (lookup(t, E_ACCOUNT, sid, &e)) {
        *out = e.u.account;
        return GH_OK;
    }
    GH_TRY(inner_tx(tx, &in));
    GH_TRY(GH_ST(in)->account_get(in, sid, out));
    memset(&e, 0, sizeof(e));
    e.kind = E_ACCOUNT;
    memcpy(e.sid, out->sid, sizeof(e.sid));
    e.u.account = *out;
    insert(t, &e);
    return GH_OK;
}

static gh_err
cache_key_get(struct gh_tx *tx, const char *sid, struct gh_key *out, struct gh_sealed *secret)
{
    struct cache_tx *t = ctx_of(tx);
    struct entry e;
    struct gh_tx *in;
    gh_err rc;

    if (lookup(t, E_KEY, sid, &e)) {
        *out = e.u.key.key; /* permissions: a copy the caller owns */
        if (secret != NULL) {
            *secret = e.u.key.secret;
        }
        gh_wipe(&e, sizeof(e));
        return GH_OK;
    }
    GH_TRY(inner_tx(tx, &in));
    memset(&e, 0, sizeof(e));
    rc = GH_ST(in)->key_get(in, sid, out, &e.u.key.secret);
    if (rc == GH_OK) {
        e.kind = E_KEY;
        memcpy(e.sid, out->sid, sizeof(e.sid));
        e.u.key.key = *out; /* insert copies the permissions */
        insert(t, &e);
        if (secret != NULL) {
            *secret = e.u.key.secret;
        }
    }
    gh_wipe(&e, sizeof(e));
    return rc;
}

static gh_err
cache_token_get(struct gh_tx *tx, const char *account_sid, struct gh_sealed out[2], bool present[2])
{
    struct cache_tx *t = ctx_of(tx);
    struct entry e;
    struct gh_tx *in;

    if (lookup(t, E_TOKENS, account_sid, &e)) {
        memcpy(out, e.u.tokens.rows, sizeof(e.u.tokens.rows));
        memcpy(present, e.u.tokens.present, sizeof(e.u.tokens.present));
        gh_wipe(&e, sizeof(e));
        return GH_OK;
    }
    GH_TRY(inner_tx(tx, &in));
    GH_TRY(GH_ST(in)->token_get(in, account_sid, out, present));
    if (!present[0] && !present[1]) {
        return GH_OK; /* unknown accounts are not remembered */
    }
    memset(&e, 0, sizeof(e));
    e.kind = E_TOKENS;
    GH_TRY(gh__strlcpy(e.sid, account_sid, sizeof(e.sid)));
    memcpy(e.u.tokens.rows, out, sizeof(e.u.tokens.rows));
    memcpy(e.u.tokens.present, present, sizeof(e.u.tokens.present));
    insert(t, &e);
    gh_wipe(&e, sizeof(e));
    return GH_OK;
}

/* ---- everything else goes to the backend's transaction ---- */

#define FORWARD(name, params, args)                                                                \
    static gh_err cache_##name params                                                              \
    {                                                                                              \
        struct gh_tx *in;                                                                          \
                                                                                                   \
        GH_TRY(inner_tx(tx, &in));                                                                 \
        return GH_ST(in)->name args;                                                               \
    }

FORWARD(meta_get, (struct gh_tx * tx, const char *name, char *out, size_t cap),
        (in, name, out, cap))
FORWARD(meta_put, (struct gh_tx * tx, const char *name, const char *value), (in, name, value))
FORWARD(account_insert, (struct gh_tx * tx, const struct gh_account *a), (in, a))
FORWARD(account_update, (struct gh_tx * tx, const struct gh_account *a), (in, a))
FORWARD(account_list,
        (struct gh_tx * tx, const struct gh_account_query *q, struct gh_account *out, size_t *n),
        (in, q, out, n))
FORWARD(account_count_children, (struct gh_tx * tx, const char *parent_sid, int64_t *n),
        (in, parent_sid, n))
FORWARD(token_insert, (struct gh_tx * tx, const struct gh_sealed *row), (in, row))
FORWARD(token_delete, (struct gh_tx * tx, const char *account_sid, enum gh_token_slot slot),
        (in, account_sid, slot))
FORWARD(token_promote, (struct gh_tx * tx, const char *account_sid, int64_t now_ms),
        (in, account_sid, now_ms))
FORWARD(key_insert, (struct gh_tx * tx, const struct gh_key *k, const struct gh_sealed *secret),
        (in, k, secret))
FORWARD(key_update, (struct gh_tx * tx, const struct gh_key *k), (in, k))
FORWARD(key_delete, (struct gh_tx * tx, const char *sid), (in, sid))
FORWARD(key_list, (struct gh_tx * tx, const struct gh_key_query *q, struct gh_key *out, size_t *n),
        (in, q, out, n))
FORWARD(sealed_each, (struct gh_tx * tx, enum gh_sealed_kind kind, gh_sealed_fn fn, void *arg),
        (in, kind, fn, arg))
FORWARD(sealed_update, (struct gh_tx * tx, const struct gh_sealed *row), (in, row))
FORWARD(audit_last, (struct gh_tx * tx, int64_t *seq, uint8_t hash[32]), (in, seq, hash))
FORWARD(audit_insert, (struct gh_tx * tx, const struct gh_audit_event *ev), (in, ev))
FORWARD(audit_each, (struct gh_tx * tx, int64_t after_seq, gh_audit_fn fn, void *arg),
        (in, after_seq, fn, arg))
FORWARD(audit_list,
        (struct gh_tx * tx, const struct gh_audit_query *q, struct gh_audit_event *out, size_t *n),
        (in, q, out, n))
/* Users, memberships, sessions and the rest are never cached: each read sees the latest commit. */
FORWARD(user_insert,
        (struct gh_tx * tx, const struct gh_user *u, const char *email_key,
         const char *passphrase_hash),
        (in, u, email_key, passphrase_hash))
FORWARD(user_get, (struct gh_tx * tx, const char *sid, struct gh_user *out, char *hash),
        (in, sid, out, hash))
FORWARD(user_get_by_email,
        (struct gh_tx * tx, const char *email_key, struct gh_user *out, char *hash),
        (in, email_key, out, hash))
FORWARD(user_set_passphrase,
        (struct gh_tx * tx, const struct gh_user *u, const char *passphrase_hash),
        (in, u, passphrase_hash))
FORWARD(history_add,
        (struct gh_tx * tx, const char *user_sid, const char *passphrase_hash, int64_t set_ms),
        (in, user_sid, passphrase_hash, set_ms))
FORWARD(history_list,
        (struct gh_tx * tx, const char *user_sid, char (*out)[GH_STORE_HASH_MAX], size_t cap,
         size_t *n),
        (in, user_sid, out, cap, n))
FORWARD(history_trim, (struct gh_tx * tx, const char *user_sid, size_t keep), (in, user_sid, keep))
FORWARD(membership_put,
        (struct gh_tx * tx, const char *user_sid, const char *account_sid, enum gh_role role,
         int64_t now_ms),
        (in, user_sid, account_sid, role, now_ms))
FORWARD(membership_get,
        (struct gh_tx * tx, const char *user_sid, const char *account_sid, enum gh_role *role),
        (in, user_sid, account_sid, role))
FORWARD(membership_list,
        (struct gh_tx * tx, const struct gh_member_query *q, struct gh_member *out, size_t *n),
        (in, q, out, n))
FORWARD(membership_fetch,
        (struct gh_tx * tx, const char *user_sid, const char *account_sid, struct gh_member *out),
        (in, user_sid, account_sid, out))
FORWARD(membership_delete, (struct gh_tx * tx, const char *user_sid, const char *account_sid),
        (in, user_sid, account_sid))
FORWARD(membership_count, (struct gh_tx * tx, const char *account_sid, int64_t *n),
        (in, account_sid, n))
FORWARD(membership_owner, (struct gh_tx * tx, const char *account_sid, char user_sid[GH_SID_SIZE]),
        (in, account_sid, user_sid))
FORWARD(ownership_offer_put, (struct gh_tx * tx, const struct gh_ownership_offer *o), (in, o))
FORWARD(ownership_offer_get,
        (struct gh_tx * tx, const char *account_sid, struct gh_ownership_offer *out),
        (in, account_sid, out))
FORWARD(ownership_offer_delete, (struct gh_tx * tx, const char *account_sid), (in, account_sid))
FORWARD(session_insert,
        (struct gh_tx * tx, const struct gh_session *s, uint32_t key_id, const uint8_t digest[32]),
        (in, s, key_id, digest))
FORWARD(session_get,
        (struct gh_tx * tx, const char *sid, struct gh_session *out, uint32_t *key_id,
         uint8_t digest[32]),
        (in, sid, out, key_id, digest))
FORWARD(session_touch,
        (struct gh_tx * tx, const char *sid, int64_t last_seen_ms, int64_t idle_expires_ms),
        (in, sid, last_seen_ms, idle_expires_ms))
FORWARD(session_set_status,
        (struct gh_tx * tx, const char *sid, enum gh_session_status status, int64_t expires_ms,
         int64_t idle_expires_ms),
        (in, sid, status, expires_ms, idle_expires_ms))
FORWARD(session_delete, (struct gh_tx * tx, const char *sid), (in, sid))
FORWARD(session_delete_user,
        (struct gh_tx * tx, const char *user_sid, const char *keep_sid, int64_t *n),
        (in, user_sid, keep_sid, n))
FORWARD(session_list,
        (struct gh_tx * tx, const char *user_sid, struct gh_session *out, size_t cap, size_t *n),
        (in, user_sid, out, cap, n))
FORWARD(throttle_get, (struct gh_tx * tx, const char *key, struct gh_throttle *out), (in, key, out))
FORWARD(throttle_put, (struct gh_tx * tx, const char *key, const struct gh_throttle *t),
        (in, key, t))
FORWARD(revoked_put,
        (struct gh_tx * tx, const char *jti, const char *account_sid, int64_t expires_ms),
        (in, jti, account_sid, expires_ms))
FORWARD(revoked_get, (struct gh_tx * tx, const char *jti, bool *revoked), (in, jti, revoked))
FORWARD(revoked_sweep, (struct gh_tx * tx, int64_t now_ms, int64_t *n), (in, now_ms, n))
FORWARD(setting_get, (struct gh_tx * tx, const char *sid, int64_t *value), (in, sid, value))
FORWARD(setting_put, (struct gh_tx * tx, const char *sid, int64_t value), (in, sid, value))
FORWARD(factor_insert,
        (struct gh_tx * tx, const struct gh_factor *f, const struct gh_sealed *secret),
        (in, f, secret))
FORWARD(factor_get,
        (struct gh_tx * tx, const char *sid, struct gh_factor *out, struct gh_sealed *secret),
        (in, sid, out, secret))
FORWARD(factor_list,
        (struct gh_tx * tx, const char *user_sid, struct gh_factor *out, size_t cap, size_t *n),
        (in, user_sid, out, cap, n))
FORWARD(factor_verify, (struct gh_tx * tx, const char *sid, int64_t step, int64_t now_ms),
        (in, sid, step, now_ms))
FORWARD(factor_advance,
        (struct gh_tx * tx, const char *sid, int64_t step, int64_t now_ms, bool *advanced),
        (in, sid, step, now_ms, advanced))
FORWARD(factor_delete, (struct gh_tx * tx, const char *sid), (in, sid))
FORWARD(factor_sweep, (struct gh_tx * tx, const char *user_sid, int64_t now_ms, int64_t *n),
        (in, user_sid, now_ms, n))
FORWARD(recovery_replace,
        (struct gh_tx * tx, const char *user_sid, const uint8_t (*digests)[32], size_t n,
         int64_t now_ms),
        (in, user_sid, digests, n, now_ms))
FORWARD(recovery_use,
        (struct gh_tx * tx, const char *user_sid, const uint8_t digest[32], int64_t now_ms,
         bool *used),
        (in, user_sid, digest, now_ms, used))
FORWARD(recovery_left, (struct gh_tx * tx, const char *user_sid, int64_t *n), (in, user_sid, n))

/* ---- the store ---- */

static bool
cache_revision(struct gh_store *st, struct gh_tx *tx, uint64_t *out)
{
    struct gh_store *inner = ((struct cache_store *)st)->inner;

    return inner->ops->revision(inner, tx != NULL ? ((struct cache_tx *)tx)->inner : NULL, out);
}

static gh_err
cache_migrate(struct gh_store *st)
{
    struct gh_store *inner = ((struct cache_store *)st)->inner;

    return inner->ops->migrate(inner);
}

static void
cache_close(struct gh_store *st)
{
    struct cache_store *cs = (struct cache_store *)st;

    flush(cs, 0);
    gh__free(cs->slots);
    pthread_mutex_destroy(&cs->lock);
    cs->inner->ops->close(cs->inner);
    gh__free(cs);
}

gh_err
gh__cache_wrap(struct gh_store *inner, struct gh_store **out)
{
    struct cache_store *cs = gh__calloc(1, sizeof(*cs));

    *out = NULL;
    if (cs != NULL) {
        cs->slots = gh__calloc(SLOTS, sizeof(*cs->slots));
    }
    if (cs == NULL || cs->slots == NULL) {
        gh__free(cs);
        inner->ops->close(inner);
        return GH_E_NOMEM;
    }
    cs->base.ops = &cache_ops;
    cs->inner = inner;
    pthread_mutex_init(&cs->lock, NULL);
    *out = &cs->base;
    return GH_OK;
}

static const struct gh_store_ops cache_ops = {
    .name = "cache",
    .close = cache_close,
    .revision = cache_revision,
    .migrate = cache_migrate,
    .begin = cache_begin,
    .commit = cache_commit,
    .rollback = cache_rollback,
    .meta_get = cache_meta_get,
    .meta_put = cache_meta_put,
    .account_insert = cache_account_insert,
    .account_get = cache_account_get,
    .account_update = cache_account_update,
    .account_list = cache_account_list,
    .account_count_children = cache_account_count_children,
    .token_insert = cache_token_insert,
    .token_get = cache_token_get,
    .token_delete = cache_token_delete,
    .token_promote = cache_token_promote,
    .key_insert = cache_key_insert,
    .key_get = cache_key_get,
    .key_update = cache_key_update,
    .key_delete = cache_key_delete,
    .key_list = cache_key_list,
    .sealed_each = cache_sealed_each,
    .sealed_update = cache_sealed_update,
    .audit_last = cache_audit_last,
    .audit_insert = cache_audit_insert,
    .audit_each = cache_audit_each,
    .audit_list = cache_audit_list,
    .user_insert = cache_user_insert,
    .user_get = cache_user_get,
    .user_get_by_email = cache_user_get_by_email,
    .user_set_passphrase = cache_user_set_passphrase,
    .history_add = cache_history_add,
    .history_list = cache_history_list,
    .history_trim = cache_history_trim,
    .membership_put = cache_membership_put,
    .membership_get = cache_membership_get,
    .membership_list = cache_membership_list,
    .membership_fetch = cache_membership_fetch,
    .membership_delete = cache_membership_delete,
    .membership_count = cache_membership_count,
    .membership_owner = cache_membership_owner,
    .ownership_offer_put = cache_ownership_offer_put,
    .ownership_offer_get = cache_ownership_offer_get,
    .ownership_offer_delete = cache_ownership_offer_delete,
    .session_insert = cache_session_insert,
    .session_get = cache_session_get,
    .session_touch = cache_session_touch,
    .session_set_status = cache_session_set_status,
    .session_delete = cache_session_delete,
    .session_delete_user = cache_session_delete_user,
    .session_list = cache_session_list,
    .throttle_get = cache_throttle_get,
    .throttle_put = cache_throttle_put,
    .revoked_put = cache_revoked_put,
    .revoked_get = cache_revoked_get,
    .revoked_sweep = cache_revoked_sweep,
    .setting_get = cache_setting_get,
    .setting_put = cache_setting_put,
    .factor_insert = cache_factor_insert,
    .factor_get = cache_factor_get,
    .factor_list = cache_factor_list,
    .factor_verify = cache_factor_verify,
    .factor_advance = cache_factor_advance,
    .factor_delete = cache_factor_delete,
    .factor_sweep = cache_factor_sweep,
    .recovery_replace = cache_recovery_replace,
    .recovery_use = cache_recovery_use,
    .recovery_left = cache_recovery_left,
};
