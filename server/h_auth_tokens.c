/*
 * h_auth_tokens.c -- accounts v1 AuthTokens: the secondary token and its promotion, for the
 * credential's own account.  SuppressEmailNotification is accepted and ignored: Gatehouse
 * sends no e-mail; every change is in the audit log.
 */
#include <string.h>

#include "server.h"

static void
write_token(struct gh_request *req, struct gh_response *res, int status,
            const struct gh_auth_token_info *info, const char *field, const char *token,
            const char *path)
{
    struct gh_jw *w = gh_respond_json(res, status);
    char base[400];
    char url[512];

    gh_base_url(req, base, sizeof(base));
    snprintf(url, sizeof(url), "%s%s", base, path);
    gh_jw_object(w);
    gh_jw_kv_string(w, "account_sid", info->account_sid);
    gh_write_date_iso(w, "date_created", info->created_ms);
    gh_write_date_iso(w, "date_updated", info->updated_ms);
    gh_jw_kv_string(w, field, token);
    gh_jw_kv_string(w, "url", url);
    gh_jw_object_end(w);
}

static gh_err
check_suppress(const struct gh_request *req)
{
    const char *v = NULL;
    gh_err rc = gh_param_opt(req, "SuppressEmailNotification", &v);

    if (rc != GH_OK) {
        return rc;
    }
    return v == NULL || strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ? GH_OK : GH_E_INVALID;
}

/* A use case that hands back a new token: secondary create, promote. */
typedef gh_err (*token_case)(struct gh_ctx *ctx, const struct gh_origin *from,
                             const struct gh_principal *who, struct gh_auth_token_info *out,
                             char token[GH_SECRET_SIZE]);

static void
issue_token(struct gh_request *req, struct gh_response *res, token_case run, int status,
            const char *field, const char *path)
{
    char token[GH_SECRET_SIZE] = "";
    struct gh_auth_token_info info;
    gh_err rc = check_suppress(req);

    if (rc == GH_OK) {
        rc = run(req->cfg->ctx, &req->origin, &req->who, &info, token);
    }
    if (rc == GH_OK) {
        write_token(req, res, status, &info, field, token, path);
    } else {
        gh_respond_error(res, rc);
    }
    gh_wipe(token, sizeof(token));
}

void
h_secondary_create(struct gh_request *req, struct gh_response *res)
{
    issue_token(req, res, gh_auth_token_secondary_create, 201, "secondary_auth_token",
                "/v1/AuthTokens/Secondary");
}

void
h_secondary_delete(struct gh_request *req, struct gh_response *res)
{
    gh_err rc = check_suppress(req);

    if (rc == GH_OK) {
        rc = gh_auth_token_secondary_delete(req->cfg->ctx, &req->origin, &req->who);
    }
    if (rc == GH_OK) {
        gh_respond_empty(res, 204);
    } else {
        gh_respond_error(res, rc);
    }
}

void
h_promote(struct gh_request *req, struct gh_response *res)
{
    issue_token(req, res, gh_auth_token_promote, 200, "auth_token", "/v1/AuthTokens/Promote");
}

/* Readiness: the store answers and this process holds the master key the store names. */
void
h_ready(struct gh_request *req, struct gh_response *res)
{
    gh_err rc = gh_ctx_check(req->cfg->ctx);
    struct gh_jw *w;

    if (rc != GH_OK) {
        /* Not ready, whatever the cause (503): take this server out of rotation. */
        gh_respond_error(res, rc == GH_E_WRONG_KEY || rc == GH_E_KEYFILE ? GH_E_NOT_READY
                                                                         : GH_E_UNREACHABLE);
        return;
    }
    w = gh_respond_json(res, 200);
    gh_jw_object(w);
    gh_jw_kv_string(w, "status", "ready");
    gh_jw_kv_string(w, "version", GATEHOUSE_VERSION);
    gh_jw_object_end(w);
}

/* Liveness: the process serves HTTP (touches neither the store nor the key). */
void
h_health(struct gh_request *req, struct gh_response *res)
{
    struct gh_jw *w = gh_respond_json(res, 200);

    (void)req;
    gh_jw_object(w);
    gh_jw_kv_string(w, "status", "ok");
    gh_jw_kv_string(w, "version", GATEHOUSE_VERSION);
    gh_jw_object_end(w);
}
