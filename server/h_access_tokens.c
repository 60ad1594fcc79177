/*
 * h_access_tokens.c -- access tokens over HTTP: POST /v1/AccessTokens (mint), POST
 * /v1/AccessTokens/Verify (introspection: active or not, the reason's Twilio code, the claims),
 * DELETE /v1/AccessTokens/{Jti} (revoke), and POST /v2/token (OAuth 2.0 client credentials,
 * with RFC 6749's error bodies).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "server.h"

/* An optional integer parameter (0 when absent); GH_E_INVALID when not a plain number. */
static gh_err
param_int(const struct gh_request *req, const char *name, int64_t max, int64_t *out)
{
    const char *v = NULL;
    char *end = NULL;
    long long n;

    gh_err rc = gh_param_opt(req, name, &v);

    *out = 0;
    if (rc != GH_OK || v == NULL) {
        return rc;
    }
    errno = 0;
    n = strtoll(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || n < 0 || n > max) {
        return GH_E_INVALID;
    }
    *out = n;
    return GH_OK;
}

/* Writes a parsed JSON value (the token's claims) with the response writer. */
static void
write_value(struct gh_jw *w, json_t *v, int depth)
{
    const char *key;
    json_t *item;
    size_t i;

    if (depth > 16) {
        gh_jw_null(w);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        gh_jw_object(w);
        json_object_foreach (v, key, item) {
            gh_jw_key(w, key);
            write_value(w, item, depth + 1);
        }
        gh_jw_object_end(w);
        break;
    case JSON_ARRAY:
        gh_jw_array(w);
        json_array_foreach (v, i, item) {
            write_value(w, item, depth + 1);
        }
        gh_jw_array_end(w);
        break;
    case JSON_STRING:
        gh_jw_string(w, json_string_value(v));
        break;
    case JSON_INTEGER:
        gh_jw_int(w, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL:
        gh_jw_double(w, json_real_value(v));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        gh_jw_bool(w, json_is_true(v));
        break;
    default:
        gh_jw_null(w);
    }
}

void
h_access_token_create(struct gh_request *req, struct gh_response *res)
{
    struct gh_token_request tr;
    struct gh_token_issued *out = calloc(1, sizeof(*out));
    struct gh_jw *w;
    gh_err rc = out != NULL ? GH_OK : GH_E_NOMEM;

    memset(&tr, 0, sizeof(tr));
    rc = rc == GH_OK ? gh_param_required(req, "Identity", &tr.identity) : rc;
    rc = rc == GH_OK ? gh_param_opt(req, "Grants", &tr.grants_json) : rc;
    rc = rc == GH_OK ? gh_param_opt(req, "KeySid", &tr.key_sid) : rc;
    rc = rc == GH_OK ? gh_param_opt(req, "Algorithm", &tr.alg) : rc;
    rc = rc == GH_OK ? param_int(req, "Ttl", INT64_C(10000000), &tr.ttl_s) : rc;
    rc = rc == GH_OK ? param_int(req, "Nbf", INT64_C(253402300799), &tr.nbf) : rc;
    rc = rc == GH_OK ? gh_access_token_mint(req->cfg->ctx, &req->origin, &req->who, &tr, out) : rc;
    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        free(out);
        return;
    }
    w = gh_respond_json(res, 201);
    gh_jw_object(w);
    gh_jw_kv_string(w, "token", out->token);
    gh_jw_kv_string(w, "jti", out->jti);
    gh_jw_kv_string(w, "account_sid", out->account_sid);
    gh_jw_kv_string(w, "key_sid", out->key_sid);
    gh_jw_kv_string(w, "identity", tr.identity);
    gh_jw_kv_int(w, "ttl", out->exp - out->iat);
    gh_write_date_iso(w, "date_created", out->iat * 1000);
    gh_write_date_iso(w, "expires", out->exp * 1000);
    gh_jw_object_end(w);
    gh_wipe(out, sizeof(*out));
    free(out);
}

