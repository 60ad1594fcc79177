/*
 * policy.h -- permissions, roles, and which principals hold what (deny by default).
 *
 * Every route of the server names one permission.  Account permissions are held on one account:
 * by its auth tokens and main keys (all of them), its standard and signing keys (the access-token
 * ones), its restricted keys (what their Policy lists, by the permission's policy name, never
 * access_token.mint), and its members' sessions (what their role there holds: Twilio's owner,
 * administrator, developer, billing manager and support; SPEC 7.1).  Self permissions are a
 * user's own (its sessions, passphrase, factors): only that user's session holds them.
 */
#ifndef GATEHOUSE_POLICY_H
#define GATEHOUSE_POLICY_H

#include <stdint.h>

#include <gatehouse/api.h>
#include <gatehouse/err.h>
#include <gatehouse/model.h>

enum gh_perm_scope {
    GH_SCOPE_ACCOUNT = 0, /* held on one account, through a credential or a role */
    GH_SCOPE_SELF = 1,    /* a user's own: only its session holds it */
};

/* X(name, text, scope, what it allows) */
#define GH_PERM_TABLE(X)                                                                           \
    X(GH_PERM_ACCOUNT_READ, "account.read", GH_SCOPE_ACCOUNT,                                      \
      "See the account and its subaccounts (no auth token)")                                       \
    X(GH_PERM_ACCOUNT_UPDATE, "account.update", GH_SCOPE_ACCOUNT,                                  \
      "Rename the account; suspend, reactivate or close a subaccount (from its parent)")           \
    X(GH_PERM_SUBACCOUNT_CREATE, "subaccount.create", GH_SCOPE_ACCOUNT,                            \
      "Create subaccounts of a main account")                                                      \
    X(GH_PERM_MEMBER_READ, "member.read", GH_SCOPE_ACCOUNT,                                        \
      "List the account's members, their roles and a pending ownership transfer")                  \
    X(GH_PERM_MEMBER_MANAGE, "member.manage", GH_SCOPE_ACCOUNT,                                    \
      "Create users; add, change and remove members (only with roles the actor holds)")            \
    X(GH_PERM_OWNERSHIP_TRANSFER, "ownership.transfer", GH_SCOPE_ACCOUNT,                          \
      "Offer the main account's ownership to a member, or withdraw the offer")                     \
    X(GH_PERM_KEY_READ, "key.read", GH_SCOPE_ACCOUNT, "List and fetch API and signing keys")       \
    X(GH_PERM_KEY_CREATE, "key.create", GH_SCOPE_ACCOUNT,                                          \
      "Create API and signing keys (holding no permission the creator lacks)")                     \
    X(GH_PERM_KEY_UPDATE, "key.update", GH_SCOPE_ACCOUNT,                                          \
      "Rename keys; change a restricted key's Policy (within the actor's permissions)")            \
    X(GH_PERM_KEY_DELETE, "key.delete", GH_SCOPE_ACCOUNT, "Delete API and signing keys")           \
    X(GH_PERM_AUTH_TOKEN_ROTATE, "auth_token.rotate", GH_SCOPE_ACCOUNT,                            \
      "See, create, promote and delete auth tokens (the account's whole power)")                   \
    X(GH_PERM_TOKEN_MINT, "access_token.mint", GH_SCOPE_ACCOUNT, "Mint access tokens")             \
    X(GH_PERM_TOKEN_VERIFY, "access_token.verify", GH_SCOPE_ACCOUNT,                               \
      "Verify (introspect) access tokens")                                                         \
    X(GH_PERM_TOKEN_REVOKE, "access_token.revoke", GH_SCOPE_ACCOUNT, "Revoke access tokens")       \
    X(GH_PERM_MFA_POLICY_MANAGE, "mfa_policy.manage", GH_SCOPE_ACCOUNT,                            \
      "Require a second factor of the account's members")                                          \
    X(GH_PERM_AUDIT_READ, "audit.read", GH_SCOPE_ACCOUNT, "Read the account's audit trail")        \
    X(GH_PERM_USER_SELF, "user.self", GH_SCOPE_SELF, "See one's own user")                         \
    X(GH_PERM_SESSION_SELF, "session.self", GH_SCOPE_SELF,                                         \
      "Change one's passphrase; list and end one's sessions")                                      \
    X(GH_PERM_MFA_SELF, "mfa.self", GH_SCOPE_SELF,                                                 \
      "Enrol, confirm, list and remove one's factors; new recovery codes")                         \
    X(GH_PERM_SESSION_MFA, "session.mfa", GH_SCOPE_SELF,                                           \
      "Complete a login's second step (a pending session holds only this)")                        \
    X(GH_PERM_OWNERSHIP_ACCEPT, "ownership.accept", GH_SCOPE_SELF,                                 \
      "Accept an ownership transfer offered to oneself")

