/*
 * store.h -- the storage interface: transactions and the rows Gatehouse keeps.
 *
 * One struct gh_store_ops per backend (store_sqlite.c; store_pg.c next), chosen by
 * gh__store_open from the target's scheme.  Nothing here names a backend's types or SQL
 * dialect.  Every use case runs in one transaction: begin, calls on the tx, commit (or
 * rollback).  A tx belongs to one thread at a time.
 */
#ifndef GATEHOUSE_STORE_H
#define GATEHOUSE_STORE_H

#include "internal.h"

#define GH_STORE_SEALED_MAX          104
#define GH_STORE_LOOKUP_BYTES        32
#define GH_STORE_META_VALUE_MAX      256
#define GH_STORE_CONNECTIONS_DEFAULT 8
/* Longest store target: a database path or a PostgreSQL URL. */
#define GH_STORE_TARGET_MAX          4096

enum gh_tx_mode {
    GH_TX_READ = 0,
    GH_TX_WRITE = 1,
};

enum gh_token_slot {
    GH_SLOT_PRIMARY = 0,
    GH_SLOT_SECONDARY = 1,
};

enum gh_sealed_kind {
    GH_SEALED_AUTH_TOKEN = 0,
    GH_SEALED_API_KEY = 1,
    GH_SEALED_FACTOR = 2, /* a TOTP factor's secret (owner: the factor's SID) */
};

/* A secret sealed under a master key, with its keyed lookup digest. */
struct gh_sealed {
    enum gh_sealed_kind kind;
    char owner[GH_SID_SIZE]; /* account SID (auth tokens) or key SID (API keys) */
    enum gh_token_slot slot; /* auth tokens only */
    uint32_t key_id;
    uint8_t ct[GH_STORE_SEALED_MAX];
    size_t ct_len;
    uint8_t lookup[GH_STORE_LOOKUP_BYTES];
    int64_t created_ms;
    int64_t updated_ms;
};

/* Keyset paging: rows after (after_ms, after_sid) in (created, sid) order, else from offset. */
struct gh_cursor {
    int64_t after_ms;
    char after_sid[GH_SID_SIZE]; /* "" for no cursor */
    uint64_t offset;
    size_t limit;
};

struct gh_account_query {
    const char *scope_sid;     /* the account itself ... */
    bool with_children;        /* ... and its subaccounts */
    const char *friendly_name; /* NULL: any */
    int status;                /* GH_STATUS_ANY: any */
    struct gh_cursor cursor;
};

struct gh_key_query {
    const char *account_sid;
    bool signing; /* the signing family, else main/standard/restricted */
    struct gh_cursor cursor;
};

struct gh_member_query {
    const char *account_sid;
    struct gh_cursor cursor; /* keyset on (created_ms, user_sid), like the key list */
};

/* An account's audit events (audit_list): newest first, before a seq. */
struct gh_audit_query {
    const char *account_sid;
    int64_t before_seq; /* only events with seq < before_seq; 0: from the newest */
    size_t limit;
};

/* A failure counter (throttles table). */
struct gh_throttle {
    int64_t failures;
    int64_t window_start_ms;
    int64_t locked_until_ms;
};

/* Longest stored passphrase hash (a crypto_pwhash_str string and its NUL). */
#define GH_STORE_HASH_MAX         128
/* Longest throttle key. */
#define GH_STORE_THROTTLE_KEY_MAX 300

struct gh_store;
struct gh_tx;

typedef gh_err (*gh_sealed_fn)(struct gh_tx *tx, struct gh_sealed *row, void *arg);

struct gh_store_ops {
    const char *name;
    void (*close)(struct gh_store *st);
    /*
     * The store-wide change counter, which every committed write changes before it is
     * acknowledged, as seen by tx (NULL: now).  An odd value means a write is landing: do not
     * cache.  False when the backend has no such counter (then nothing may be cached).
     */
    bool (*revision)(struct gh_store *st, struct gh_tx *tx, uint64_t *out);
    GH_MUST_CHECK gh_err (*migrate)(struct gh_store *st);
    GH_MUST_CHECK gh_err (*begin)(struct gh_store *st, enum gh_tx_mode mode, struct gh_tx **out);
    GH_MUST_CHECK gh_err (*commit)(struct gh_tx *tx);
    void (*rollback)(struct gh_tx *tx);

