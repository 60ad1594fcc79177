/*
 * role.c -- permissions and the principals that hold them (deny by default).
 *
 * This principals are credentials: an account's auth tokens and main keys hold every
 * permission on their account; standard keys and signing keys hold none of these (they reach
 * everything except Accounts, Keys and account configuration); restricted keys hold only what
 * their policy lists, and no Gatehouse permission can be listed yet.
 */
#include "internal.h"

#define PERM_NAME_(name, text) [name] = text,
static const char *const perm_names[GH_PERM_COUNT_] = {GH_PERM_TABLE(PERM_NAME_)};
#undef PERM_NAME_

/* Restricted-key permissions: "/" then segments of [a-z0-9_-], 2..8 of them. */
#define POLICY_SEGMENTS_MIN 2
#define POLICY_SEGMENTS_MAX 8

const char *
gh_perm_name(enum gh_perm perm)
{
    if ((int)perm <= (int)GH_PERM_INVALID_ || (int)perm >= (int)GH_PERM_COUNT_) {
        return NULL;
    }
    return perm_names[perm];
}

const char *const gh__role_names[5] = {"owner", "administrator", "developer", "billing_manager",
                                       "support"};

const char *
gh_role_name(enum gh_role role)
{
    return (unsigned)role < GH_ARRAY_LEN(gh__role_names) ? gh__role_names[role] : NULL;
}

gh_err
gh_role_parse(const char *text, enum gh_role *out)
{
    GH_ENSURE(text != NULL, GH_E_INVALID);
    for (size_t i = 0; i < GH_ARRAY_LEN(gh__role_names); i++) {
        if (strcmp(text, gh__role_names[i]) == 0) {
            *out = (enum gh_role)i;
            return GH_OK;
        }
    }
    return GH_E_INVALID;
}

void
gh_principal_operator(struct gh_principal *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = GH_PRINCIPAL_OPERATOR;
}

static bool
user_perm(enum gh_perm perm)
{
    return perm == GH_PERM_USER_READ || perm == GH_PERM_USER_MANAGE || perm == GH_PERM_SESSION_SELF;
}

/* What only a human's own session can do: its sessions, its factors, its second step. */
static bool
session_only(enum gh_perm perm)
{
    return perm == GH_PERM_SESSION_SELF || perm == GH_PERM_MFA_SELF || perm == GH_PERM_SESSION_MFA;
}

/* The access-token permissions, which standard keys hold too. */
static bool
token_perm(enum gh_perm perm)
{
    return perm == GH_PERM_TOKEN_MINT || perm == GH_PERM_TOKEN_VERIFY ||
           perm == GH_PERM_TOKEN_REVOKE;
}

static gh_err
session_holds(enum gh_perm perm)
{
    return user_perm(perm) ? GH_OK : GH_E_FORBIDDEN;
}

gh_err
gh_principal_holds(const struct gh_principal *who, enum gh_perm perm)
{
    GH_ENSURE(gh_perm_name(perm) != NULL, GH_E_INTERNAL);
    GH_ENSURE(who != NULL, GH_E_DENIED);
    switch (who->kind) {
    case GH_PRINCIPAL_OPERATOR:
        return GH_OK;
    case GH_PRINCIPAL_AUTH_TOKEN:
        return session_only(perm) ? GH_E_FORBIDDEN : GH_OK; /* an account has no session */
    case GH_PRINCIPAL_KEY:
        if (who->key_type == GH_KEY_MAIN) {
            return session_only(perm) ? GH_E_FORBIDDEN : GH_OK;
        }
        if (who->key_type == GH_KEY_RESTRICTED) {
            return GH_E_KEY_RESTRICTED;
        }
        /* Standard (and signing) keys are for the platform's own API, and access tokens. */
        if (who->key_type == GH_KEY_STANDARD || who->key_type == GH_KEY_SIGNING) {
            return token_perm(perm) ? GH_OK : GH_E_FORBIDDEN;
        }
        return GH_E_FORBIDDEN;
    case GH_PRINCIPAL_SESSION:
        /* A login waiting for its second factor can only complete it; one whose account
         * requires a factor the user lacks can only enrol one. */
        if (who->session_status == GH_SESSION_PENDING_MFA) {
            return perm == GH_PERM_SESSION_MFA ? GH_OK : GH_E_MFA_REQUIRED;
        }
        if (who->session_status == GH_SESSION_ENROL_ONLY) {
            return perm == GH_PERM_MFA_SELF ? GH_OK : GH_E_MFA_REQUIRED;
        }
        if (who->must_change_passphrase && perm != GH_PERM_SESSION_SELF) {
            return GH_E_MUST_CHANGE_PASSPHRASE;
        }
        return perm == GH_PERM_MFA_SELF ? GH_OK : session_holds(perm);
    case GH_PRINCIPAL_NONE:
    default:
        return GH_E_DENIED;
    }
}

static bool
segment_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static gh_err
check_permission(const char *p, size_t len)
{
    int segments = 0;
    size_t seg_len = 0;

    GH_ENSURE(len >= 2 && len <= GH_PERMISSION_MAX_LEN && p[0] == '/', GH_E_POLICY);
    for (size_t i = 1; i <= len; i++) {
        if (i == len || p[i] == '/') {
            GH_ENSURE(seg_len > 0, GH_E_POLICY);
            segments++;
            seg_len = 0;
            continue;
        }
        GH_ENSURE(segment_char(p[i]), GH_E_POLICY);
        seg_len++;
    }
    GH_ENSURE(segments >= POLICY_SEGMENTS_MIN && segments <= POLICY_SEGMENTS_MAX, GH_E_POLICY);
    return GH_OK;
}

static bool
seen_before(const char *start, const char *entry, size_t len)
{
    const char *p = start;

    while (p < entry) {
        const char *nl = strchr(p, '\n');
        size_t n = (size_t)(nl - p);

        if (n == len && memcmp(p, entry, len) == 0) {
            return true;
        }
        p = nl + 1;
    }
    return false;
}

gh_err
gh_key_policy_check(const char *permissions)
{
    const char *p = permissions;
    size_t count = 0;

    GH_ENSURE(permissions != NULL && permissions[0] != '\0', GH_E_POLICY);
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

        GH_TRY(check_permission(p, len));
        GH_ENSURE(!seen_before(permissions, p, len), GH_E_POLICY);
        GH_ENSURE(++count <= GH_POLICY_MAX_PERMISSIONS, GH_E_POLICY);
        if (nl == NULL) {
            return GH_OK;
        }
        p = nl + 1;
    }
}
