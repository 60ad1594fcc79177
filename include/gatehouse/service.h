/*
 * service.h -- Gatehouse's use cases.
 *
 * Each function takes the context, the acting principal and (for changes) the request's origin;
 * checks that the principal may act; does its work in one store transaction that also appends
 * the audit event; and returns GH_OK or the error the caller should report.  Out-parameters are
 * cleared on entry.  Secrets come back only in caller-provided char[GH_SECRET_SIZE] buffers,
 * which the caller must wipe.
 */
#ifndef GATEHOUSE_SERVICE_H
#define GATEHOUSE_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include <gatehouse/access_token.h>
#include <gatehouse/api.h>
#include <gatehouse/clock.h>
#include <gatehouse/err.h>
#include <gatehouse/model.h>
#include <gatehouse/passphrase.h>
#include <gatehouse/pwhash.h>
#include <gatehouse/totp.h>

struct gh_ctx;
struct gh_user_spec;

#define GH_SESSION_TTL_DEFAULT_S  (12 * 3600) /* absolute lifetime of a login session */
#define GH_SESSION_IDLE_DEFAULT_S (30 * 60)   /* idle timeout */
#define GH_SESSION_TTL_MAX_S      (30 * 86400)

struct gh_ctx_config {
    const char *data_dir;         /* data folder (SQLite database, key file); NULL: "./var" */
    const char *key_file;         /* NULL means <data_dir>/master.key */
    const struct gh_clock *clock; /* NULL means the system clock; borrowed for the ctx's life */
    unsigned store_connections;   /* 0 means the default (8) */
    const char *store_url;  /* "postgresql://..."; NULL means the SQLite database in data_dir */
    const char *master_key; /* keys as text ("1:BASE64,..."), used instead of the key file */
    struct gh_pwhash_params pwhash;         /* zeros: the defaults */
    struct gh_passphrase_policy passphrase; /* zeros: the defaults */
    int64_t session_ttl_s;                  /* absolute session lifetime; 0: 12 hours */
    int64_t session_idle_s;                 /* idle timeout; 0: 30 minutes */
    const char *breach_index; /* the breached-passphrase index; NULL: <data_dir>/breach.idx */
    bool breach_required;     /* without a usable index, setting a passphrase fails (503) */
    const char *mfa_issuer;   /* the issuer authenticator apps show; NULL: "Gatehouse" */
};

/** Opens the store and the keyring of an initialised data folder.  GH_E_NOT_FOUND if none. */
GH_API GH_MUST_CHECK gh_err gh_ctx_open(const struct gh_ctx_config *cfg, struct gh_ctx **out);
GH_API void gh_ctx_close(struct gh_ctx *ctx);
/* Where the breached-passphrase index stands, for the server's start and the checkup. */
struct gh_breach_status {
    char path[4096];
    bool required;
    gh_err state; /* GH_OK: in use; GH_E_NOT_FOUND: no file; GH_E_BREACH_INDEX: unusable */
    struct gh_breach_info info; /* when in use */
};

/**
 * The index as of now (it is reopened whenever its file changes: an import under a running
 * server takes effect at the next lookup).
 */
GH_API void gh_ctx_breach_status(struct gh_ctx *ctx, struct gh_breach_status *out);
/** The SID of the instance's main account (created by gh_instance_init). */
GH_API GH_MUST_CHECK gh_err gh_ctx_main_account(struct gh_ctx *ctx, char sid[GH_SID_SIZE]);
GH_API int64_t gh_ctx_now_ms(const struct gh_ctx *ctx);
/**
 * Prepares the passphrase hasher (its dummy hash: one Argon2id computation), which is otherwise
 * made on the first use that needs it; a server calls it before taking requests.
 */
GH_API GH_MUST_CHECK gh_err gh_ctx_warm(struct gh_ctx *ctx);
/**
 * Readiness: GH_OK when the store answers and the master key this process holds is the one the
 * store names (rereading the key file once if needed); GH_E_UNREACHABLE, GH_E_WRONG_KEY or
 * another store error otherwise.  Writes nothing.
 */
GH_API GH_MUST_CHECK gh_err gh_ctx_check(struct gh_ctx *ctx);

/* ---- instance ---------------------------------------------------------------------------- */