#define GH_PERM_ENUM_(name, text, scope, doc) name,
enum gh_perm { GH_PERM_INVALID_ = 0, GH_PERM_TABLE(GH_PERM_ENUM_) GH_PERM_COUNT_ };
#undef GH_PERM_ENUM_

_Static_assert(GH_PERM_COUNT_ <= 32, "a permission set is a 32-bit mask");

/* A set of permissions: bit p for enum gh_perm p. */
typedef uint32_t gh_perm_set;
#define GH_PERM_BIT(p) ((gh_perm_set)1u << (unsigned)(p))

/* Twilio's roles (SPEC 7.1) as permission sets; the owner holds every account permission. */
#define GH_ROLE_DEVELOPER_PERMS_                                                                   \
    (GH_PERM_BIT(GH_PERM_ACCOUNT_READ) | GH_PERM_BIT(GH_PERM_KEY_READ) |                           \
     GH_PERM_BIT(GH_PERM_KEY_CREATE) | GH_PERM_BIT(GH_PERM_KEY_UPDATE) |                           \
     GH_PERM_BIT(GH_PERM_KEY_DELETE) | GH_PERM_BIT(GH_PERM_TOKEN_MINT) |                           \
     GH_PERM_BIT(GH_PERM_TOKEN_VERIFY) | GH_PERM_BIT(GH_PERM_TOKEN_REVOKE) |                       \
     GH_PERM_BIT(GH_PERM_AUDIT_READ))
#define GH_ROLE_ADMINISTRATOR_PERMS_                                                               \
    (GH_ROLE_DEVELOPER_PERMS_ | GH_PERM_BIT(GH_PERM_ACCOUNT_UPDATE) |                              \
     GH_PERM_BIT(GH_PERM_SUBACCOUNT_CREATE) | GH_PERM_BIT(GH_PERM_MEMBER_READ) |                   \
     GH_PERM_BIT(GH_PERM_MEMBER_MANAGE) | GH_PERM_BIT(GH_PERM_MFA_POLICY_MANAGE))
#define GH_ROLE_BILLING_MANAGER_PERMS_                                                             \
    (GH_PERM_BIT(GH_PERM_ACCOUNT_READ) | GH_PERM_BIT(GH_PERM_AUDIT_READ))
#define GH_ROLE_SUPPORT_PERMS_ (GH_PERM_BIT(GH_PERM_ACCOUNT_READ) | GH_PERM_BIT(GH_PERM_AUDIT_READ))
#define GH_ROLE_COUNT          5

/* Every account permission (what an auth token or a main key holds). */
#define GH_PERMS_ACCOUNT_ALL      gh_perms_of_scope(GH_SCOPE_ACCOUNT)
/*
 * What an account's own credentials (auth tokens, main keys) hold: every account permission but
 * ownership.transfer, which only the owner's own session holds (a credential outlives an owner:
 * a former owner who saw the auth token must not take the ownership back with it).
 */
#define GH_PERMS_CREDENTIAL       (GH_PERMS_ACCOUNT_ALL & ~GH_PERM_BIT(GH_PERM_OWNERSHIP_TRANSFER))
/* What a restricted key's Policy can grant: a credential's permissions but access_token.mint. */
#define GH_PERMS_POLICY_GRANTABLE (GH_PERMS_CREDENTIAL & ~GH_PERM_BIT(GH_PERM_TOKEN_MINT))
/* What a role holds on a suspended or closed subaccount it reaches through the parent. */
#define GH_PERMS_INACTIVE_ACCOUNT                                                                  \
    (GH_PERM_BIT(GH_PERM_ACCOUNT_READ) | GH_PERM_BIT(GH_PERM_ACCOUNT_UPDATE))