    GH_MUST_CHECK gh_err (*meta_get)(struct gh_tx *tx, const char *name, char *out, size_t cap);
    GH_MUST_CHECK gh_err (*meta_put)(struct gh_tx *tx, const char *name, const char *value);

    GH_MUST_CHECK gh_err (*account_insert)(struct gh_tx *tx, const struct gh_account *a);
    GH_MUST_CHECK gh_err (*account_get)(struct gh_tx *tx, const char *sid, struct gh_account *out);
    GH_MUST_CHECK gh_err (*account_update)(struct gh_tx *tx, const struct gh_account *a);
    GH_MUST_CHECK gh_err (*account_list)(struct gh_tx *tx, const struct gh_account_query *q,
                                         struct gh_account *out, size_t *n);
    GH_MUST_CHECK gh_err (*account_count_children)(struct gh_tx *tx, const char *parent_sid,
                                                   int64_t *n);

    GH_MUST_CHECK gh_err (*token_insert)(struct gh_tx *tx, const struct gh_sealed *row);
    /* Both slots of an account: out[GH_SLOT_PRIMARY], out[GH_SLOT_SECONDARY]; present[i]. */
    GH_MUST_CHECK gh_err (*token_get)(struct gh_tx *tx, const char *account_sid,
                                      struct gh_sealed out[2], bool present[2]);
    GH_MUST_CHECK gh_err (*token_delete)(struct gh_tx *tx, const char *account_sid,
                                         enum gh_token_slot slot);
    /* Moves the secondary into the primary slot (the primary must be deleted first). */
    GH_MUST_CHECK gh_err (*token_promote)(struct gh_tx *tx, const char *account_sid,
                                          int64_t now_ms);

    GH_MUST_CHECK gh_err (*key_insert)(struct gh_tx *tx, const struct gh_key *k,
                                       const struct gh_sealed *secret);
    /* secret may be NULL. */
    GH_MUST_CHECK gh_err (*key_get)(struct gh_tx *tx, const char *sid, struct gh_key *out,
                                    struct gh_sealed *secret);
    GH_MUST_CHECK gh_err (*key_update)(struct gh_tx *tx, const struct gh_key *k);
    GH_MUST_CHECK gh_err (*key_delete)(struct gh_tx *tx, const char *sid);
    /* out[] must be zeroed: entries are cleared before they are filled. */
    GH_MUST_CHECK gh_err (*key_list)(struct gh_tx *tx, const struct gh_key_query *q,
                                     struct gh_key *out, size_t *n);

    /* Every sealed row of a kind, for master-key rotation; fn may call sealed_update. */
    GH_MUST_CHECK gh_err (*sealed_each)(struct gh_tx *tx, enum gh_sealed_kind kind, gh_sealed_fn fn,
                                        void *arg);
    GH_MUST_CHECK gh_err (*sealed_update)(struct gh_tx *tx, const struct gh_sealed *row);

    /* The newest event's seq and hash; seq 0 and a zero hash when the log is empty. */
    GH_MUST_CHECK gh_err (*audit_last)(struct gh_tx *tx, int64_t *seq, uint8_t hash[32]);
    GH_MUST_CHECK gh_err (*audit_insert)(struct gh_tx *tx, const struct gh_audit_event *ev);
    GH_MUST_CHECK gh_err (*audit_each)(struct gh_tx *tx, int64_t after_seq, gh_audit_fn fn,
                                       void *arg);
    /*
     * An account's events (account_sid, 0008_audit_account.sql), newest first (seq descending),
     * at most q->limit; *n counts every row read, even on a failure, as key_list does.
     */
    GH_MUST_CHECK gh_err (*audit_list)(struct gh_tx *tx, const struct gh_audit_query *q,
                                       struct gh_audit_event *out, size_t *n);

