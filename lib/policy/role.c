/*
 * role.c -- permissions, roles, and the principals that hold them (deny by default).
 *
 * One table (policy.h) names every permission with its scope; roles and key types are sets of
 * them.  gh_principal_holds is the one answer to "may who do this": the router asks it before a
 * handler runs and every use case asks it again.
 */
#include "internal.h"

#define PERM_NAME_(name, text, scope, doc) [name] = text,
static const char *const perm_names[GH_PERM_COUNT_] = {GH_PERM_TABLE(PERM_NAME_)};
#undef PERM_NAME_
#define PERM_DOC_(name, text, scope, doc) [name] = doc,
static const char *const perm_docs[GH_PERM_COUNT_] = {GH_PERM_TABLE(PERM_DOC_)};
#undef PERM_DOC_
#define PERM_SCOPE_(name, text, scope, doc) [name] = scope,
static const enum gh_perm_scope perm_scopes[GH_PERM_COUNT_] = {GH_PERM_TABLE(PERM_SCOPE_)};
#undef PERM_SCOPE_

/* Restricted-key permissions: "/" then segments of [a-z0-9_-], 2..8 of them. */
#define POLICY_SEGMENTS_MIN 2
#define POLICY_SEGMENTS_MAX 8
#define POLICY_PREFIX       "/gatehouse/"

static bool
perm_valid(enum gh_perm perm)
{
    return (int)perm > (int)GH_PERM_INVALID_ && (int)perm < (int)GH_PERM_COUNT_;
}

const char *
gh_perm_name(enum gh_perm perm)
{
    return perm_valid(perm) ? perm_names[perm] : NULL;
}

const char *
gh_perm_doc(enum gh_perm perm)
{
    return perm_valid(perm) ? perm_docs[perm] : NULL;
}

enum gh_perm_scope
gh_perm_scope(enum gh_perm perm)
{
    return perm_valid(perm) ? perm_scopes[perm] : GH_SCOPE_ACCOUNT;
}

gh_err
gh_perm_parse(const char *text, enum gh_perm *out)
{
    GH_ENSURE(text != NULL, GH_E_INVALID);
    for (int p = GH_PERM_INVALID_ + 1; p < GH_PERM_COUNT_; p++) {
        if (strcmp(text, perm_names[p]) == 0) {
            *out = (enum gh_perm)p;
            return GH_OK;
        }
    }
    return GH_E_INVALID;
}

void
gh_perm_policy_entry(enum gh_perm perm, char out[GH_PERM_POLICY_SIZE])
{
    const char *name = gh_perm_name(perm);
    size_t used = sizeof(POLICY_PREFIX) - 1;

    out[0] = '\0';
    if (name == NULL || used + strlen(name) >= GH_PERM_POLICY_SIZE) {
        return;
    }
    memcpy(out, POLICY_PREFIX, used);
    for (const char *p = name; *p != '\0'; p++) {
        out[used++] = *p == '.' ? '/' : *p;
    }
    out[used] = '\0';
}

gh_perm_set
gh_perms_of_scope(enum gh_perm_scope scope)
{
    gh_perm_set set = 0;

    for (int p = GH_PERM_INVALID_ + 1; p < GH_PERM_COUNT_; p++) {
        set |= perm_scopes[p] == scope ? GH_PERM_BIT(p) : 0;
    }
    return set;
}

gh_perm_set
gh_role_perms(enum gh_role role)
{
    switch (role) {
    case GH_ROLE_OWNER:
        return GH_PERMS_ACCOUNT_ALL;
    case GH_ROLE_ADMINISTRATOR:
        return GH_ROLE_ADMINISTRATOR_PERMS_;
    case GH_ROLE_DEVELOPER:
        return GH_ROLE_DEVELOPER_PERMS_;
    case GH_ROLE_BILLING_MANAGER:
        return GH_ROLE_BILLING_MANAGER_PERMS_;
    case GH_ROLE_SUPPORT:
        return GH_ROLE_SUPPORT_PERMS_;
    default:
        return 0;
    }
}

bool
gh_role_spans_subaccounts(enum gh_role role)
{
    return role == GH_ROLE_OWNER || role == GH_ROLE_ADMINISTRATOR;
}

const char *const gh__role_names[GH_ROLE_COUNT] = {"owner", "administrator", "developer",
                                                   "billing_manager", "support"};

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

/* The self permissions an active session holds (a limited one holds one of them, see below). */
static gh_perm_set
session_self_perms(const struct gh_principal *who)
{
    if (who->session_status == GH_SESSION_PENDING_MFA) {
        return GH_PERM_BIT(GH_PERM_SESSION_MFA);
    }
    if (who->session_status == GH_SESSION_ENROL_ONLY) {
        return GH_PERM_BIT(GH_PERM_MFA_SELF);
    }
    if (who->must_change_passphrase) {
        return GH_PERM_BIT(GH_PERM_SESSION_SELF);
    }
    return gh_perms_of_scope(GH_SCOPE_SELF) & ~GH_PERM_BIT(GH_PERM_SESSION_MFA);
}