void
h_access_token_verify(struct gh_request *req, struct gh_response *res)
{
    struct gh_token_verdict *v = calloc(1, sizeof(*v));
    const char *token = NULL;
    struct gh_jw *w;
    json_t *claims;
    gh_err rc = v != NULL ? gh_param_required(req, "Token", &token) : GH_E_NOMEM;

    if (rc == GH_OK) {
        rc = gh_access_token_verify(req->cfg->ctx, &req->who, token, strlen(token), v);
    }
    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        free(v);
        return;
    }
    w = gh_respond_json(res, 200);
    gh_jw_object(w);
    gh_jw_key(w, "active");
    gh_jw_bool(w, v->active);
    if (v->active) {
        gh_jw_key(w, "code");
        gh_jw_null(w);
        gh_jw_key(w, "message");
        gh_jw_null(w);
    } else {
        gh_jw_kv_int(w, "code", gh_err_twilio_code(v->why));
        gh_jw_kv_string(w, "message", gh_err_message(v->why));
    }
    gh_jw_key(w, "claims");
    claims = v->token.claims[0] != '\0' ? json_loads(v->token.claims, 0, NULL) : NULL;
    if (claims != NULL) {
        write_value(w, claims, 0);
        json_decref(claims);
    } else {
        gh_jw_null(w);
    }
    gh_jw_object_end(w);
    free(v);
}

void
h_access_token_revoke(struct gh_request *req, struct gh_response *res)
{
    gh_err rc = gh_access_token_revoke(req->cfg->ctx, &req->origin, &req->who, req->captures[0]);

    if (rc == GH_OK) {
        gh_respond_empty(res, 204);
    } else {
        gh_respond_error(res, rc);
    }
}

/* RFC 6749 section 5.2: {"error": code, "error_description": text}. */
static void
oauth_error(struct gh_response *res, int status, const char *code, const char *text)
{
    struct gh_jw *w = gh_respond_json(res, status);

    gh_jw_object(w);
    gh_jw_kv_string(w, "error", code);
    gh_jw_kv_string(w, "error_description", text);
    gh_jw_object_end(w);
}

/*
 * The client's credentials: client_id and client_secret in the body (client_secret_post), or
 * HTTP Basic (client_secret_basic, which RFC 6749 section 2.3.1 requires servers to accept).
 */
static bool
client_credentials(const struct gh_request *req, char id[GH_SID_LEN + 2], char *secret, size_t cap,
                   size_t *len)
{
    const char *pid = NULL;
    const char *psecret = NULL;

    if (req->authorization != NULL) {
        return gh_basic_auth_decode(req->authorization, id, GH_SID_LEN + 2, secret, cap, len) ==
               GH_OK;
    }
    if (gh_param_get(&req->params, "client_id", &pid) != GH_OK ||
        gh_param_get(&req->params, "client_secret", &psecret) != GH_OK ||
        strlen(pid) > GH_SID_LEN || strlen(psecret) >= cap) {
        return false;
    }
    memcpy(id, pid, strlen(pid) + 1);
    *len = strlen(psecret);
    memcpy(secret, psecret, *len + 1);
    return true;
}

void
h_client_token(struct gh_request *req, struct gh_response *res)
{
    const char *grant = NULL;
    char id[GH_SID_LEN + 2] = "";
    char secret[GH_PASSWORD_MAX_LEN + 1] = "";
    char token[GH_JWT_SIZE];
    size_t secret_len = 0;
    int64_t expires_in = 0;
    struct gh_jw *w;
    gh_err rc;

    if (gh_param_get(&req->params, "grant_type", &grant) != GH_OK) {
        oauth_error(res, 400, "invalid_request", "grant_type is required, once");
        return;
    }
    if (strcmp(grant, "client_credentials") != 0) {
        oauth_error(res, 400, "unsupported_grant_type", "only client_credentials is supported");
        return;
    }
    if (!client_credentials(req, id, secret, sizeof(secret), &secret_len)) {
        oauth_error(res, 400, "invalid_request",
                    "client_id and client_secret (or HTTP Basic) are required, once");
        gh_wipe(secret, sizeof(secret));
        return;
    }
    rc = gh_client_token_issue(req->cfg->ctx, &req->origin, id, secret, secret_len, token,
                               &expires_in);
    gh_wipe(secret, sizeof(secret));
    if (rc == GH_E_DENIED) {
        oauth_error(res, 401, "invalid_client", "client authentication failed");
        res->auth_challenge = req->authorization != NULL;
        return;
    }
    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        return;
    }
    w = gh_respond_json(res, 200);
    gh_jw_object(w);
    gh_jw_kv_string(w, "access_token", token);
    gh_jw_kv_string(w, "token_type", "Bearer");
    gh_jw_kv_int(w, "expires_in", expires_in);
    gh_jw_object_end(w);
    gh_wipe(token, sizeof(token));
}
