/*
 * model.h -- the records libgatehouse hands to callers: accounts, API keys, principals.
 *
 * These structs carry no secrets.  Secrets travel only in caller-provided char[GH_SECRET_SIZE]
 * buffers that the caller wipes (sodium_memzero or gh_wipe) when done.
 */
#ifndef GATEHOUSE_MODEL_H
#define GATEHOUSE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gatehouse/api.h>
#include <gatehouse/credential.h>

#define GH_FRIENDLY_NAME_MAX_CHARS 64
/* 64 code points of at most 4 UTF-8 bytes each, and the NUL. */
#define GH_FRIENDLY_NAME_SIZE      257

#define GH_SUBACCOUNT_MAX 1000

enum gh_account_status {
    GH_ACCOUNT_ACTIVE = 0,
    GH_ACCOUNT_SUSPENDED = 1,
    GH_ACCOUNT_CLOSED = 2,
};

struct gh_account {
    char sid[GH_SID_SIZE];
    char parent_sid[GH_SID_SIZE]; /* "" for a main account */
    char friendly_name[GH_FRIENDLY_NAME_SIZE];
    enum gh_account_status status;
    int64_t created_ms;
    int64_t updated_ms;
};

enum gh_key_type {
    GH_KEY_MAIN = 0,
    GH_KEY_STANDARD = 1,
    GH_KEY_RESTRICTED = 2,
    GH_KEY_SIGNING = 3, /* 2010 SigningKeys: a second, legacy family with standard reach */
};

/* Restricted keys: at most this many permissions, each at most GH_PERMISSION_MAX_LEN bytes. */
#define GH_POLICY_MAX_PERMISSIONS 100
#define GH_PERMISSION_MAX_LEN     128

struct gh_key {
    char sid[GH_SID_SIZE];
    char account_sid[GH_SID_SIZE];
    enum gh_key_type type;
    char friendly_name[GH_FRIENDLY_NAME_SIZE];
    char *permissions; /* restricted keys: permissions separated by '\n'; else NULL; owned */
    int64_t created_ms;
    int64_t updated_ms;
};

/** Frees what key owns (its permissions) and zeroes it.  Accepts NULL. */
GH_API void gh_key_clear(struct gh_key *key);

/* ---- second factors ---- */

enum gh_factor_status {
    GH_FACTOR_UNVERIFIED = 0, /* enrolled, waiting for its first code (it lapses) */
    GH_FACTOR_VERIFIED = 1,
};

/* A TOTP factor of a user (its secret is sealed in the store, never in this struct). */
struct gh_factor {
    char sid[GH_SID_SIZE]; /* YF... */
    char user_sid[GH_SID_SIZE];
    enum gh_factor_status status;
    int alg;           /* enum gh_totp_alg */
    unsigned digits;   /* 6..8 */
    unsigned period_s; /* seconds per step */
    int64_t last_step; /* the last step a code was accepted at: none at or before it again */
    int64_t created_ms;
    int64_t updated_ms;
    int64_t expires_ms; /* an unverified factor lapses then; 0 once verified */
};

/* ---- human users ---- */

#define GH_EMAIL_MAX      254 /* bytes (RFC 5321's path limit) */
#define GH_EMAIL_SIZE     (GH_EMAIL_MAX + 1)
#define GH_NAME_MAX_CHARS 128
#define GH_NAME_SIZE      (GH_NAME_MAX_CHARS * 4 + 1)

struct gh_user {
    char sid[GH_SID_SIZE];     /* US... */
    char email[GH_EMAIL_SIZE]; /* as given */
    char name[GH_NAME_SIZE];
    int64_t passphrase_set_ms;
    bool must_change; /* its passphrase was found in a breach at login: it must change it */
    int64_t created_ms;
    int64_t updated_ms;
};

enum gh_role {
    GH_ROLE_OWNER = 0,
    GH_ROLE_ADMINISTRATOR,
    GH_ROLE_DEVELOPER,
    GH_ROLE_BILLING_MANAGER,
    GH_ROLE_SUPPORT,
};

/* A user's membership of an account, with the user's e-mail and name (the Members API). */
struct gh_member {
    char user_sid[GH_SID_SIZE];
    char account_sid[GH_SID_SIZE];
    char email[GH_EMAIL_SIZE];
    char name[GH_NAME_SIZE];
    enum gh_role role;
    int64_t created_ms;
    int64_t updated_ms;
};

/* A main account's pending ownership transfer: the owner offered it; to_user must accept. */
struct gh_ownership_offer {
    char account_sid[GH_SID_SIZE];
    char from_user_sid[GH_SID_SIZE];
    char to_user_sid[GH_SID_SIZE];
    int64_t created_ms;
    int64_t expires_ms;
};

enum gh_session_status {
    GH_SESSION_ACTIVE = 0,
    GH_SESSION_PENDING_MFA = 1, /* the passphrase was right; a second factor is due */
    GH_SESSION_ENROL_ONLY = 2,  /* the account requires MFA and the user has no factor yet */
};

struct gh_session {
    char sid[GH_SID_SIZE]; /* SE... */
    char user_sid[GH_SID_SIZE];
    int64_t created_ms;
    int64_t last_seen_ms;
    int64_t expires_ms;      /* absolute expiry */
    int64_t idle_expires_ms; /* last_seen + idle timeout, whichever comes first ends it */
    enum gh_session_status status;
    bool must_change_passphrase; /* its user's passphrase was found in a breach: it can only
                                    change it (and see or end its sessions) */
};

enum gh_principal_kind {
    GH_PRINCIPAL_NONE = 0,
    GH_PRINCIPAL_AUTH_TOKEN, /* Basic auth with account SID and auth token */
    GH_PRINCIPAL_KEY,        /* Basic auth with key SID and secret */
    GH_PRINCIPAL_OPERATOR,   /* the local command line, holding the data folder */
    GH_PRINCIPAL_SESSION,    /* a human user's session: Authorization: Bearer <token> */
};

/* Who is acting.  Built only by gh_authenticate_basic or gh_principal_operator. */
struct gh_principal {
    enum gh_principal_kind kind;
    char sid[GH_SID_SIZE];         /* the credential: AC... for auth tokens, SK... for keys */
    char account_sid[GH_SID_SIZE]; /* the account the credential belongs to */
    char parent_sid[GH_SID_SIZE];  /* that account's parent; "" for a main account */
    enum gh_key_type key_type;     /* GH_PRINCIPAL_KEY only */
    char user_sid[GH_SID_SIZE];    /* GH_PRINCIPAL_SESSION only (sid is the session's) */
    bool must_change_passphrase;   /* GH_PRINCIPAL_SESSION only: holds session.self alone */
    enum gh_session_status session_status; /* GH_PRINCIPAL_SESSION only */
    uint32_t policy; /* GH_PRINCIPAL_KEY, restricted: the gh_perm_set its Policy grants */
    /* GH_PRINCIPAL_SESSION acting on account_sid (gh_principal_act_on): the user's role there,
     * and whether it comes from the parent (whose owner and administrators act in its
     * subaccounts with the same role). */
    bool has_role;
    enum gh_role role;
    bool via_parent;
    bool account_inactive; /* a suspended or closed subaccount: the role holds only
                              account.read and account.update there */
};

/** The operator principal: full power, used by the command line on its own data folder. */
GH_API void gh_principal_operator(struct gh_principal *out);

/* Where a request came from, for the audit log.  Either field may be NULL. */
struct gh_origin {
    const char *remote_addr;
    const char *user_agent;
};

#endif