gh_perm_set
gh_principal_perms(const struct gh_principal *who)
{
    gh_perm_set set = 0;

    if (who == NULL) {
        return 0;
    }
    switch (who->kind) {
    case GH_PRINCIPAL_OPERATOR:
        return gh_perms_of_scope(GH_SCOPE_ACCOUNT) | gh_perms_of_scope(GH_SCOPE_SELF);
    case GH_PRINCIPAL_AUTH_TOKEN:
        return GH_PERMS_CREDENTIAL;
    case GH_PRINCIPAL_KEY:
        if (who->key_type == GH_KEY_RESTRICTED) {
            return who->policy & GH_PERMS_POLICY_GRANTABLE;
        }
        return gh_key_perms(who->key_type, NULL, &set) == GH_OK ? set : 0;
    case GH_PRINCIPAL_SESSION:
        set = session_self_perms(who);
        if (who->has_role && who->session_status == GH_SESSION_ACTIVE &&
            !who->must_change_passphrase) {
            set |= gh_role_perms(who->role) &
                   (who->account_inactive ? GH_PERMS_INACTIVE_ACCOUNT : ~(gh_perm_set)0);
        }
        return set;
    case GH_PRINCIPAL_NONE:
    default:
        return 0;
    }
}

bool
gh_principal_holds_all(const struct gh_principal *who, gh_perm_set set)
{
    return (gh_principal_perms(who) & set) == set;
}

/* Why a session does not hold perm: it is limited to one step, or its role lacks it. */
static gh_err
session_refusal(const struct gh_principal *who)
{
    if (who->session_status == GH_SESSION_PENDING_MFA ||
        who->session_status == GH_SESSION_ENROL_ONLY) {
        return GH_E_MFA_REQUIRED;
    }
    return who->must_change_passphrase ? GH_E_MUST_CHANGE_PASSPHRASE : GH_E_FORBIDDEN;
}

gh_err
gh_principal_holds(const struct gh_principal *who, enum gh_perm perm)
{
    GH_ENSURE(perm_valid(perm), GH_E_INTERNAL);
    GH_ENSURE(who != NULL && who->kind != GH_PRINCIPAL_NONE, GH_E_DENIED);
    if ((gh_principal_perms(who) & GH_PERM_BIT(perm)) != 0) {
        return GH_OK;
    }
    if (who->kind == GH_PRINCIPAL_SESSION) {
        return session_refusal(who);
    }
    if (who->kind == GH_PRINCIPAL_KEY && who->key_type == GH_KEY_RESTRICTED) {
        return GH_E_KEY_RESTRICTED;
    }
    return GH_E_FORBIDDEN;
}

gh_err
gh_key_perms(enum gh_key_type type, const char *permissions, gh_perm_set *out)
{
    *out = 0;
    switch (type) {
    case GH_KEY_MAIN:
        *out = GH_PERMS_CREDENTIAL;
        return GH_OK;
    case GH_KEY_STANDARD:
    case GH_KEY_SIGNING:
        *out = GH_PERMS_STANDARD_KEY;
        return GH_OK;
    case GH_KEY_RESTRICTED:
        return permissions != NULL ? gh_key_policy_perms(permissions, out) : GH_OK;
    default:
        return GH_E_INVALID;
    }
}

/* The permission a "/gatehouse/..." policy entry of len bytes names; GH_E_POLICY for none. */
static gh_err
policy_entry_perm(const char *entry, size_t len, enum gh_perm *out)
{
    char want[GH_PERM_POLICY_SIZE];

    for (int p = GH_PERM_INVALID_ + 1; p < GH_PERM_COUNT_; p++) {
        gh_perm_policy_entry((enum gh_perm)p, want);
        if (strlen(want) == len && memcmp(want, entry, len) == 0) {
            *out = (enum gh_perm)p;
            return GH_OK;
        }
    }
    return GH_E_POLICY;
}

gh_err
gh_key_policy_perms(const char *permissions, gh_perm_set *out)
{
    const size_t prefix = sizeof(POLICY_PREFIX) - 1;
    const char *p = permissions;

    *out = 0;
    GH_ENSURE(permissions != NULL, GH_E_POLICY);
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
        enum gh_perm perm;

        if (len >= prefix && memcmp(p, POLICY_PREFIX, prefix) == 0) {
            GH_TRY(policy_entry_perm(p, len, &perm));
            GH_ENSURE((GH_PERMS_POLICY_GRANTABLE & GH_PERM_BIT(perm)) != 0, GH_E_POLICY);
            *out |= GH_PERM_BIT(perm);
        }
        if (nl == NULL) {
            return GH_OK;
        }
        p = nl + 1;
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
            gh_perm_set granted;

            return gh_key_policy_perms(permissions, &granted); /* "/gatehouse/" entries */
        }
        p = nl + 1;
    }
}
