/*
 * h_sessions.c -- human login sessions: POST /v1/Sessions (public: e-mail and passphrase in,
 * a bearer token out, once), GET /v1/Sessions (the caller's user's sessions), DELETE
 * /v1/Sessions/{Sid} (log one out, the caller's own included) and DELETE /v1/Sessions (log
 * out everywhere else).  Every refusal of a login is the same 401; a throttled address or a
 * full hashing pool is 429 with Retry-After.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

/*
 * What a session may do: "active"; "pending_mfa" (complete the second factor); "enrol_only"
 * (enrol one: the account requires it); "passphrase_change_required" (it was found in a breach).
 */
static const char *
session_status_text(const struct gh_session *s)
{
    switch (s->status) {
    case GH_SESSION_PENDING_MFA:
        return "pending_mfa";
    case GH_SESSION_ENROL_ONLY:
        return "enrol_only";
    default:
        return s->must_change_passphrase ? "passphrase_change_required" : "active";
    }
}

/* {sid, user_sid, status, must_change_passphrase, [token | current], date_created, date_last_seen, expires,
 * idle_expires, url}: expires is the absolute end; idle_expires, the end if left unused. */
static void
write_session(struct gh_request *req, struct gh_jw *w, const struct gh_session *s,
              const char *token)
{
    char base[400];
    char url[512];
    int64_t ends = s->idle_expires_ms < s->expires_ms ? s->idle_expires_ms : s->expires_ms;

    gh_base_url(req, base, sizeof(base));
    snprintf(url, sizeof(url), "%s/v1/Sessions/%s", base, s->sid);
    gh_jw_object(w);
    gh_jw_kv_string(w, "sid", s->sid);
    gh_jw_kv_string(w, "user_sid", s->user_sid);
    /* An ended session is never shown. */
    gh_jw_kv_string(w, "status", session_status_text(s));
    gh_jw_key(w, "must_change_passphrase");
    gh_jw_bool(w, s->must_change_passphrase);
    if (token != NULL) {
        gh_jw_kv_string(w, "token", token);
    } else {
        gh_jw_key(w, "current");
        gh_jw_bool(w, strcmp(s->sid, req->who.sid) == 0);
    }
    gh_write_date_iso(w, "date_created", s->created_ms);
    gh_write_date_iso(w, "date_last_seen", s->last_seen_ms);
    gh_write_date_iso(w, "expires", s->expires_ms);
    gh_write_date_iso(w, "idle_expires", ends);
    gh_jw_kv_string(w, "url", url);
    gh_jw_object_end(w);
}

void
h_session_create(struct gh_request *req, struct gh_response *res)
{
    char token[GH_SESSION_TOKEN_SIZE] = "";
    const char *email = NULL;
    const char *pass = NULL;
    struct gh_session s;
    int64_t retry = 0;
    gh_err rc = gh_param_required(req, "Email", &email);

    if (rc == GH_OK) {
        rc = gh_param_required(req, "Passphrase", &pass);
    }
    if (rc == GH_OK) {
        rc = gh_session_login(req->cfg->ctx, &req->origin, email, pass, strlen(pass), &s, token,
                              &retry);
    }
    if (rc == GH_OK) {
        write_session(req, gh_respond_json(res, 201), &s, token);
    } else if (rc == GH_E_LIMIT) {
        gh_respond_limited(res, retry);
    } else {
        gh_respond_error(res, rc);
    }
    gh_wipe(token, sizeof(token));
}

void
h_session_list(struct gh_request *req, struct gh_response *res)
{
    struct gh_session *list = calloc(GH_SESSIONS_MAX, sizeof(*list));
    size_t n = 0;
    gh_err rc = list != NULL ? gh_session_list(req->cfg->ctx, &req->who, list, GH_SESSIONS_MAX, &n)
                             : GH_E_NOMEM;
    struct gh_jw *w;

    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        free(list);
        return;
    }
    w = gh_respond_json(res, 200);
    gh_jw_object(w);
    gh_jw_key(w, "sessions");
    gh_jw_array(w);
    for (size_t i = 0; i < n; i++) {
        write_session(req, w, &list[i], NULL);
    }
    gh_jw_array_end(w);
    gh_jw_object_end(w);
    free(list);
}

void
h_session_delete(struct gh_request *req, struct gh_response *res)
{
    gh_err rc = gh_session_logout(req->cfg->ctx, &req->origin, &req->who, req->captures[0]);

    if (rc == GH_OK) {
        gh_respond_empty(res, 204);
    } else {
        gh_respond_error(res, rc);
    }
}

void
h_session_delete_others(struct gh_request *req, struct gh_response *res)
{
    int64_t n = 0;
    gh_err rc = gh_session_revoke_others(req->cfg->ctx, &req->origin, &req->who, &n);
    struct gh_jw *w;

    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        return;
    }
    w = gh_respond_json(res, 200);
    gh_jw_object(w);
    gh_jw_kv_int(w, "revoked", n);
    gh_jw_object_end(w);
}
