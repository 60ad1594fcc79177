/*
 * service.h (internal) -- the context shared by the use cases, and their common steps:
 * sealing and opening secrets under the master key, reach checks, paging, audit.
 */
#ifndef GATEHOUSE_SERVICE_INTERNAL_H
#define GATEHOUSE_SERVICE_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "crypto/keyring.h"
#include "store/store.h"

#define GH_DB_FILE           "gatehouse.db"
#define GH_KEY_FILE          "master.key"
#define GH_META_KEY_CHECK    "master_key_check"
#define GH_META_INSTANCE     "instance_created_ms"
#define GH_META_MAIN_ACCOUNT "main_account_sid"

_Static_assert(GH_STORE_SEALED_MAX >= GH_SEALED_MAX, "sealed rows must fit the store's column");
_Static_assert(GH_STORE_LOOKUP_BYTES == GH_LOOKUP_BYTES, "lookup digest size");

/* The breached-passphrase index as the use cases see it (breach.c). */
struct gh__breach_source {
    char path[PATH_MAX];
    bool required;
    pthread_mutex_t lock; /* guards the rest */
    struct gh_breach_index *idx;
    gh_err state; /* of the last look at the file */
    dev_t dev;    /* the file idx was opened from */
    ino_t ino;
    struct timespec mtime;
    off_t size;
};

struct gh_ctx {
    struct gh_store *store;
    const struct gh_clock *clock;
    char key_file[PATH_MAX];
    char *key_text;           /* the master keys as text (from the environment), or NULL; wiped */
    pthread_rwlock_t kr_lock; /* guards kr and seal_id */
    struct gh_keyring *kr;
    uint32_t seal_id; /* the key the store's check value names: new secrets are sealed under it */
    pthread_mutex_t hasher_lock;        /* guards hasher's creation */
    struct gh_pwhasher *hasher;         /* Argon2id, bounded; made on first use (gh__hasher) */
    struct gh_pwhash_params pwhash;     /* its parameters */
    struct gh_passphrase_policy policy; /* passphrase policy */
    char *blocklist_path;               /* policy.blocklist_path's own copy */
    int64_t session_ttl_ms;
    int64_t session_idle_ms;
    struct gh__breach_source breach;
    char mfa_issuer[GH_TOTP_ISSUER_MAX + 1];
};

/* ---- users.c ---- */

/* The e-mail's lookup form: NFKC, ASCII letters lowercased; GH_E_EMAIL when not an address. */
GH_MUST_CHECK gh_err gh__email_key(const char *email, char out[GH_EMAIL_SIZE * 2]);
/* Inserts a user (passphrase already checked and hashed) with a membership; audits it. */
GH_MUST_CHECK gh_err gh__user_insert(struct gh_ctx *ctx, struct gh_tx *tx,
                                     const struct gh_origin *from, const char *actor,
                                     const struct gh_user *u, const char *email_key,
                                     const char *hash, const char *account_sid, enum gh_role role);
/*
 * Checks a new user's e-mail, name and passphrase (policy, with the e-mail, the name and the
 * account's friendly name as context; report says why not), hashes the passphrase and fills
 * out; outside any transaction.
 */
GH_MUST_CHECK gh_err gh__user_prepare(struct gh_ctx *ctx, const struct gh_user_spec *spec,
                                      const char *account_name, struct gh_passphrase_report *report,
                                      char email_key[GH_EMAIL_SIZE * 2],
                                      char hash[GH_PWHASH_STR_SIZE], struct gh_user *out);
/*
 * The policy's report on a passphrase, breach index included (GH_E_BREACH_INDEX when the index
 * is required and unusable); GH_OK whatever the verdict.
 */
GH_MUST_CHECK gh_err gh__passphrase_screen(struct gh_ctx *ctx, const char *pass, size_t len,
                                           const struct gh_passphrase_context *context,
                                           struct gh_passphrase_report *report);
/* Checks a passphrase for a user-to-be (or a user): GH_E_WEAK_PASSPHRASE when refused. */
GH_MUST_CHECK gh_err gh__passphrase_acceptable(struct gh_ctx *ctx, const char *pass, size_t len,
                                               const struct gh_passphrase_context *context,
                                               struct gh_passphrase_report *report);

/* ---- members.c ---- */

/* Whether who may grant, change or take away role: it holds every permission the role holds
 * (GH_E_ESCALATION otherwise). */
GH_MUST_CHECK gh_err gh__may_grant(const struct gh_principal *who, enum gh_role role);

