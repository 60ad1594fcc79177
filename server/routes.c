/*
 * routes.c -- the one route table: method, path pattern, required permission, handler.
 * Deny by default: a route that requires a permission authenticates first, then checks that
 * the principal holds it, then runs its handler.  "{}" in a pattern captures one path segment.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

/*
 * PUBLIC marks the public routes (health, login, the passphrase check, the client-credentials
 * token): a value outside the permission table, so that a route whose permission was left out
 * (GH_PERM_INVALID_, 0) is not public but refused, and stops the server from starting.
 */
#define PUBLIC GH_PERM_COUNT_

struct route {
    const char *method;
    const char *pattern;
    enum gh_perm needs;
    bool parent; /* a parent's auth token and main keys may name its subaccount here */
    gh_handler handler;
};

static const struct route routes[] = {
    /* method   pattern                                     needs                   parent handler */
    {"POST", "/2010-04-01/Accounts.json", GH_PERM_SUBACCOUNT_CREATE, false, h_account_create},
    {"GET", "/2010-04-01/Accounts.json", GH_PERM_ACCOUNT_READ, false, h_account_list},
    {"GET", "/2010-04-01/Accounts/{}.json", GH_PERM_ACCOUNT_READ, true, h_account_fetch},
    {"POST", "/2010-04-01/Accounts/{}.json", GH_PERM_ACCOUNT_UPDATE, true, h_account_update},
    {"POST", "/2010-04-01/Accounts/{}/Keys.json", GH_PERM_KEY_CREATE, true, h_key2010_create},
    {"GET", "/2010-04-01/Accounts/{}/Keys.json", GH_PERM_KEY_READ, true, h_key2010_list},
    {"GET", "/2010-04-01/Accounts/{}/Keys/{}.json", GH_PERM_KEY_READ, true, h_key2010_fetch},
    {"POST", "/2010-04-01/Accounts/{}/Keys/{}.json", GH_PERM_KEY_UPDATE, true, h_key2010_update},
    {"DELETE", "/2010-04-01/Accounts/{}/Keys/{}.json", GH_PERM_KEY_DELETE, true, h_key2010_delete},
    {"POST", "/2010-04-01/Accounts/{}/SigningKeys.json", GH_PERM_KEY_CREATE, true,
     h_signing_key_create},
    {"GET", "/2010-04-01/Accounts/{}/SigningKeys.json", GH_PERM_KEY_READ, true, h_signing_key_list},
    {"GET", "/2010-04-01/Accounts/{}/SigningKeys/{}.json", GH_PERM_KEY_READ, true,
     h_signing_key_fetch},
    {"POST", "/2010-04-01/Accounts/{}/SigningKeys/{}.json", GH_PERM_KEY_UPDATE, true,
     h_signing_key_update},
    {"DELETE", "/2010-04-01/Accounts/{}/SigningKeys/{}.json", GH_PERM_KEY_DELETE, true,
     h_signing_key_delete},
    {"POST", "/v1/Keys", GH_PERM_KEY_CREATE, false, h_key_v1_create},
    {"GET", "/v1/Keys", GH_PERM_KEY_READ, false, h_key_v1_list},
    {"GET", "/v1/Keys/{}", GH_PERM_KEY_READ, false, h_key_v1_fetch},
    {"POST", "/v1/Keys/{}", GH_PERM_KEY_UPDATE, false, h_key_v1_update},
    {"DELETE", "/v1/Keys/{}", GH_PERM_KEY_DELETE, false, h_key_v1_delete},
    {"POST", "/v1/AuthTokens/Secondary", GH_PERM_AUTH_TOKEN_ROTATE, false, h_secondary_create},
    {"DELETE", "/v1/AuthTokens/Secondary", GH_PERM_AUTH_TOKEN_ROTATE, false, h_secondary_delete},
    {"POST", "/v1/AuthTokens/Promote", GH_PERM_AUTH_TOKEN_ROTATE, false, h_promote},
    {"POST", "/v1/Accounts/{}/Members", GH_PERM_MEMBER_MANAGE, true, h_member_add},
    {"GET", "/v1/Accounts/{}/Members", GH_PERM_MEMBER_READ, true, h_member_list},
    {"GET", "/v1/Accounts/{}/Members/{}", GH_PERM_MEMBER_READ, true, h_member_fetch},
    {"POST", "/v1/Accounts/{}/Members/{}", GH_PERM_MEMBER_MANAGE, true, h_member_update},
    {"DELETE", "/v1/Accounts/{}/Members/{}", GH_PERM_MEMBER_MANAGE, true, h_member_remove},
    {"GET", "/v1/Accounts/{}/OwnershipTransfer", GH_PERM_MEMBER_READ, false, h_ownership_get},
    {"POST", "/v1/Accounts/{}/OwnershipTransfer", GH_PERM_OWNERSHIP_TRANSFER, false,
     h_ownership_offer},
    {"DELETE", "/v1/Accounts/{}/OwnershipTransfer", GH_PERM_OWNERSHIP_TRANSFER, false,
     h_ownership_withdraw},
    {"POST", "/v1/Accounts/{}/OwnershipTransfer/Accept", GH_PERM_OWNERSHIP_ACCEPT, false,
     h_ownership_accept},
    {"GET", "/v1/Accounts/{}/Events", GH_PERM_AUDIT_READ, true, h_events_list},
    {"POST", "/v1/Accounts/{}/MfaPolicy", GH_PERM_MFA_POLICY_MANAGE, true, h_mfa_policy},
    {"POST", "/v1/Users", GH_PERM_MEMBER_MANAGE, true, h_user_create},
    {"GET", "/v1/Users/{}", GH_PERM_USER_SELF, false, h_user_fetch},
    {"POST", "/v1/Users/{}/Passphrase", GH_PERM_SESSION_SELF, false, h_user_passphrase},
    {"POST", "/v1/Users/{}/Factors", GH_PERM_MFA_SELF, false, h_mfa_factor_create},
    {"GET", "/v1/Users/{}/Factors", GH_PERM_MFA_SELF, false, h_mfa_factor_list},
    {"POST", "/v1/Users/{}/Factors/{}", GH_PERM_MFA_SELF, false, h_mfa_factor_confirm},
    {"DELETE", "/v1/Users/{}/Factors/{}", GH_PERM_MFA_SELF, false, h_mfa_factor_delete},
    {"POST", "/v1/Users/{}/RecoveryCodes", GH_PERM_MFA_SELF, false, h_mfa_recovery_codes},
    {"POST", "/v1/Sessions/{}/Mfa", GH_PERM_SESSION_MFA, false, h_mfa_session_complete},
    {"POST", "/v1/Sessions", PUBLIC, false, h_session_create},
    {"GET", "/v1/Sessions", GH_PERM_SESSION_SELF, false, h_session_list},
    {"DELETE", "/v1/Sessions", GH_PERM_SESSION_SELF, false, h_session_delete_others},
    {"DELETE", "/v1/Sessions/{}", GH_PERM_SESSION_SELF, false, h_session_delete},
    {"POST", "/v1/AccessTokens", GH_PERM_TOKEN_MINT, true, h_access_token_create},
    {"POST", "/v1/AccessTokens/Verify", GH_PERM_TOKEN_VERIFY, true, h_access_token_verify},
    {"DELETE", "/v1/AccessTokens/{}", GH_PERM_TOKEN_REVOKE, true, h_access_token_revoke},
    {"POST", "/v2/token", PUBLIC, false, h_client_token},
    {"POST", "/v1/Passphrases/Check", PUBLIC, false, h_passphrase_check},
    {"GET", "/v1/Health", PUBLIC, false, h_health},
    {"GET", "/v1/Health/Ready", PUBLIC, false, h_ready},
};

