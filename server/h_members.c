/*
 * h_members.c -- the Members API: POST/GET /v1/Accounts/{Sid}/Members (add by UserSid or
 * Email with a Role; list), GET/POST/DELETE /v1/Accounts/{Sid}/Members/{UserSid} (fetch, change
 * the role, remove), and the main account's ownership transfer:
 * GET/POST/DELETE /v1/Accounts/{Sid}/OwnershipTransfer (see, offer to UserSid, withdraw) and
 * POST /v1/Accounts/{Sid}/OwnershipTransfer/Accept (the offered user's own session).
 */
#include <string.h>

#include "server.h"

static void
member_url(struct gh_request *req, const char *account_sid, const char *user_sid, char *out,
           size_t cap)
{
    char base[400];

    gh_base_url(req, base, sizeof(base));
    snprintf(out, cap, "%s/v1/Accounts/%s/Members%s%s", base, account_sid,
             user_sid != NULL ? "/" : "", user_sid != NULL ? user_sid : "");
}

static void
write_member(struct gh_request *req, struct gh_jw *w, const struct gh_member *m)
{
    char url[600];

    member_url(req, m->account_sid, m->user_sid, url, sizeof(url));
    gh_jw_object(w);
    gh_jw_kv_string(w, "account_sid", m->account_sid);
    gh_jw_kv_string(w, "user_sid", m->user_sid);
    gh_jw_kv_string(w, "email", m->email);
    gh_jw_kv_string(w, "name", m->name);
    gh_jw_kv_string(w, "role", gh_role_name(m->role));
    gh_write_date_iso(w, "date_created", m->created_ms);
    gh_write_date_iso(w, "date_updated", m->updated_ms);
    gh_jw_kv_string(w, "url", url);
    gh_jw_object_end(w);
}

static void
respond_member(struct gh_request *req, struct gh_response *res, gh_err rc, int status,
               const struct gh_member *m)
{
    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        return;
    }
    write_member(req, gh_respond_json(res, status), m);
}

/* The required Role parameter. */
static gh_err
read_role(const struct gh_request *req, enum gh_role *role)
{
    const char *text = NULL;
    gh_err rc = gh_param_required(req, "Role", &text);

    return rc == GH_OK ? gh_role_parse(text, role) : rc;
}

void
h_member_add(struct gh_request *req, struct gh_response *res)
{
    const char *user_sid = NULL;
    const char *email = NULL;
    enum gh_role role = GH_ROLE_SUPPORT;
    struct gh_member m = {0};
    gh_err rc = gh_param_opt(req, "UserSid", &user_sid);

    if (rc == GH_OK) {
        rc = gh_param_opt(req, "Email", &email);
    }
    if (rc == GH_OK && (user_sid == NULL) == (email == NULL)) {
        rc = user_sid == NULL ? GH_E_MISSING : GH_E_INVALID; /* exactly one of them */
    }
    if (rc == GH_OK) {
        rc = read_role(req, &role);
    }
    if (rc == GH_OK) {
        rc = gh_member_add(req->cfg->ctx, &req->origin, &req->who, req->captures[0], user_sid,
                           email, role, &m);
    }
    respond_member(req, res, rc, 201, &m);
}

void
h_member_list(struct gh_request *req, struct gh_response *res)
{
    struct gh_member_list list;
    struct gh_page page;
    char url[600];
    gh_err rc = gh_read_page(req, &page);

    memset(&list, 0, sizeof(list));
    if (rc == GH_OK) {
        rc = gh_member_list(req->cfg->ctx, &req->who, req->captures[0], &page, &list);
    }
    if (rc == GH_OK) {
        struct gh_page_links links = {url, "", &page, list.n, list.next_token};
        struct gh_jw *w = gh_respond_json(res, 200);

        member_url(req, req->captures[0], NULL, url, sizeof(url));
        gh_jw_object(w);
        gh_jw_key(w, "members");
        gh_jw_array(w);
        for (size_t i = 0; i < list.n; i++) {
            write_member(req, w, &list.items[i]);
        }
        gh_jw_array_end(w);
        gh_write_page_v1(w, "members", &links);
        gh_jw_object_end(w);
    } else {
        gh_respond_error(res, rc);
    }
    gh_member_list_clear(&list);
}