    /* ---- human users (0003_users.sql) ---- */

    /*
     * email_key: the e-mail's lookup form (see gh__email_key), unique.  GH_E_CONFLICT when the
     * SID or email_key is taken.  A passphrase hash longer than GH_STORE_HASH_MAX - 1 bytes is
     * GH_E_INVALID here, in user_set_passphrase and in history_add (it could not be read back).
     */
    GH_MUST_CHECK gh_err (*user_insert)(struct gh_tx *tx, const struct gh_user *u,
                                        const char *email_key, const char *passphrase_hash);
    /*
     * By SID, or by exact email_key; GH_E_NOT_FOUND when absent.  hash (may be NULL) receives
     * the passphrase hash (cap GH_STORE_HASH_MAX).
     */
    GH_MUST_CHECK gh_err (*user_get)(struct gh_tx *tx, const char *sid, struct gh_user *out,
                                     char *hash);
    GH_MUST_CHECK gh_err (*user_get_by_email)(struct gh_tx *tx, const char *email_key,
                                              struct gh_user *out, char *hash);
    /* Replaces the passphrase hash, passphrase_set_ms, must_change and updated_ms (by u->sid). */
    GH_MUST_CHECK gh_err (*user_set_passphrase)(struct gh_tx *tx, const struct gh_user *u,
                                                const char *passphrase_hash);
    /*
     * Passphrase history: add one (GH_E_CONFLICT for a set_ms the user already has), read the
     * newest up to cap (hashes, newest first, by set_ms), keep only the newest keep.
     */
    GH_MUST_CHECK gh_err (*history_add)(struct gh_tx *tx, const char *user_sid,
                                        const char *passphrase_hash, int64_t set_ms);
    GH_MUST_CHECK gh_err (*history_list)(struct gh_tx *tx, const char *user_sid,
                                         char (*out)[GH_STORE_HASH_MAX], size_t cap, size_t *n);
    GH_MUST_CHECK gh_err (*history_trim)(struct gh_tx *tx, const char *user_sid, size_t keep);

    /*
     * Memberships: the role of a user on an account (insert or change; a role outside enum
     * gh_role is GH_E_INVALID).  membership_get: GH_E_NOT_FOUND when the user has none there.
     */
    GH_MUST_CHECK gh_err (*membership_put)(struct gh_tx *tx, const char *user_sid,
                                           const char *account_sid, enum gh_role role,
                                           int64_t now_ms);
    GH_MUST_CHECK gh_err (*membership_get)(struct gh_tx *tx, const char *user_sid,
                                           const char *account_sid, enum gh_role *role);
    /*
     * An account's members with their users' e-mail and name, oldest first (created_ms, then
     * user_sid); *n counts every row read, even on a failure.
     */
    GH_MUST_CHECK gh_err (*membership_list)(struct gh_tx *tx, const struct gh_member_query *q,
                                            struct gh_member *out, size_t *n);
    /*
     * One membership with its user's e-mail and name; GH_E_NOT_FOUND when the user has none
     * there.
     */
    GH_MUST_CHECK gh_err (*membership_fetch)(struct gh_tx *tx, const char *user_sid,
                                             const char *account_sid, struct gh_member *out);
    /* Removes one membership; GH_E_NOT_FOUND when there is none. */
    GH_MUST_CHECK gh_err (*membership_delete)(struct gh_tx *tx, const char *user_sid,
                                              const char *account_sid);
    /* How many members an account has. */
    GH_MUST_CHECK gh_err (*membership_count)(struct gh_tx *tx, const char *account_sid, int64_t *n);
    /*
     * The user holding role owner on the account (the oldest one if, against the rules, there
     * were several); GH_E_NOT_FOUND when none.
     */
    GH_MUST_CHECK gh_err (*membership_owner)(struct gh_tx *tx, const char *account_sid,
                                             char user_sid[GH_SID_SIZE]);

