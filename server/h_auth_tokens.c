/*
 * h_auth_tokens.c -- accounts v1 AuthTokens: the secondary token and its promotion, for the
 * credential's own account.  SuppressEmailNotification is accepted and ignored: Gatehouse
 * sends no e-mail; every change is in the audit log.
 */
#include <string.h>

#include "server.h"

static json_t *
token_json(struct gh_request *req, const struct gh_auth_token_info *info, const char *field,
           const char *token, const char *path)
{
    char base[400];
    char url[512];

    gh_base_url(req, base, sizeof(base));
    snprintf(url, sizeof(url), "%s%s", base, path);
    return json_pack("{s:s, s:o, s:o, s:s, s:s}", "account_sid", info->account_sid, "date_created",
                     gh_json_date_iso(info->created_ms), "date_updated",
                     gh_json_date_iso(info->updated_ms), field, token, "url", url);
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

void
h_secondary_create(struct gh_request *req, struct gh_response *res)
{
    char token[GH_SECRET_SIZE] = "";
    struct gh_auth_token_info info;
    gh_err rc = check_suppress(req);

    if (rc == GH_OK) {
        rc = gh_auth_token_secondary_create(req->cfg->ctx, &req->origin, &req->who, &info, token);
    }
    if (rc == GH_OK) {
        gh_respond(
            res, 201,
            token_json(req, &info, "secondary_auth_token", token, "/v1/AuthTokens/Secondary"));
    } else {
        gh_respond_error(res, rc);
    }
    gh_wipe(token, sizeof(token));
}

void
h_secondary_delete(struct gh_request *req, struct gh_response *res)
{
    gh_err rc = check_suppress(req);

    if (rc == GH_OK) {
        rc = gh_auth_token_secondary_delete(req->cfg->ctx, &req->origin, &req->who);
    }
    if (rc == GH_OK) {
        gh_respond(res, 204, NULL);
    } else {
        gh_respond_error(res, rc);
    }
}

void
h_promote(struct gh_request *req, struct gh_response *res)
{
    char token[GH_SECRET_SIZE] = "";
    struct gh_auth_token_info info;
    gh_err rc = check_suppress(req);

    if (rc == GH_OK) {
        rc = gh_auth_token_promote(req->cfg->ctx, &req->origin, &req->who, &info, token);
    }
    if (rc == GH_OK) {
        gh_respond(res, 200, token_json(req, &info, "auth_token", token, "/v1/AuthTokens/Promote"));
    } else {
        gh_respond_error(res, rc);
    }
    gh_wipe(token, sizeof(token));
}

void
h_health(struct gh_request *req, struct gh_response *res)
{
    (void)req;
    gh_respond(res, 200, json_pack("{s:s, s:s}", "status", "ok", "version", GATEHOUSE_VERSION));
}