/* ---- breach.c: the breached-passphrase index of a context ---- */

/* Sets up ctx->breach from cfg (the index is opened at the first lookup). */
GH_MUST_CHECK gh_err gh__breach_configure(struct gh_ctx *ctx, const struct gh_ctx_config *cfg);
void gh__breach_unconfigure(struct gh_ctx *ctx);
/*
 * Screens a passphrase for a policy report: adds the breached reason when the index holds it.
 * Without a usable index: GH_E_BREACH_INDEX when it is required, else the report says it was
 * not checked.
 */
GH_MUST_CHECK gh_err gh__breach_screen(struct gh_ctx *ctx, const char *text, size_t len,
                                       struct gh_passphrase_report *report);
/* Whether the current index holds the passphrase (false without a usable index). */
bool gh__breach_holds(struct gh_ctx *ctx, const char *text, size_t len);

/* ---- throttle.c: failure counters kept in the store (every server sees them) ---- */

struct gh_throttle_rule {
    int64_t window_ms; /* failures older than this are forgotten */
    int64_t limit;     /* failures in the window before a lock */
    int64_t lock_ms;   /* the first lock; doubles with each further failure */
    int64_t lock_max_ms;
};

/* The lock in force on key (0: none), as of now. */
GH_MUST_CHECK gh_err gh__throttle_locked(struct gh_tx *tx, const char *key, int64_t now_ms,
                                         int64_t *locked_until_ms);
/* Counts a failure; locked_until_ms receives the lock it caused (0: none). */
GH_MUST_CHECK gh_err gh__throttle_fail(struct gh_tx *tx, const char *key,
                                       const struct gh_throttle_rule *rule, int64_t now_ms,
                                       int64_t *locked_until_ms);
GH_MUST_CHECK gh_err gh__throttle_reset(struct gh_tx *tx, const char *key);

/* ---- ctx.c ---- */

/*
 * Fills ctx's clock and master-key source from cfg, and target with where the store is (a
 * PostgreSQL URL, or the SQLite database in the data folder); *is_file says which.
 */
GH_MUST_CHECK gh_err gh__ctx_locate(const struct gh_ctx_config *cfg, struct gh_ctx *ctx,
                                    char *target, size_t cap, bool *is_file);
/*
 * The passphrase hasher, made on first use so that commands which never hash a passphrase do
 * not pay for its dummy hash; thread-safe.
 */
GH_MUST_CHECK gh_err gh__hasher(struct gh_ctx *ctx, struct gh_pwhasher **out);
/* Fills ctx's passphrase policy, hasher parameters and session lifetimes from cfg. */
GH_MUST_CHECK gh_err gh__ctx_configure(struct gh_ctx *ctx, const struct gh_ctx_config *cfg);
/* Frees what gh__ctx_configure and gh__hasher made (the locks are the caller's). */
void gh__ctx_unconfigure(struct gh_ctx *ctx);
/* Loads the master keys from ctx's source (text or file). */
GH_MUST_CHECK gh_err gh__ctx_load_keys(const struct gh_ctx *ctx, struct gh_keyring **out);

/* Paths inside a data folder. */
GH_MUST_CHECK gh_err gh__data_path(const char *data_dir, const char *file, char *out, size_t cap);
/*
 * Opens a sealed secret into out (NUL-terminated; cap >= GH_SECRET_SIZE).  A row sealed under a
 * key the ring lacks makes it reread the key file, within tx (never a second transaction).
 */
GH_MUST_CHECK gh_err gh__secret_open(struct gh_ctx *ctx, struct gh_tx *tx,
                                     const struct gh_sealed *row, char *out, size_t cap);
/* Seals secret for owner under the store's current key (read within tx), with its digest. */
GH_MUST_CHECK gh_err gh__secret_seal(struct gh_ctx *ctx, struct gh_tx *tx, const char *owner,
                                     const char *secret, struct gh_sealed *row);
/* The keyed digest of (sid, secret) under key_id; reloads the key file for an unknown id. */
GH_MUST_CHECK gh_err gh__secret_digest(struct gh_ctx *ctx, struct gh_tx *tx, uint32_t key_id,
                                       const char *sid, const char *secret, size_t len,
                                       uint8_t out[GH_LOOKUP_BYTES]);
