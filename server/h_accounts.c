/*
 * h_accounts.c -- /2010-04-01/Accounts: create a subaccount, list, fetch, update.
 */
#include <string.h>

#include "server.h"

static gh_err
parse_status(const char *text, int *status)
{
    static const char *const names[] = {"active", "suspended", "closed"};

    *status = GH_STATUS_ANY;
    if (text == NULL) {
        return GH_OK;
    }
    for (int i = 0; i < 3; i++) {
        if (strcmp(text, names[i]) == 0) {
            *status = i;
            return GH_OK;
        }
    }
    return GH_E_STATUS;
}

void
h_account_create(struct gh_request *req, struct gh_response *res)
{
    char token[GH_SECRET_SIZE] = "";
    struct gh_account acct;
    const char *name = NULL;
    gh_err rc = gh_param_opt(req, "FriendlyName", &name);

    if (rc == GH_OK) {
        rc = gh_account_create(req->cfg->ctx, &req->origin, &req->who, name, &acct, token);
    }
    if (rc == GH_OK) {
        gh_write_account(gh_respond_json(res, 201), &acct, token);
    } else {
        gh_respond_error(res, rc);
    }
    gh_wipe(token, sizeof(token));
}

/* "FriendlyName=x&Status=y&", to carry the filters into every paging URI. */
static gh_err
filter_query(const char *name, const char *status, char *out, size_t cap)
{
    char enc[GH_FRIENDLY_NAME_SIZE * 3 + 1];
    size_t used = 0;

    out[0] = '\0';
    if (name != NULL) {
        if (gh_url_encode(name, enc, sizeof(enc)) != GH_OK) {
            return GH_E_FRIENDLY_NAME;
        }
        used = (size_t)snprintf(out, cap, "FriendlyName=%s&", enc);
    }
    if (status != NULL) {
        snprintf(out + used, cap - used, "Status=%s&", status);
    }
    return GH_OK;
}

static void
render_list(struct gh_response *res, const struct gh_account_list *list, const struct gh_page *page,
            const char *filters)
{
    struct gh_page_links links = {"/2010-04-01/Accounts.json", filters, page, list->n,
                                  list->next_token};
    struct gh_jw *w = gh_respond_json(res, 200);

    gh_jw_object(w);
    gh_jw_key(w, "accounts");
    gh_jw_array(w);
    for (size_t i = 0; i < list->n; i++) {
        gh_write_account(w, &list->items[i], list->auth_tokens[i]);
    }
    gh_jw_array_end(w);
    gh_write_page2010(w, &links);
    gh_jw_object_end(w);
}

void
h_account_list(struct gh_request *req, struct gh_response *res)
{
    char filters[GH_FRIENDLY_NAME_SIZE * 3 + 64];
    struct gh_account_filter filter = {NULL, GH_STATUS_ANY};
    struct gh_account_list list;
    struct gh_page page;
    const char *status = NULL;
    gh_err rc = gh_param_opt(req, "FriendlyName", &filter.friendly_name);

    memset(&list, 0, sizeof(list));
    if (rc == GH_OK) {
        rc = gh_param_opt(req, "Status", &status);
    }
    if (rc == GH_OK) {
        rc = parse_status(status, &filter.status);
    }
    if (rc == GH_OK) {
        rc = gh_read_page(req, &page);
    }
    if (rc == GH_OK) {
        rc = filter_query(filter.friendly_name, status, filters, sizeof(filters));
    }
    if (rc == GH_OK) {
        rc = gh_account_list(req->cfg->ctx, &req->who, &filter, &page, &list);
    }
    if (rc == GH_OK) {
        render_list(res, &list, &page, filters);
    } else {
        gh_respond_error(res, rc);
    }
    gh_account_list_clear(&list);
}

void
h_account_fetch(struct gh_request *req, struct gh_response *res)
{
    char token[GH_SECRET_SIZE] = "";
    struct gh_account acct;
    gh_err rc = gh_account_fetch(req->cfg->ctx, &req->who, req->captures[0], &acct, token);

    if (rc == GH_OK) {
        gh_write_account(gh_respond_json(res, 200), &acct, token);
    } else {
        gh_respond_error(res, rc);
    }
    gh_wipe(token, sizeof(token));
}

void
h_account_update(struct gh_request *req, struct gh_response *res)
{
    char token[GH_SECRET_SIZE] = "";
    struct gh_account_change change = {NULL, GH_STATUS_ANY};
    struct gh_account acct;
    const char *status = NULL;
    gh_err rc = gh_param_opt(req, "FriendlyName", &change.friendly_name);

    if (rc == GH_OK) {
        rc = gh_param_opt(req, "Status", &status);
    }
    if (rc == GH_OK) {
        rc = parse_status(status, &change.status);
    }
    if (rc == GH_OK) {
        rc = gh_account_update(req->cfg->ctx, &req->origin, &req->who, req->captures[0], &change,
                               &acct, token);
    }
    if (rc == GH_OK) {
        gh_write_account(gh_respond_json(res, 200), &acct, token);
    } else {
        gh_respond_error(res, rc);
    }
    gh_wipe(token, sizeof(token));
}