    /*
     * Ownership offers (0007_ownership.sql): at most one per account; put inserts or replaces
     * it.  get, delete: GH_E_NOT_FOUND when none.  Deleting the account or either user deletes
     * the offer.
     */
    GH_MUST_CHECK gh_err (*ownership_offer_put)(struct gh_tx *tx,
                                                const struct gh_ownership_offer *o);
    GH_MUST_CHECK gh_err (*ownership_offer_get)(struct gh_tx *tx, const char *account_sid,
                                                struct gh_ownership_offer *out);
    GH_MUST_CHECK gh_err (*ownership_offer_delete)(struct gh_tx *tx, const char *account_sid);

    /*
     * Sessions: the token is kept only as a keyed digest (under key key_id).  GH_E_CONFLICT for
     * a SID that exists; get, touch and delete of an absent session are GH_E_NOT_FOUND.
     */
    GH_MUST_CHECK gh_err (*session_insert)(struct gh_tx *tx, const struct gh_session *s,
                                           uint32_t key_id, const uint8_t digest[32]);
    GH_MUST_CHECK gh_err (*session_get)(struct gh_tx *tx, const char *sid, struct gh_session *out,
                                        uint32_t *key_id, uint8_t digest[32]);
    /* Sets status and both expiries (a pending session that completes its second factor). */
    GH_MUST_CHECK gh_err (*session_set_status)(struct gh_tx *tx, const char *sid,
                                               enum gh_session_status status, int64_t expires_ms,
                                               int64_t idle_expires_ms);
    /* Sets last_seen_ms and idle_expires_ms. */
    GH_MUST_CHECK gh_err (*session_touch)(struct gh_tx *tx, const char *sid, int64_t last_seen_ms,
                                          int64_t idle_expires_ms);
    GH_MUST_CHECK gh_err (*session_delete)(struct gh_tx *tx, const char *sid);
    /* Deletes every session of user_sid except keep_sid (NULL: all); n: how many. */
    GH_MUST_CHECK gh_err (*session_delete_user)(struct gh_tx *tx, const char *user_sid,
                                                const char *keep_sid, int64_t *n);
    /* A user's sessions, oldest first (by created_ms, then SID), at most cap. */
    GH_MUST_CHECK gh_err (*session_list)(struct gh_tx *tx, const char *user_sid,
                                         struct gh_session *out, size_t cap, size_t *n);

    /*
     * Throttles: failure counters keyed by "user:<email_key>" or "addr:<address>".  A key never
     * seen has no failures: throttle_get on it is GH_OK with *out zeroed, never NOT_FOUND.
     * throttle_put inserts or replaces the counter.
     */
    GH_MUST_CHECK gh_err (*throttle_get)(struct gh_tx *tx, const char *key,
                                         struct gh_throttle *out);
    GH_MUST_CHECK gh_err (*throttle_put)(struct gh_tx *tx, const char *key,
                                         const struct gh_throttle *t);

    /*
     * Revoked access tokens by jti, kept until expires_ms (a second revocation keeps the later
     * expiry).  revoked_get: GH_OK with *revoked false for a jti never revoked.  revoked_sweep
     * deletes the rows whose expires_ms is before now_ms; n: how many.
     */
    GH_MUST_CHECK gh_err (*revoked_put)(struct gh_tx *tx, const char *jti, const char *account_sid,
                                        int64_t expires_ms);
    GH_MUST_CHECK gh_err (*revoked_get)(struct gh_tx *tx, const char *jti, bool *revoked);
    GH_MUST_CHECK gh_err (*revoked_sweep)(struct gh_tx *tx, int64_t now_ms, int64_t *n);
    /*
     * Token settings by SID (a key's allowed algorithms, an account's lifetime cap): GH_OK with
     * *value 0 when unset; put inserts or replaces.
     */
    GH_MUST_CHECK gh_err (*setting_get)(struct gh_tx *tx, const char *sid, int64_t *value);
    GH_MUST_CHECK gh_err (*setting_put)(struct gh_tx *tx, const char *sid, int64_t value);