struct gh_init_result {
    int created; /* 0: the folder was already initialised; nothing changed */
    char account_sid[GH_SID_SIZE];
    char auth_token[GH_SECRET_SIZE]; /* only when created; the caller wipes it */
    char owner_sid[GH_SID_SIZE];     /* the owner user, when one was asked for and created */
};

/**
 * Creates the data folder (0700), the master key file (0600), the database with its migrations,
 * and the main account with its primary auth token, and (owner not NULL) its owner: a user with
 * the owner role on the main account (owner->account_sid and role are ignored), all in one
 * transaction.  A passphrase the policy refuses gives GH_E_WEAK_PASSPHRASE (report, which may be
 * NULL, says why) and creates nothing.  Run on an initialised folder it changes nothing and
 * reports created = 0.
 */
GH_API GH_MUST_CHECK gh_err gh_instance_init(const struct gh_ctx_config *cfg,
                                             const char *friendly_name,
                                             const struct gh_user_spec *owner,
                                             struct gh_init_result *out,
                                             struct gh_passphrase_report *report);

/**
 * Rotates the master key: re-encrypts every sealed secret and recomputes every lookup digest
 * under the newest key of the key file in one transaction (adding a new key first unless
 * gh_master_key_add already did), then retires the older keys from the file.
 */
GH_API GH_MUST_CHECK gh_err gh_master_key_rotate(struct gh_ctx *ctx, uint32_t *new_key_id,
                                                 size_t *rows);

/**
 * Adds a new key to the key file (key_file, else <data_dir>/master.key) without using it yet:
 * distribute the file (or its export) to every server, then rotate.  new_key_id receives its id.
 */
GH_API GH_MUST_CHECK gh_err gh_master_key_add(const char *key_file, const char *data_dir,
                                              uint32_t *new_key_id);

/**
 * The keys of the key file (key_file, else <data_dir>/master.key) as the text
 * $GATEHOUSE_MASTER_KEY takes ("1:BASE64,..."), into out; the caller wipes it.
 */
GH_API GH_MUST_CHECK gh_err gh_master_key_export(const char *key_file, const char *data_dir,
                                                 char *out, size_t cap);

/* ---- authentication ---------------------------------------------------------------------- */

/* Longest password gh_authenticate_basic considers; longer ones are refused. */
#define GH_PASSWORD_MAX_LEN 256

/**
 * HTTP Basic: username is an account SID (password: primary or secondary auth token) or a key
 * SID (password: the key's secret).  Refuses with GH_E_DENIED, whatever the cause, and records
 * the cause in the audit log; the work done is the same for unknown and known SIDs.  Runs no slow
 * KDF.  The comparison is constant-time.
 */
GH_API GH_MUST_CHECK gh_err gh_authenticate_basic(struct gh_ctx *ctx, const struct gh_origin *from,
                                                  const char *username, const char *password,
                                                  size_t password_len, struct gh_principal *out);

/** Records a refused authentication that never reached gh_authenticate_basic (bad header). */
GH_API void gh_audit_auth_failure(struct gh_ctx *ctx, const struct gh_origin *from,
                                  const char *reason);

/* ---- paging ------------------------------------------------------------------------------- */

#define GH_PAGE_SIZE_DEFAULT 50
#define GH_PAGE_SIZE_MAX     1000
/* Offsets without a PageToken stop here. */
#define GH_PAGE_OFFSET_MAX   100000
#define GH_PAGE_TOKEN_SIZE   56

struct gh_page {
    unsigned size;     /* 1..GH_PAGE_SIZE_MAX */
    unsigned page;     /* the page number; used as an offset when token is NULL */
    const char *token; /* NULL, or a next_token from an earlier page */
};

/* ---- accounts ----------------------------------------------------------------------------- */

#define GH_STATUS_ANY (-1)

struct gh_account_filter {
    const char *friendly_name; /* exact match; NULL for any */
    int status;                /* enum gh_account_status, or GH_STATUS_ANY */
};

struct gh_account_list {
    struct gh_account *items;            /* owned */
    char (*auth_tokens)[GH_SECRET_SIZE]; /* owned; items[i]'s primary token; wiped on clear */
    size_t n;
    size_t cap;
    char next_token[GH_PAGE_TOKEN_SIZE]; /* "" on the last page */
};