void
h_member_fetch(struct gh_request *req, struct gh_response *res)
{
    struct gh_member m = {0};
    gh_err rc = gh_member_fetch(req->cfg->ctx, &req->who, req->captures[0], req->captures[1], &m);

    respond_member(req, res, rc, 200, &m);
}

void
h_member_update(struct gh_request *req, struct gh_response *res)
{
    enum gh_role role = GH_ROLE_SUPPORT;
    struct gh_member m = {0};
    gh_err rc = read_role(req, &role);

    if (rc == GH_OK) {
        rc = gh_member_update(req->cfg->ctx, &req->origin, &req->who, req->captures[0],
                              req->captures[1], role, &m);
    }
    respond_member(req, res, rc, 200, &m);
}

void
h_member_remove(struct gh_request *req, struct gh_response *res)
{
    gh_err rc = gh_member_remove(req->cfg->ctx, &req->origin, &req->who, req->captures[0],
                                 req->captures[1]);

    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        return;
    }
    gh_respond_empty(res, 204);
}

/* ---- ownership transfer ---- */

static void
respond_ownership(struct gh_request *req, struct gh_response *res, gh_err rc, int status,
                  const struct gh_ownership *o)
{
    char base[400];
    char url[600];
    struct gh_jw *w;

    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        return;
    }
    gh_base_url(req, base, sizeof(base));
    snprintf(url, sizeof(url), "%s/v1/Accounts/%s/OwnershipTransfer", base, o->account_sid);
    w = gh_respond_json(res, status);
    gh_jw_object(w);
    gh_jw_kv_string(w, "account_sid", o->account_sid);
    gh_jw_kv_string(w, "owner_sid", o->owner_sid[0] != '\0' ? o->owner_sid : NULL);
    gh_jw_kv_string(w, "status", o->pending ? "pending" : "none");
    gh_jw_kv_string(w, "offered_to_sid", o->pending ? o->offer.to_user_sid : NULL);
    gh_jw_kv_string(w, "offered_by_sid", o->pending ? o->offer.from_user_sid : NULL);
    if (o->pending) {
        gh_write_date_iso(w, "date_offered", o->offer.created_ms);
        gh_write_date_iso(w, "date_expires", o->offer.expires_ms);
    } else {
        gh_jw_key(w, "date_offered");
        gh_jw_null(w);
        gh_jw_key(w, "date_expires");
        gh_jw_null(w);
    }
    gh_jw_kv_string(w, "url", url);
    gh_jw_object_end(w);
}

void
h_ownership_get(struct gh_request *req, struct gh_response *res)
{
    struct gh_ownership o;
    gh_err rc = gh_ownership_get(req->cfg->ctx, &req->who, req->captures[0], &o);

    respond_ownership(req, res, rc, 200, &o);
}

void
h_ownership_offer(struct gh_request *req, struct gh_response *res)
{
    struct gh_ownership o;
    const char *user_sid = NULL;
    gh_err rc = gh_param_required(req, "UserSid", &user_sid);

    memset(&o, 0, sizeof(o));
    if (rc == GH_OK) {
        rc = gh_ownership_offer(req->cfg->ctx, &req->origin, &req->who, req->captures[0], user_sid,
                                &o);
    }
    respond_ownership(req, res, rc, 201, &o);
}

void
h_ownership_withdraw(struct gh_request *req, struct gh_response *res)
{
    gh_err rc = gh_ownership_withdraw(req->cfg->ctx, &req->origin, &req->who, req->captures[0]);

    if (rc != GH_OK) {
        gh_respond_error(res, rc);
        return;
    }
    gh_respond_empty(res, 204);
}

void
h_ownership_accept(struct gh_request *req, struct gh_response *res)
{
    struct gh_ownership o;
    gh_err rc = gh_ownership_accept(req->cfg->ctx, &req->origin, &req->who, req->captures[0], &o);

    respond_ownership(req, res, rc, 200, &o);
}