/* What standard and signing keys hold: the access-token permissions. */
#define GH_PERMS_STANDARD_KEY                                                                      \
    (GH_PERM_BIT(GH_PERM_TOKEN_MINT) | GH_PERM_BIT(GH_PERM_TOKEN_VERIFY) |                         \
     GH_PERM_BIT(GH_PERM_TOKEN_REVOKE))

/** The permission's name ("key.read"); NULL for values outside the table. */
GH_API const char *gh_perm_name(enum gh_perm perm);
/** What the permission allows, in a sentence; NULL outside the table. */
GH_API const char *gh_perm_doc(enum gh_perm perm);
/** The permission's scope (GH_SCOPE_ACCOUNT for values outside the table). */
GH_API enum gh_perm_scope gh_perm_scope(enum gh_perm perm);
/** The permission named text ("key.read"); GH_E_INVALID for any other text. */
GH_API GH_MUST_CHECK gh_err gh_perm_parse(const char *text, enum gh_perm *out);
/**
 * The permission's entry in a restricted key's Policy: "/gatehouse/" and its name with '.' as
 * '/' ("/gatehouse/key/read"), into out (at least GH_PERM_POLICY_SIZE bytes).
 */
#define GH_PERM_POLICY_SIZE 64
GH_API void gh_perm_policy_entry(enum gh_perm perm, char out[GH_PERM_POLICY_SIZE]);
/** Every permission of the scope. */
GH_API gh_perm_set gh_perms_of_scope(enum gh_perm_scope scope);
/** Whether a role on a main account carries into its subaccounts (owner, administrator). */
GH_API bool gh_role_spans_subaccounts(enum gh_role role);
/** What a role holds on an account where the user has it (0 outside the enum). */
GH_API gh_perm_set gh_role_perms(enum gh_role role);
/**
 * The Gatehouse permissions a restricted key's permission list names (entries outside
 * "/gatehouse/" are the platform's own and grant nothing here).  GH_E_POLICY when an entry under
 * "/gatehouse/" names no permission, or names a self permission or access_token.mint (restricted
 * keys cannot mint access tokens).
 */
GH_API GH_MUST_CHECK gh_err gh_key_policy_perms(const char *permissions, gh_perm_set *out);
/**
 * What a key of this type and permission list holds (main: every account permission; standard
 * and signing: the access-token ones; restricted: its Gatehouse entries).
 */
GH_API GH_MUST_CHECK gh_err gh_key_perms(enum gh_key_type type, const char *permissions,
                                         gh_perm_set *out);

/** The permission's name ("key.read"); NULL for values outside the table. */
GH_API const char *gh_perm_name(enum gh_perm perm);

/** Every permission who holds on the account it acts on (0 for none). */
GH_API gh_perm_set gh_principal_perms(const struct gh_principal *who);
/** Whether who holds every permission of set. */
GH_API bool gh_principal_holds_all(const struct gh_principal *who, gh_perm_set set);

/** A user's role on an account by name ("owner", "administrator", "developer",
 * "billing_manager", "support"); NULL outside the enum. */
GH_API const char *gh_role_name(enum gh_role role);
/** The role named text; GH_E_INVALID for any other text. */
GH_API GH_MUST_CHECK gh_err gh_role_parse(const char *text, enum gh_role *out);

/**
 * GH_OK when who holds perm on the account it acts on; GH_E_FORBIDDEN when it does not (a
 * session's role lacks it, a standard key, a credential asked for a self permission);
 * GH_E_KEY_RESTRICTED for a restricted key whose policy lacks it; GH_E_MFA_REQUIRED or
 * GH_E_MUST_CHANGE_PASSPHRASE for a session limited to one step; GH_E_DENIED for no principal.
 */
GH_API GH_MUST_CHECK gh_err gh_principal_holds(const struct gh_principal *who, enum gh_perm perm);

/**
 * Checks a restricted key's permission list: 1 to GH_POLICY_MAX_PERMISSIONS entries separated by
 * '\n', each "/" followed by 2 to 8 segments of [a-z0-9_-] (at most GH_PERMISSION_MAX_LEN
 * bytes), no duplicates.  GH_E_POLICY otherwise.
 */
GH_API GH_MUST_CHECK gh_err gh_key_policy_check(const char *permissions);

#endif