#define ROUTE_COUNT (sizeof(routes) / sizeof(routes[0]))

/* Matches one path against a pattern; captures point into path (segments are not copied). */
static bool
match(const char *pattern, const char *path, const char *caps[2], size_t cap_len[2])
{
    size_t ncap = 0;

    while (*pattern != '\0') {
        if (pattern[0] == '{' && pattern[1] == '}') {
            const char *end = path;
            char stop = pattern[2]; /* '/', '.', or end of pattern */

            while (*end != '\0' && *end != '/' && !(stop == '.' && strcmp(end, pattern + 2) == 0)) {
                end++;
            }
            if (end == path || ncap == 2) {
                return false;
            }
            caps[ncap] = path;
            cap_len[ncap++] = (size_t)(end - path);
            path = end;
            pattern += 2;
            continue;
        }
        if (*pattern++ != *path++) {
            return false;
        }
    }
    return *path == '\0';
}

/* "Bearer <token>" (scheme case-insensitive, RFC 7235): the token, else NULL. */
static const char *
bearer_token(const char *authorization)
{
    static const char scheme[] = "bearer ";

    for (size_t i = 0; i < sizeof(scheme) - 1; i++) {
        char c = authorization[i];

        if ((c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c) != scheme[i]) {
            return NULL;
        }
    }
    return authorization + sizeof(scheme) - 1;
}

static gh_err
authenticate(struct gh_request *req)
{
    char user[GH_SID_LEN + 2];
    char password[GH_PASSWORD_MAX_LEN + 1];
    size_t pass_len = 0;
    const char *bearer;
    gh_err rc;

    if (req->authorization == NULL) {
        gh_audit_auth_failure(req->cfg->ctx, &req->origin, "no_credentials");
        return GH_E_DENIED;
    }
    bearer = bearer_token(req->authorization);
    if (bearer != NULL) {
        /* A login session ("SE..."), else a client-credentials token (a JWT: "eyJ..."). */
        return strncmp(bearer, "SE", 2) == 0
                   ? gh_authenticate_bearer(req->cfg->ctx, &req->origin, bearer, &req->who)
                   : gh_authenticate_client_token(req->cfg->ctx, &req->origin, bearer, &req->who);
    }
    rc = gh_basic_auth_decode(req->authorization, user, sizeof(user), password, sizeof(password),
                              &pass_len);
    if (rc != GH_OK) {
        gh_audit_auth_failure(req->cfg->ctx, &req->origin, "malformed_authorization");
    } else {
        rc =
            gh_authenticate_basic(req->cfg->ctx, &req->origin, user, password, pass_len, &req->who);
    }
    gh_wipe(password, sizeof(password));
    return rc;
}