GH_API void gh_account_list_clear(struct gh_account_list *list);

/** Creates a subaccount of who's account (a main account).  friendly_name NULL: the default. */
GH_API GH_MUST_CHECK gh_err gh_account_create(struct gh_ctx *ctx, const struct gh_origin *from,
                                              const struct gh_principal *who,
                                              const char *friendly_name, struct gh_account *out,
                                              char auth_token[GH_SECRET_SIZE]);

/** Fetches an account who reaches; auth_token (may be NULL) receives its primary token. */
GH_API GH_MUST_CHECK gh_err gh_account_fetch(struct gh_ctx *ctx, const struct gh_principal *who,
                                             const char *sid, struct gh_account *out,
                                             char auth_token[GH_SECRET_SIZE]);

/** Lists who's account and, for a main account, its subaccounts, oldest first. */
GH_API GH_MUST_CHECK gh_err gh_account_list(struct gh_ctx *ctx, const struct gh_principal *who,
                                            const struct gh_account_filter *filter,
                                            const struct gh_page *page,
                                            struct gh_account_list *out);

struct gh_account_change {
    const char *friendly_name; /* NULL: unchanged */
    int status;                /* enum gh_account_status, or GH_STATUS_ANY: unchanged */
};

/** Renames an account who reaches; only the parent changes a subaccount's status. */
GH_API GH_MUST_CHECK gh_err gh_account_update(struct gh_ctx *ctx, const struct gh_origin *from,
                                              const struct gh_principal *who, const char *sid,
                                              const struct gh_account_change *change,
                                              struct gh_account *out,
                                              char auth_token[GH_SECRET_SIZE]);

/* ---- API keys ----------------------------------------------------------------------------- */

enum gh_key_family {
    GH_KEY_FAMILY_API = 0, /* main, standard and restricted keys */
    GH_KEY_FAMILY_SIGNING, /* 2010 SigningKeys */
};

enum gh_reach {
    GH_REACH_OWN = 0,    /* only the credential's own account (v1 resources) */
    GH_REACH_PARENT = 1, /* also a subaccount, for its parent's auth token and main keys (2010) */
};

struct gh_key_scope {
    const char *account_sid; /* NULL: the principal's own account */
    enum gh_key_family family;
    enum gh_reach reach;
};

struct gh_key_list {
    struct gh_key *items; /* owned */
    size_t n;
    size_t cap;
    char next_token[GH_PAGE_TOKEN_SIZE];
};

GH_API void gh_key_list_clear(struct gh_key_list *list);

struct gh_key_spec {
    enum gh_key_type type;
    const char *friendly_name; /* NULL: ""; else 1..64 characters */
    const char *permissions;   /* restricted keys only; see gh_key_policy_check */
};

/** Creates a key; the secret is returned here and never again. */
GH_API GH_MUST_CHECK gh_err gh_key_create(struct gh_ctx *ctx, const struct gh_origin *from,
                                          const struct gh_principal *who,
                                          const struct gh_key_scope *scope,
                                          const struct gh_key_spec *spec, struct gh_key *out,
                                          char secret[GH_SECRET_SIZE]);

GH_API GH_MUST_CHECK gh_err gh_key_fetch(struct gh_ctx *ctx, const struct gh_principal *who,
                                         const struct gh_key_scope *scope, const char *sid,
                                         struct gh_key *out);

GH_API GH_MUST_CHECK gh_err gh_key_list(struct gh_ctx *ctx, const struct gh_principal *who,
                                        const struct gh_key_scope *scope,
                                        const struct gh_page *page, struct gh_key_list *out);

struct gh_key_change {
    const char *friendly_name; /* NULL: unchanged */
    const char *permissions;   /* NULL: unchanged; restricted keys only */
};

GH_API GH_MUST_CHECK gh_err gh_key_update(struct gh_ctx *ctx, const struct gh_origin *from,
                                          const struct gh_principal *who,
                                          const struct gh_key_scope *scope, const char *sid,
                                          const struct gh_key_change *change, struct gh_key *out);

