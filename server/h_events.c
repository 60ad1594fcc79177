/*
 * h_events.c -- GET /v1/Accounts/{Sid}/Events: an account's audit trail, newest first (the
 * events that name the account: its keys, tokens, members and settings), paged by
 * PageSize and PageToken.  Events carry no secret (the audit log never holds one).
 */
#include <string.h>

#include "server.h"

static void
write_event(struct gh_jw *w, const struct gh_audit_event *ev)
{
    gh_jw_object(w);
    gh_jw_kv_int(w, "seq", ev->seq);
    gh_jw_kv_string(w, "account_sid", ev->account_sid);
    gh_write_date_iso(w, "date_created", ev->time_ms);
    gh_jw_kv_string(w, "actor_sid", ev->actor[0] != '\0' ? ev->actor : NULL);
    gh_jw_kv_string(w, "action", ev->action);
    gh_jw_kv_string(w, "target_sid", ev->target[0] != '\0' ? ev->target : NULL);
    gh_jw_kv_string(w, "outcome", ev->outcome);
    gh_jw_kv_string(w, "detail", ev->detail);
    gh_jw_kv_string(w, "remote_addr", ev->remote_addr[0] != '\0' ? ev->remote_addr : NULL);
    gh_jw_kv_string(w, "user_agent", ev->user_agent[0] != '\0' ? ev->user_agent : NULL);
    gh_jw_object_end(w);
}

void
h_events_list(struct gh_request *req, struct gh_response *res)
{
    struct gh_audit_page list;
    struct gh_page page;
    char base[400];
    char url[600];
    gh_err rc = gh_read_page(req, &page);

    memset(&list, 0, sizeof(list));
    if (rc == GH_OK) {
        rc = gh_audit_list(req->cfg->ctx, &req->who, req->captures[0], &page, &list);
    }
    if (rc == GH_OK) {
        struct gh_page_links links = {url, "", &page, list.n, list.next_token};
        struct gh_jw *w = gh_respond_json(res, 200);

        gh_base_url(req, base, sizeof(base));
        snprintf(url, sizeof(url), "%s/v1/Accounts/%s/Events", base, req->captures[0]);
        gh_jw_object(w);
        gh_jw_key(w, "events");
        gh_jw_array(w);
        for (size_t i = 0; i < list.n; i++) {
            write_event(w, &list.items[i]);
        }
        gh_jw_array_end(w);
        gh_write_page_v1(w, "events", &links);
        gh_jw_object_end(w);
    } else {
        gh_respond_error(res, rc);
    }
    gh_audit_page_clear(&list);
}
