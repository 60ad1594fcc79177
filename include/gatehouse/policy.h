/*
 * policy.h -- permissions, and which principals hold them.
 *
 * Every route of the server names one permission (deny by default).  Auth tokens and main keys
 * hold every permission of their account; standard keys hold none of the account, key and
 * auth-token permissions (Twilio: "everything except Accounts and Keys"); restricted keys hold
 * only what their Policy allows, and no Gatehouse permission is grantable to them yet.  A human
 * user's session holds only the user permissions (its own sessions and passphrase; creating
 * users when its user owns the main account); account permissions come with roles (issue 7).
 */
#ifndef GATEHOUSE_POLICY_H
#define GATEHOUSE_POLICY_H

#include <gatehouse/api.h>
#include <gatehouse/err.h>
#include <gatehouse/model.h>

/* X(name, text) */
#define GH_PERM_TABLE(X)                                                                           \
    X(GH_PERM_ACCOUNT_READ, "account.read")                                                        \
    X(GH_PERM_ACCOUNT_MANAGE, "account.manage")                                                    \
    X(GH_PERM_KEY_READ, "key.read")                                                                \
    X(GH_PERM_KEY_MANAGE, "key.manage")                                                            \
    X(GH_PERM_AUTH_TOKEN_ROTATE, "auth_token.rotate")                                              \
    X(GH_PERM_USER_READ, "user.read")                                                              \
    X(GH_PERM_USER_MANAGE, "user.manage")                                                          \
    X(GH_PERM_SESSION_SELF, "session.self")                                                        \
    X(GH_PERM_TOKEN_MINT, "access_token.mint")                                                     \
    X(GH_PERM_TOKEN_VERIFY, "access_token.verify")                                                 \
    X(GH_PERM_TOKEN_REVOKE, "access_token.revoke")                                                 \
    X(GH_PERM_MFA_SELF, "mfa.self")                                                                \
    X(GH_PERM_SESSION_MFA, "session.mfa")

#define GH_PERM_ENUM_(name, text) name,
enum gh_perm { GH_PERM_INVALID_ = 0, GH_PERM_TABLE(GH_PERM_ENUM_) GH_PERM_COUNT_ };
#undef GH_PERM_ENUM_

/** The permission's name ("key.read"); NULL for values outside the table. */
GH_API const char *gh_perm_name(enum gh_perm perm);

/** A user's role on an account by name ("owner", "administrator", "developer",
 * "billing_manager", "support"); NULL outside the enum. */
GH_API const char *gh_role_name(enum gh_role role);
/** The role named text; GH_E_INVALID for any other text. */
GH_API GH_MUST_CHECK gh_err gh_role_parse(const char *text, enum gh_role *out);

/**
 * GH_OK when who holds perm on its own account; GH_E_FORBIDDEN for a principal that never
 * holds it (standard keys); GH_E_KEY_RESTRICTED for a restricted key whose policy lacks it;
 * GH_E_DENIED for no principal.
 */
GH_API GH_MUST_CHECK gh_err gh_principal_holds(const struct gh_principal *who, enum gh_perm perm);

/**
 * Checks a restricted key's permission list: 1 to GH_POLICY_MAX_PERMISSIONS entries separated by
 * '\n', each "/" followed by 2 to 8 segments of [a-z0-9_-] (at most GH_PERMISSION_MAX_LEN
 * bytes), no duplicates.  GH_E_POLICY otherwise.
 */
GH_API GH_MUST_CHECK gh_err gh_key_policy_check(const char *permissions);

#endif