    /*
     * Second factors.  insert: GH_E_CONFLICT for a SID that exists; get (secret may be NULL),
     * delete: GH_E_NOT_FOUND when absent.  list: a user's factors, oldest first, at most cap.
     * verify: an unverified factor becomes verified at step (expires_ms 0); GH_E_NOT_FOUND when
     * there is no unverified factor of that SID.  advance: sets last_step to step only if it is
     * later than the stored one, atomically (*advanced says whether): the replay guard every
     * server shares.  sweep: deletes a user's unverified factors that lapsed by now_ms.
     */
    GH_MUST_CHECK gh_err (*factor_insert)(struct gh_tx *tx, const struct gh_factor *f,
                                          const struct gh_sealed *secret);
    GH_MUST_CHECK gh_err (*factor_get)(struct gh_tx *tx, const char *sid, struct gh_factor *out,
                                       struct gh_sealed *secret);
    GH_MUST_CHECK gh_err (*factor_list)(struct gh_tx *tx, const char *user_sid,
                                        struct gh_factor *out, size_t cap, size_t *n);
    GH_MUST_CHECK gh_err (*factor_verify)(struct gh_tx *tx, const char *sid, int64_t step,
                                          int64_t now_ms);
    GH_MUST_CHECK gh_err (*factor_advance)(struct gh_tx *tx, const char *sid, int64_t step,
                                           int64_t now_ms, bool *advanced);
    GH_MUST_CHECK gh_err (*factor_delete)(struct gh_tx *tx, const char *sid);
    GH_MUST_CHECK gh_err (*factor_sweep)(struct gh_tx *tx, const char *user_sid, int64_t now_ms,
                                         int64_t *n);
    /*
     * Recovery codes, as keyed digests (32 bytes).  replace: the user's set becomes these n
     * (the old ones are gone).  use: marks an unused code used at now_ms; *used false when the
     * user has no such unused code.  left: how many unused codes the user has.
     */
    GH_MUST_CHECK gh_err (*recovery_replace)(struct gh_tx *tx, const char *user_sid,
                                             const uint8_t (*digests)[32], size_t n,
                                             int64_t now_ms);
    GH_MUST_CHECK gh_err (*recovery_use)(struct gh_tx *tx, const char *user_sid,
                                         const uint8_t digest[32], int64_t now_ms, bool *used);
    GH_MUST_CHECK gh_err (*recovery_left)(struct gh_tx *tx, const char *user_sid, int64_t *n);
};

/* Backends embed these as their first member. */
struct gh_store {
    const struct gh_store_ops *ops;
};

struct gh_tx {
    struct gh_store *store;
    enum gh_tx_mode mode;
};

/* A schema migration: version, name, and portable SQL (see schema/README.md). */
struct gh_migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct gh_migration gh__migrations[];
extern const size_t gh__migrations_count;

/* Opens target: a "postgresql://" URL, or the path of a SQLite database file. */
GH_MUST_CHECK gh_err gh__store_open(const char *target, unsigned connections,
                                    struct gh_store **out);
void gh__store_close(struct gh_store *st);

/* The backend's operations of a transaction. */
#define GH_ST(tx) ((tx)->store->ops)

GH_MUST_CHECK gh_err gh__pg_open(const char *url, unsigned connections, struct gh_store **out);
GH_MUST_CHECK gh_err gh__sqlite_open(const char *path, unsigned connections, struct gh_store **out);
/*
 * Wraps a backend that keeps a change counter with a read cache of accounts, keys and
 * auth-token rows (cache.c).  Takes ownership of inner, even on failure.
 */
GH_MUST_CHECK gh_err gh__cache_wrap(struct gh_store *inner, struct gh_store **out);

#endif