/* Where an account route names its account: "path" (the first capture), else "param". */
static bool
account_in_path(const struct route *r)
{
    static const char v2010[] = "/2010-04-01/Accounts/{}";
    static const char v1[] = "/v1/Accounts/{}";

    return strncmp(r->pattern, v2010, sizeof(v2010) - 1) == 0 ||
           strncmp(r->pattern, v1, sizeof(v1) - 1) == 0;
}

/*
 * May the authenticated principal take this route?  A session first acts on the account the
 * request names (its role there); every principal then must hold the route's permission.
 */
static gh_err
authorize(struct gh_request *req, const struct route *r)
{
    const char *account = NULL;
    gh_err rc;

    if (req->who.kind == GH_PRINCIPAL_SESSION && gh_perm_scope(r->needs) == GH_SCOPE_ACCOUNT &&
        req->who.session_status == GH_SESSION_ACTIVE && !req->who.must_change_passphrase) {
        if (account_in_path(r)) {
            account = req->captures[0];
        } else if ((rc = gh_param_get(&req->params, "AccountSid", &account)) != GH_OK) {
            return rc == GH_E_NOT_FOUND ? GH_E_ACCOUNT_REQUIRED : rc;
        }
        if ((rc = gh_principal_act_on(req->cfg->ctx, &req->who, account)) != GH_OK) {
            return rc;
        }
    }
    return gh_principal_holds(&req->who, r->needs);
}

/* A capture holds a SID, or an access token's jti ("<KeySid>-<iat>"). */
#define CAPTURE_SIZE GH_JWT_JTI_SIZE

/* Copies the captures into NUL-terminated buffers the handlers can use as SIDs. */
static bool
copy_captures(struct gh_request *req, const char *caps[2], const size_t len[2],
              char store[2][CAPTURE_SIZE])
{
    for (size_t i = 0; i < 2; i++) {
        if (caps[i] == NULL) {
            req->captures[i] = NULL;
            continue;
        }
        if (len[i] >= CAPTURE_SIZE) {
            return false; /* longer than any SID or jti: it names nothing */
        }
        memcpy(store[i], caps[i], len[i]);
        store[i][len[i]] = '\0';
        req->captures[i] = store[i];
    }
    return true;
}

static void
allowed_methods(const char *path, char *out, size_t cap)
{
    const char *caps[2];
    size_t len[2];
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (match(routes[i].pattern, path, caps, len)) {
            int n =
                snprintf(out + used, cap - used, "%s%s", used > 0 ? ", " : "", routes[i].method);

            used = n > 0 && (size_t)n < cap - used ? used + (size_t)n : used;
        }
    }
}

void
gh_route(struct gh_request *req, struct gh_response *res)
{
    char store[2][CAPTURE_SIZE];
    const char *caps[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    bool path_known = false;
    gh_err rc;

    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        const struct route *r = &routes[i];

        caps[0] = caps[1] = NULL;
        if (!match(r->pattern, req->path, caps, len)) {
            continue;
        }
        path_known = true;
        if (strcmp(r->method, req->method) != 0) {
            continue;
        }
        if (!copy_captures(req, caps, len, store)) {
            gh_respond_error(res, GH_E_NOT_FOUND);
            return;
        }
        if (r->needs != PUBLIC &&
            ((rc = authenticate(req)) != GH_OK || (rc = authorize(req, r)) != GH_OK)) {
            gh_respond_error(res, rc);
            return;
        }
        r->handler(req, res);
        return;
    }
    if (!path_known) {
        gh_respond_error(res, GH_E_NOT_FOUND);
        return;
    }
    gh_respond_error(res, GH_E_METHOD);
    allowed_methods(req->path, res->allow, sizeof(res->allow));
}

void
gh_routes_each(gh_route_fn fn, void *arg)
{
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        const struct route *r = &routes[i];
        const char *account = r->needs == PUBLIC                         ? "none"
                              : gh_perm_scope(r->needs) == GH_SCOPE_SELF ? "self"
                              : account_in_path(r)                       ? "path"
                                                                         : "param";

        fn(r->method, r->pattern, r->needs, account, r->parent, arg);
    }
}

bool
gh_routes_complete(void)
{
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (routes[i].needs != PUBLIC && gh_perm_name(routes[i].needs) == NULL) {
            return false;
        }
    }
    return true;
}