GH_API GH_MUST_CHECK gh_err gh_key_delete(struct gh_ctx *ctx, const struct gh_origin *from,
                                          const struct gh_principal *who,
                                          const struct gh_key_scope *scope, const char *sid);

/* ---- auth tokens -------------------------------------------------------------------------- */

struct gh_auth_token_info {
    char account_sid[GH_SID_SIZE];
    int64_t created_ms;
    int64_t updated_ms;
};

/** Creates the secondary auth token of who's account; GH_E_CONFLICT when one exists. */
GH_API GH_MUST_CHECK gh_err gh_auth_token_secondary_create(struct gh_ctx *ctx,
                                                           const struct gh_origin *from,
                                                           const struct gh_principal *who,
                                                           struct gh_auth_token_info *out,
                                                           char token[GH_SECRET_SIZE]);

/** Deletes the secondary auth token; GH_E_NOT_FOUND when there is none. */
GH_API GH_MUST_CHECK gh_err gh_auth_token_secondary_delete(struct gh_ctx *ctx,
                                                           const struct gh_origin *from,
                                                           const struct gh_principal *who);

/**
 * Promotes the secondary auth token to primary and deletes the old primary, at once.
 * GH_E_NOT_FOUND when there is no secondary.  token receives the new primary.
 */
GH_API GH_MUST_CHECK gh_err gh_auth_token_promote(struct gh_ctx *ctx, const struct gh_origin *from,
                                                  const struct gh_principal *who,
                                                  struct gh_auth_token_info *out,
                                                  char token[GH_SECRET_SIZE]);

/* ---- human users ----------------------------------------------------------------------- */

struct gh_user_spec {
    const char *email;
    const char *name;
    const char *passphrase;
    size_t passphrase_len;
    const char *account_sid; /* the membership's account; NULL: the main account */
    enum gh_role role;
};

/**
 * Creates a user with a membership.  The operator, the main account's auth token or main
 * keys, or a session of the main account's owner may do it (until roles land).  A passphrase
 * the policy refuses gives GH_E_WEAK_PASSPHRASE and report (may be NULL) says why.  An e-mail
 * in use (case-insensitively) is GH_E_CONFLICT.
 */
GH_API GH_MUST_CHECK gh_err gh_user_create(struct gh_ctx *ctx, const struct gh_origin *from,
                                           const struct gh_principal *who,
                                           const struct gh_user_spec *spec, struct gh_user *out,
                                           struct gh_passphrase_report *report);

/** A user: a session reads its own user; account credentials read any. */
GH_API GH_MUST_CHECK gh_err gh_user_fetch(struct gh_ctx *ctx, const struct gh_principal *who,
                                          const char *sid, struct gh_user *out);

/**
 * Changes a user's passphrase, from that user's session: the current passphrase must verify;
 * the new one must pass the policy and not be one of the last 5; every other session of the
 * user is revoked.  GH_E_DENIED for a wrong current passphrase.
 */
GH_API GH_MUST_CHECK gh_err gh_user_change_passphrase(
    struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
    const char *user_sid, const char *current, size_t current_len, const char *next,
    size_t next_len, struct gh_passphrase_report *report);

/** The policy check of POST /v1/Passphrases/Check: throttled per address, stores nothing. */
GH_API GH_MUST_CHECK gh_err gh_passphrase_check_for(struct gh_ctx *ctx,
                                                    const struct gh_origin *from, const char *text,
                                                    size_t len,
                                                    const struct gh_passphrase_context *context,
                                                    struct gh_passphrase_report *out,
                                                    int64_t *retry_after_s);

/* ---- sessions ---------------------------------------------------------------------------- */

/* "SE<32 hex>.<64 hex>": the session's SID, then 256 random bits. */
#define GH_SESSION_TOKEN_LEN  (GH_SID_LEN + 1 + 64)
#define GH_SESSION_TOKEN_SIZE (GH_SESSION_TOKEN_LEN + 1)

/**
 * Logs in with an e-mail and a passphrase.  Unknown e-mail, wrong passphrase and a locked user
 * are the same GH_E_DENIED at the same cost (one Argon2id verification); the reason goes to
 * the audit log.  GH_E_LIMIT when the address is throttled or every hashing slot is busy:
 * retry_after_s says when to try again.  Failures count per user and per address in the
 * store (every server sees them); success resets the user's count and rehashes the passphrase
 * when the parameters rose.  token receives the bearer token, shown once.
 */