/* The id of the newest key loaded (for the equal-cost digest of unknown SIDs). */
uint32_t gh__seal_key_id(struct gh_ctx *ctx);
/* Rereads the key file; verifies the store's check value names a key in it. */
GH_MUST_CHECK gh_err gh__keyring_reload(struct gh_ctx *ctx, struct gh_tx *tx);
/* gh__keyring_reload as a gh__transact step (arg unused). */
GH_MUST_CHECK gh_err gh__keyring_reload_step(struct gh_ctx *ctx, struct gh_tx *tx, void *arg);

/* ---- mfa.c ---- */

/* Whether the main account requires a second factor of its members (MfaRequired). */
GH_MUST_CHECK gh_err gh__mfa_required(struct gh_tx *tx, bool *required);
/* How many verified factors a user has. */
GH_MUST_CHECK gh_err gh__mfa_verified(struct gh_tx *tx, const char *user_sid, size_t *verified);

/* ---- auth.c ---- */

/*
 * Loads account sid when it and its parent (if any) are active; GH_E_DENIED otherwise, with why
 * ("unknown_account", "account_not_active", "parent_not_active").
 */
GH_MUST_CHECK gh_err gh__account_usable(struct gh_tx *tx, const char *sid, struct gh_account *acct,
                                        const char **why);

/* The principal of a key of acct (a restricted key's Policy as its permission set). */
GH_MUST_CHECK gh_err gh__key_principal(const struct gh_key *key, const struct gh_account *acct,
                                       struct gh_principal *out);

/* ---- accounts.c ---- */

/* Inserts a main account (parent NULL) or a subaccount, with a new primary auth token. */
GH_MUST_CHECK gh_err gh__account_insert(struct gh_ctx *ctx, struct gh_tx *tx, const char *parent,
                                        const char *friendly_name, struct gh_account *out,
                                        char token[GH_SECRET_SIZE]);

/* ---- audit.c ---- */

struct gh_audit_entry {
    const struct gh_origin *from;
    const char *actor;
    const char *action;
    const char *target;
    bool ok;
    const char *detail;
};

GH_MUST_CHECK gh_err gh__audit_append(struct gh_ctx *ctx, struct gh_tx *tx,
                                      const struct gh_audit_entry *e);
/* The same, for an event that concerns account (its members read it: GET .../Events). */
GH_MUST_CHECK gh_err gh__audit_account(struct gh_ctx *ctx, struct gh_tx *tx,
                                       const struct gh_audit_entry *e, const char *account);
/* Records a refused authentication in its own transaction (best effort: the refusal stands). */
void gh__audit_auth_failure(struct gh_ctx *ctx, const struct gh_origin *from, const char *sid,
                            const char *reason);
/* The actor name of a principal: its credential SID, or "operator". */
const char *gh__actor_of(const struct gh_principal *who);

/* ---- reach.c ---- */

/*
 * Loads account sid when who may act on it: its own account, or (reach == GH_REACH_PARENT,
 * auth token or main key) a subaccount of its account.  GH_E_NOT_FOUND otherwise, so the
 * existence of other accounts does not leak.
 */
GH_MUST_CHECK gh_err gh__reach_account(struct gh_tx *tx, const struct gh_principal *who,
                                       const char *sid, enum gh_reach reach,
                                       struct gh_account *out);
/* Checks a FriendlyName: 1..64 code points of printable UTF-8. */
GH_MUST_CHECK gh_err gh__friendly_name_check(const char *name);
/* Finishes a use case: commit on success, else roll back; returns rc or the commit's error. */
GH_MUST_CHECK gh_err gh__finish(struct gh_tx *tx, gh_err rc);

/* One step of a use case, run inside its transaction; must be safe to run again. */
typedef gh_err (*gh_tx_fn)(struct gh_ctx *ctx, struct gh_tx *tx, void *arg);

#define GH_TX_ATTEMPTS 5

/*
 * Runs fn in one transaction and commits it.  When the store reports a serialization failure or
 * a deadlock (GH_E_RETRY), the transaction is rolled back and fn runs again, at most
 * GH_TX_ATTEMPTS times in all; then GH_E_BUSY.
 */
GH_MUST_CHECK gh_err gh__transact(struct gh_ctx *ctx, enum gh_tx_mode mode, gh_tx_fn fn, void *arg);

/* ---- paging.c ---- */

/* Turns a page request into a cursor (limit = size + 1, to see whether more follow). */
GH_MUST_CHECK gh_err gh__page_cursor(const struct gh_page *page, const char *prefix,
                                     struct gh_cursor *out);
/* The next_token of a page whose last row is (created_ms, sid). */
void gh__page_token(int64_t created_ms, const char *sid, char out[GH_PAGE_TOKEN_SIZE]);

#endif
