/*
 * h_users.c -- human users: POST /v1/Users (create, with a membership), GET /v1/Users/{Sid},
 * POST /v1/Users/{Sid}/Passphrase (the user's own change, from a session).  Passphrases come
 * only in form bodies and never come back; a refused one gets the policy's report.
 */
#include <string.h>

#include "server.h"

static void
write_user(struct gh_request *req, struct gh_jw *w, const struct gh_user *u,
           const char *account_sid, const char *role)
{
    char base[400];
    char url[512];

    gh_base_url(req, base, sizeof(base));
    snprintf(url, sizeof(url), "%s/v1/Users/%s", base, u->sid);
    gh_jw_object(w);
    gh_jw_kv_string(w, "sid", u->sid);
    gh_jw_kv_string(w, "email", u->email);
    gh_jw_kv_string(w, "name", u->name);
    if (account_sid != NULL) {
        gh_jw_kv_string(w, "account_sid", account_sid);
        gh_jw_kv_string(w, "role", role);
    }
    gh_jw_key(w, "must_change_passphrase");
    gh_jw_bool(w, u->must_change);
    gh_write_date_iso(w, "date_passphrase_changed", u->passphrase_set_ms);
    gh_write_date_iso(w, "date_created", u->created_ms);
    gh_write_date_iso(w, "date_updated", u->updated_ms);
    gh_jw_kv_string(w, "url", url);
    gh_jw_object_end(w);
}

/* A use case that may refuse a passphrase: its report, a 429 with Retry-After, or the error. */
static void
respond_refusal(struct gh_response *res, gh_err rc, const struct gh_passphrase_report *r)
{
    if (rc == GH_E_WEAK_PASSPHRASE) {
        gh_respond_weak_passphrase(res, r);
    } else if (rc == GH_E_LIMIT) {
        gh_respond_limited(res, 1); /* every hashing slot is busy: a second is plenty */
    } else {
        gh_respond_error(res, rc);
    }
}

static gh_err
read_spec(const struct gh_request *req, struct gh_user_spec *spec)
{
    const char *role = NULL;
    gh_err rc;

    memset(spec, 0, sizeof(*spec));
    rc = gh_param_required(req, "Email", &spec->email);
    if (rc == GH_OK) {
        rc = gh_param_required(req, "Name", &spec->name);
    }
    if (rc == GH_OK) {
        rc = gh_param_required(req, "Passphrase", &spec->passphrase);
    }
    if (rc == GH_OK) {
        spec->passphrase_len = strlen(spec->passphrase);
        rc = gh_param_opt(req, "AccountSid", &spec->account_sid);
    }
    if (rc == GH_OK) {
        rc = gh_param_required(req, "Role", &role);
    }
    return rc == GH_OK ? gh_role_parse(role, &spec->role) : rc;
}

void
h_user_create(struct gh_request *req, struct gh_response *res)
{
    struct gh_passphrase_report report;
    struct gh_user_spec spec;
    struct gh_user u = {0};
    char main_sid[GH_SID_SIZE];
    gh_err rc = read_spec(req, &spec);

    memset(&report, 0, sizeof(report));
    if (rc == GH_OK && spec.account_sid == NULL) {
        rc = gh_ctx_main_account(req->cfg->ctx, main_sid);
        spec.account_sid = main_sid;
    }
    if (rc == GH_OK) {
        rc = gh_user_create(req->cfg->ctx, &req->origin, &req->who, &spec, &u, &report);
    }
    if (rc == GH_OK) {
        write_user(req, gh_respond_json(res, 201), &u, spec.account_sid, gh_role_name(spec.role));
    } else {
        respond_refusal(res, rc, &report);
    }
    gh_wipe(&report, sizeof(report));
}

void
h_user_fetch(struct gh_request *req, struct gh_response *res)
{
    struct gh_user u = {0};
    gh_err rc = gh_user_fetch(req->cfg->ctx, &req->who, req->captures[0], &u);

    if (rc == GH_OK) {
        write_user(req, gh_respond_json(res, 200), &u, NULL, NULL);
    } else {
        gh_respond_error(res, rc);
    }
}

void
h_user_passphrase(struct gh_request *req, struct gh_response *res)
{
    struct gh_passphrase_report report;
    const char *current = NULL;
    const char *next = NULL;
    struct gh_user u = {0};
    gh_err rc = gh_param_required(req, "CurrentPassphrase", &current);

    memset(&report, 0, sizeof(report));
    if (rc == GH_OK) {
        rc = gh_param_required(req, "NewPassphrase", &next);
    }
    if (rc == GH_OK) {
        rc = gh_user_change_passphrase(req->cfg->ctx, &req->origin, &req->who, req->captures[0],
                                       current, strlen(current), next, strlen(next), &report);
    }
    if (rc == GH_OK) {
        req->who.must_change_passphrase = false; /* the change has just lifted the limit */
        rc = gh_user_fetch(req->cfg->ctx, &req->who, req->captures[0], &u);
    }
    if (rc == GH_OK) {
        write_user(req, gh_respond_json(res, 200), &u, NULL, NULL);
    } else {
        respond_refusal(res, rc, &report);
    }
    gh_wipe(&report, sizeof(report));
}