GH_API GH_MUST_CHECK gh_err gh_session_login(struct gh_ctx *ctx, const struct gh_origin *from,
                                             const char *email, const char *passphrase,
                                             size_t passphrase_len, struct gh_session *out,
                                             char token[GH_SESSION_TOKEN_SIZE],
                                             int64_t *retry_after_s);

/** Authorization: Bearer: a live session's principal, else GH_E_DENIED. */
GH_API GH_MUST_CHECK gh_err gh_authenticate_bearer(struct gh_ctx *ctx, const struct gh_origin *from,
                                                   const char *token, struct gh_principal *out);

#define GH_SESSIONS_MAX 100

/** The caller's user's sessions (at most GH_SESSIONS_MAX), oldest first. */
GH_API GH_MUST_CHECK gh_err gh_session_list(struct gh_ctx *ctx, const struct gh_principal *who,
                                            struct gh_session *out, size_t cap, size_t *n);

/** Ends one of the caller's user's sessions (its own included). */
GH_API GH_MUST_CHECK gh_err gh_session_logout(struct gh_ctx *ctx, const struct gh_origin *from,
                                              const struct gh_principal *who, const char *sid);

/** Ends every session of the caller's user but the caller's; n receives how many. */
GH_API GH_MUST_CHECK gh_err gh_session_revoke_others(struct gh_ctx *ctx,
                                                     const struct gh_origin *from,
                                                     const struct gh_principal *who, int64_t *n);

/* ---- roles and members --------------------------------------------------------------------- */

/**
 * Points a session at the account it acts on: the user's role there (its own membership, or its
 * parent's owner or administrator role, whichever holds more) goes into who with the account.
 * GH_E_NOT_FOUND when the account does not exist or the user has no role there (existence does
 * not leak); GH_E_FORBIDDEN when the role is the account's own and the account is not active.
 * Other principals are left as they are (their reach is checked by each use case).
 */
GH_API GH_MUST_CHECK gh_err gh_principal_act_on(struct gh_ctx *ctx, struct gh_principal *who,
                                                const char *account_sid);

#define GH_MEMBERS_MAX           1000 /* per account */
#define GH_OWNERSHIP_OFFER_TTL_S (7 * 86400)

struct gh_member_list {
    struct gh_member *items; /* owned */
    size_t n;
    size_t cap;
    char next_token[GH_PAGE_TOKEN_SIZE];
};

GH_API void gh_member_list_clear(struct gh_member_list *list);

/** An account's members, oldest first (member.read). */
GH_API GH_MUST_CHECK gh_err gh_member_list(struct gh_ctx *ctx, const struct gh_principal *who,
                                           const char *account_sid, const struct gh_page *page,
                                           struct gh_member_list *out);
/** One member of an account (member.read); GH_E_NOT_FOUND when the user is not one. */
GH_API GH_MUST_CHECK gh_err gh_member_fetch(struct gh_ctx *ctx, const struct gh_principal *who,
                                            const char *account_sid, const char *user_sid,
                                            struct gh_member *out);

/*
 * Membership changes (member.manage).  Nobody grants a role holding a permission they lack, nor
 * changes or removes a member whose role does (GH_E_ESCALATION); the owner role moves only by
 * an accepted transfer (GH_E_OWNER).  Each change is audited with the old and the new role.
 */

/** Adds a user (user_sid, else by email) to an account; GH_E_CONFLICT when already a member. */
GH_API GH_MUST_CHECK gh_err gh_member_add(struct gh_ctx *ctx, const struct gh_origin *from,
                                          const struct gh_principal *who, const char *account_sid,
                                          const char *user_sid, const char *email,
                                          enum gh_role role, struct gh_member *out);
/** Changes a member's role. */
GH_API GH_MUST_CHECK gh_err gh_member_update(struct gh_ctx *ctx, const struct gh_origin *from,
                                             const struct gh_principal *who,
                                             const char *account_sid, const char *user_sid,
                                             enum gh_role role, struct gh_member *out);
/** Removes a member (never the owner). */
GH_API GH_MUST_CHECK gh_err gh_member_remove(struct gh_ctx *ctx, const struct gh_origin *from,
                                             const struct gh_principal *who,
                                             const char *account_sid, const char *user_sid);

struct gh_ownership {
    char account_sid[GH_SID_SIZE];
    char owner_sid[GH_SID_SIZE]; /* "" when the account has none */
    bool pending;                /* an offer waits for its user's acceptance */
    struct gh_ownership_offer offer;
};

/** A main account's owner and pending transfer (member.read). */
GH_API GH_MUST_CHECK gh_err gh_ownership_get(struct gh_ctx *ctx, const struct gh_principal *who,
                                             const char *account_sid, struct gh_ownership *out);
/**
 * Offers a main account's ownership to one of its members (ownership.transfer); it replaces an
 * earlier offer and lapses after GH_OWNERSHIP_OFFER_TTL_S.  Audited.
 */
GH_API GH_MUST_CHECK gh_err gh_ownership_offer(struct gh_ctx *ctx, const struct gh_origin *from,
                                               const struct gh_principal *who,
                                               const char *account_sid, const char *user_sid,
                                               struct gh_ownership *out);
/** Withdraws the pending offer (ownership.transfer); GH_E_NOT_FOUND when there is none. */
GH_API GH_MUST_CHECK gh_err gh_ownership_withdraw(struct gh_ctx *ctx, const struct gh_origin *from,
                                                  const struct gh_principal *who,
                                                  const char *account_sid);
/**
 * The offered user's own session accepts (ownership.accept): it becomes the owner and the
 * previous owner an administrator, in one transaction.  GH_E_NOT_FOUND when no live offer names
 * this user.  Audited.
 */
GH_API GH_MUST_CHECK gh_err gh_ownership_accept(struct gh_ctx *ctx, const struct gh_origin *from,
                                                const struct gh_principal *who,
                                                const char *account_sid, struct gh_ownership *out);

/* ---- access tokens ------------------------------------------------------------------------ */

struct gh_token_request {
    const char *key_sid;     /* the signing key; NULL: the calling key (a key principal) */
    const char *identity;    /* required */
    const char *grants_json; /* a JSON object of grants besides identity; NULL: none */
    int64_t ttl_s;           /* 0: 3600; at most 86400 and the account's cap */
    int64_t nbf;             /* Unix seconds; 0: none */
    const char *alg;         /* "HS256" (default), "HS384", "HS512": the key must allow it */
};

struct gh_token_issued {
    char token[GH_JWT_SIZE];
    char jti[GH_JWT_JTI_SIZE];
    char key_sid[GH_SID_SIZE];
    char account_sid[GH_SID_SIZE];
    int64_t iat;
    int64_t exp;
};

/**
 * Mints an access token signed with an API key's secret (opened from the store).  Auth tokens
 * and main keys may name any key of an account in their reach (KeySid); a standard key signs
 * only with itself; restricted keys never (GH_E_KEY_RESTRICTED).  GH_E_TOKEN_TTL past the cap.
 * Audited.
 */
GH_API GH_MUST_CHECK gh_err gh_access_token_mint(struct gh_ctx *ctx, const struct gh_origin *from,
                                                 const struct gh_principal *who,
                                                 const struct gh_token_request *req,
                                                 struct gh_token_issued *out);

struct gh_token_verdict {
    bool active;
    gh_err why;                   /* GH_OK when active; else the GH_E_TOKEN_* reason */
    struct gh_access_token token; /* its claims (token.claims: the payload's JSON) when parsed */
};

/**
 * Verifies an access token (RFC 8725): shape, issuer (an existing, non-restricted key of the
 * active account in `sub`, within who's reach; the operator reaches all), the key's algorithm,
 * the signature (constant time), the revocation list, then the times.  GH_OK whatever the
 * verdict (out says it); an error only when the check could not run.
 */
GH_API GH_MUST_CHECK gh_err gh_access_token_verify(struct gh_ctx *ctx,
                                                   const struct gh_principal *who,
                                                   const char *token, size_t len,
                                                   struct gh_token_verdict *out);

/**
 * Revokes every token with this jti ("<KeySid>-<iat>") until it would have expired anyway;
 * every server sees it at once.  The key must be in who's reach (GH_E_NOT_FOUND otherwise).
 * Expired revocations are swept.  Audited.
 */
GH_API GH_MUST_CHECK gh_err gh_access_token_revoke(struct gh_ctx *ctx, const struct gh_origin *from,
                                                   const struct gh_principal *who, const char *jti);

/**
 * Token settings (the operator's): the algorithms a key may sign with (an OR of enum
 * gh_jwt_alg; HS256 alone by default), and an account's cap on token lifetimes (seconds,
 * 1..86400; 0 restores the 24-hour cap).
 */
GH_API GH_MUST_CHECK gh_err gh_token_key_algorithms(struct gh_ctx *ctx,
                                                    const struct gh_origin *from,
                                                    const char *key_sid, unsigned algs);
GH_API GH_MUST_CHECK gh_err gh_token_account_max_ttl(struct gh_ctx *ctx,
                                                     const struct gh_origin *from,
                                                     const char *account_sid, int64_t max_ttl_s);

#define GH_CLIENT_TOKEN_TTL_S 3600

/**
 * OAuth 2.0 client credentials (RFC 6749 section 4.4): a key SID and secret in, a bearer token
 * out (an HS256 JWT under a key derived from the master key; 1 hour) that authenticates as the
 * key itself while the key exists.  GH_E_DENIED for bad credentials (audited like Basic auth).
 */
GH_API GH_MUST_CHECK gh_err gh_client_token_issue(struct gh_ctx *ctx, const struct gh_origin *from,
                                                  const char *client_id, const char *secret,
                                                  size_t secret_len, char token[GH_JWT_SIZE],
                                                  int64_t *expires_in);
/** Authorization: Bearer with a client-credentials token: the key's principal, else GH_E_DENIED. */
GH_API GH_MUST_CHECK gh_err gh_authenticate_client_token(struct gh_ctx *ctx,
                                                         const struct gh_origin *from,
                                                         const char *token,
                                                         struct gh_principal *out);

/* ---- second factors ------------------------------------------------------------------------ */

#define GH_RECOVERY_CODES     10 /* per user */
#define GH_RECOVERY_CODE_SIZE 15 /* "XXXX-XXXX-XXXX" (60 bits of base32) and its NUL */
#define GH_FACTORS_MAX        10 /* per user, verified or not */

struct gh_mfa_enrolment {
    struct gh_factor factor;
    char secret[GH_TOTP_SECRET_B32_SIZE]; /* base32: shown once, then only sealed */
    char uri[GH_TOTP_URI_SIZE];           /* otpauth://totp/... (it holds the secret) */
};

/**
 * Enrols a TOTP factor for the caller's own user (a session): unverified until a first code,
 * lapsing after 10 minutes.  params NULL: SHA-1, 6 digits, 30 s.  The caller wipes out.
 */
GH_API GH_MUST_CHECK gh_err gh_mfa_enrol(struct gh_ctx *ctx, const struct gh_origin *from,
                                         const struct gh_principal *who, const char *user_sid,
                                         const struct gh_totp_params *params, const char *issuer,
                                         struct gh_mfa_enrolment *out);
/**
 * Confirms an unverified factor with a code.  The first factor a user confirms brings the
 * recovery codes (*ncodes = GH_RECOVERY_CODES, shown once); an enrol-only session becomes a full
 * one.  GH_E_MFA_CODE for a wrong or used code, GH_E_LIMIT (retry_after_s) when throttled,
 * GH_E_CLOCK when this server's clock is known to be wrong.
 */
GH_API GH_MUST_CHECK gh_err gh_mfa_confirm(struct gh_ctx *ctx, const struct gh_origin *from,
                                           const struct gh_principal *who, const char *user_sid,
                                           const char *factor_sid, const char *code,
                                           struct gh_factor *factor,
                                           char codes[GH_RECOVERY_CODES][GH_RECOVERY_CODE_SIZE],
                                           size_t *ncodes, int64_t *retry_after_s);
/**
 * Completes a pending login (the caller's own session) with a TOTP code or a recovery code
 * (exactly one); *codes_left says how many recovery codes remain after one is used (else -1).
 */
GH_API GH_MUST_CHECK gh_err gh_mfa_complete(struct gh_ctx *ctx, const struct gh_origin *from,
                                            const struct gh_principal *who, const char *session_sid,
                                            const char *code, const char *recovery_code,
                                            int64_t *codes_left, int64_t *retry_after_s);
/** New recovery codes for the caller's own user (the old ones are void); needs a factor. */
GH_API GH_MUST_CHECK gh_err gh_mfa_recovery_regenerate(
    struct gh_ctx *ctx, const struct gh_origin *from, const struct gh_principal *who,
    const char *user_sid, char codes[GH_RECOVERY_CODES][GH_RECOVERY_CODE_SIZE]);
/**
 * Removes a factor: the user's own session must give the passphrase and a current code of that
 * factor (accepted once, throttled); the operator needs neither.  The last verified factor of a
 * member of an account that requires MFA stays (GH_E_CONFLICT); removing the last one voids the
 * recovery codes.  GH_E_DENIED for a wrong passphrase, GH_E_MFA_CODE for a wrong code.
 */
GH_API GH_MUST_CHECK gh_err gh_mfa_factor_remove(struct gh_ctx *ctx, const struct gh_origin *from,
                                                 const struct gh_principal *who,
                                                 const char *user_sid, const char *factor_sid,
                                                 const char *passphrase, size_t passphrase_len,
                                                 const char *code, int64_t *retry_after_s);
/** The user's factors (verified, and unverified ones not yet lapsed), oldest first. */
GH_API GH_MUST_CHECK gh_err gh_mfa_factor_list(struct gh_ctx *ctx, const struct gh_principal *who,
                                               const char *user_sid, struct gh_factor *out,
                                               size_t cap, size_t *n);
/** An account's MfaRequired policy (account.manage; the account must be in reach). */
GH_API GH_MUST_CHECK gh_err gh_mfa_policy_set(struct gh_ctx *ctx, const struct gh_origin *from,
                                              const struct gh_principal *who,
                                              const char *account_sid, bool required);

/* ---- audit -------------------------------------------------------------------------------- */

#define GH_AUDIT_TEXT_SIZE 256

struct gh_audit_event {
    int64_t seq;
    int64_t time_ms;
    char actor[GH_SID_SIZE]; /* "" when unknown */
    char action[64];
    char target[GH_SID_SIZE];      /* "" when none */
    char account_sid[GH_SID_SIZE]; /* the account it concerns; "" when none */
    char remote_addr[64];
    char user_agent[GH_AUDIT_TEXT_SIZE];
    char outcome[16]; /* "success" or "failure" */
    char detail[GH_AUDIT_TEXT_SIZE];
    unsigned char hash[32];
};

typedef int (*gh_audit_fn)(const struct gh_audit_event *ev, void *arg);

/** Calls fn for each event with seq > after_seq, oldest first, until fn returns non-zero. */
GH_API GH_MUST_CHECK gh_err gh_audit_each(struct gh_ctx *ctx, int64_t after_seq, gh_audit_fn fn,
                                          void *arg);

struct gh_audit_page {
    struct gh_audit_event *items; /* owned */
    size_t n;
    size_t cap;
    char next_token[GH_PAGE_TOKEN_SIZE]; /* "" on the last page */
};

GH_API void gh_audit_page_clear(struct gh_audit_page *page);

/**
 * An account's audit events, newest first (audit.read; a parent's credentials and its owner's
 * and administrators' sessions read a subaccount's): the events that name the account (its
 * keys, tokens, members, settings; a subaccount's creation is its own).  A reader without
 * member.read gets the events about members (member.*, user.*, ownership.*) without target and
 * detail, and no event's remote address or user agent.  page->token continues after the previous
 * page's last event (GH_E_PAGE_TOKEN when it is not one); without a token, page->page must be 0.
 */
GH_API GH_MUST_CHECK gh_err gh_audit_list(struct gh_ctx *ctx, const struct gh_principal *who,
                                          const char *account_sid, const struct gh_page *page,
                                          struct gh_audit_page *out);

/** Recomputes the hash chain; bad_seq receives the first broken link (0 when intact). */
GH_API GH_MUST_CHECK gh_err gh_audit_verify(struct gh_ctx *ctx, int64_t *events, int64_t *bad_seq);

#endif
